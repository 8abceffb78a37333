using AdvRec.Models;

namespace AdvRec.Adversarial;

/// <summary>Settings shared by the attacks: the budget, the steps of a multi-step attack, the targets.</summary>
public sealed record AttackOptions
{
    /// <summary>Budget ε (per-row L2 norm; per element with <see cref="Projection.LinfClip"/>). Elliot's eps.</summary>
    public float Epsilon { get; init; } = 0.5f;

    /// <summary>Steps of a multi-step attack (Elliot's nb_iter); 1 is FGSM.</summary>
    public int Steps { get; init; } = 1;

    /// <summary>Step size (Elliot's eps_iter); null = 2.5·ε / <see cref="Steps"/>.</summary>
    public float? StepSize { get; init; }

    /// <summary>Projection back into the budget after each step.</summary>
    public Projection Projection { get; init; } = Projection.L2Ball;

    /// <summary>The perturbable targets to attack by name; null = all.</summary>
    public IReadOnlyList<string>? Targets { get; init; }

    /// <summary>The step size in use.</summary>
    public float EffectiveStepSize => StepSize ?? Msap.DefaultStepSize(Epsilon, Steps);

    /// <summary>Checks the values; the message names the offending one.</summary>
    public void Validate()
    {
        Perturbation.CheckBudget(Epsilon, "epsilon");
        if (Steps < 1) throw new ArgumentOutOfRangeException("nb_iter", Steps, "nb_iter must be >= 1");
        if (StepSize is { } s && (!(s > 0) || !float.IsFinite(s))) throw new ArgumentOutOfRangeException("eps_iter", s, "eps_iter must be a finite number > 0");
    }
}
