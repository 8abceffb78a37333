using AdvRec.Kernels;
using AdvRec.Models;

namespace AdvRec.Adversarial;

/// <summary>
/// Multi-step adversarial perturbation (MSAP; projected gradient ascent, PROTOCOLS §3): from Δ = 0, repeat
/// <see cref="AttackOptions.Steps"/> times: take the gradient of the model's plain loss at θ + Δ, step
/// <c>eps_iter · g/‖g‖</c> per row, project back into the budget. Costs exactly one full gradient pass per step.
/// With one step and a step size of ε it is FGSM.
/// </summary>
public static class Msap
{
    /// <summary>Builds the perturbation for <paramref name="model"/> over <paramref name="sample"/>. The model is not modified.</summary>
    public static Perturbation Attack(IPerturbable model, ILossSample sample, AttackOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var delta = new Perturbation(model.PerturbationTargets);
        if (options.Targets is not null) delta.Restrict(options.Targets);
        var gradient = delta.EmptyLike();
        var step = delta.EmptyLike();
        for (int it = 0; it < options.Steps; it++)
        {
            model.LossGradient(sample, it == 0 ? null : delta, gradient);
            Fgsm.NormalizeRows(gradient, step, options.EffectiveStepSize);
            for (int t = 0; t < delta.Targets.Count; t++)
            {
                if (!delta.IsActive(t)) continue;
                FactorKernels.AddScaled(delta.Table(t), step.Table(t), 1f);
                Project(delta, t, options.Epsilon, options.Projection);
            }
        }
        return delta;
    }

    /// <summary>MSAP's default step size for <paramref name="steps"/> steps in budget <paramref name="epsilon"/>: 2.5·ε / steps.</summary>
    public static float DefaultStepSize(float epsilon, int steps) => 2.5f * epsilon / steps;

    /// <summary>Projects every row of target <paramref name="target"/> back into the budget.</summary>
    public static void Project(Perturbation delta, int target, float epsilon, Projection projection)
    {
        if (projection == Projection.LinfClip)
        {
            System.Numerics.Tensors.TensorPrimitives.Clamp(delta.Table(target), -epsilon, epsilon, delta.Table(target));
            return;
        }
        for (int r = 0; r < delta.Targets[target].Rows; r++)
        {
            FactorKernels.ClipToNorm(delta.Row(target, r), epsilon);
        }
    }
}
