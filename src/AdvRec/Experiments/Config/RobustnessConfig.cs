using AdvRec.Adversarial;

namespace AdvRec.Experiments.Config;

/// <summary>
/// evaluation.robustness: the same attack at a list of budgets against the selected configuration of every model,
/// with random noise of the same per-row norms beside each point (the robustness curve).
/// </summary>
public sealed record RobustnessConfig
{
    // the attack keys take eval_perturbations' defaults (AttackOptions)
    private static readonly AttackOptions Defaults = new();

    /// <summary>eps: the budgets, each &gt; 0 (for example [0.1, 0.25, 0.5, 1, 2]).</summary>
    public IReadOnlyList<float> Epsilons { get; init; } = [];

    /// <summary>nb_iter: attack steps; 1 = FGSM, more = MSAP (default 1).</summary>
    public int Steps { get; init; } = Defaults.Steps;

    /// <summary>eps_iter: MSAP step size; null = 2.5·eps / nb_iter.</summary>
    public float? StepSize { get; init; }

    /// <summary>projection: l2_ball (default) or linf_clip, MSAP's projection.</summary>
    public Projection Projection { get; init; } = Defaults.Projection;

    /// <summary>targets: the perturbable tables to attack by name (for example [item_features]); null = all. Models without them are skipped.</summary>
    public IReadOnlyList<string>? Targets { get; init; }

    /// <summary>The attack at budget <paramref name="epsilon"/>.</summary>
    public AttackOptions Attack(float epsilon) => new() { Epsilon = epsilon, Steps = Steps, StepSize = StepSize, Projection = Projection, Targets = Targets };
}
