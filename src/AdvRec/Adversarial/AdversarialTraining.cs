using AdvRec.Models;

namespace AdvRec.Adversarial;

/// <summary>Builds the per-epoch settings of adversarial training (APR); the schedule is <see cref="AdversarialStep.IsAdversarialEpoch"/>.</summary>
public static class AdversarialTraining
{
    /// <summary>
    /// The <see cref="AdversarialStep"/> for one APR epoch of <paramref name="model"/>: Δ of budget
    /// <paramref name="epsilon"/> from <paramref name="source"/>, adversarial loss weight <paramref name="lambda"/>.
    /// With <see cref="DeltaSource.AllPairs"/>, Δ is an FGSM attack over all training pairs (fresh negatives from
    /// <paramref name="seed"/>) rebuilt before every batch.
    /// </summary>
    public static AdversarialStep Step(IPerturbable model, float epsilon, float lambda, DeltaSource source, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        var step = new AdversarialStep(epsilon, lambda);
        step.Validate();
        if (source == DeltaSource.Batch) return step;
        ulong draws = 0;
        return step with { DeltaProvider = () => Fgsm.Attack(model, model.DrawAttackSample(seed + draws++), epsilon) };
    }

    /// <summary>
    /// Multi-step APR: before every batch, Δ is an MSAP attack (<paramref name="attack"/>: budget, steps, step size,
    /// projection) over all training pairs with fresh negatives from <paramref name="seed"/>; λ =
    /// <paramref name="lambda"/>. Costs <c>attack.Steps</c> full gradient passes per batch. With one step and no step
    /// size it is <see cref="Step(IPerturbable, float, float, DeltaSource, ulong)"/> with <see cref="DeltaSource.AllPairs"/>.
    /// </summary>
    public static AdversarialStep MultiStep(IPerturbable model, AttackOptions attack, float lambda, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(attack);
        attack.Validate();
        var step = new AdversarialStep(attack.Epsilon, lambda);
        step.Validate();
        ulong draws = 0;
        return step with { DeltaProvider = () => RobustnessSweep.Perturb(model, model.DrawAttackSample(seed + draws++), attack) };
    }
}
