using AdvRec.Adversarial;

namespace AdvRec.Experiments.Config;

/// <summary>
/// The attack of eval_perturbations as a study sets it: <c>eps</c>, <c>nb_iter</c>, <c>eps_iter</c> and <c>projection</c>
/// in <c>evaluation</c> (the same for every model) or in a model's <c>meta</c> (over evaluation's, key by key). A key not
/// written is null; the attack then takes <see cref="AttackOptions"/>' default for it, never the model's own
/// <c>eps</c> (a model's <c>eps</c> is its training budget).
/// </summary>
public sealed record AttackBudgetConfig
{
    /// <summary><c>eps</c>: the budget ε (&gt; 0; per-row L2, per element with <c>projection: linf_clip</c>); null = 0.5.</summary>
    public float? Epsilon { get; init; }

    /// <summary><c>nb_iter</c>: MSAP's steps (≥ 1); null = 1.</summary>
    public int? Steps { get; init; }

    /// <summary><c>eps_iter</c>: MSAP's step size (&gt; 0); null = 2.5·eps / nb_iter.</summary>
    public float? StepSize { get; init; }

    /// <summary><c>projection</c>: <c>l2_ball</c> or <c>linf_clip</c>, MSAP's projection; null = l2_ball.</summary>
    public Projection? Projection { get; init; }

    /// <summary>Where the keys were written (their section), for messages.</summary>
    public ConfigPosition Position { get; init; }

    /// <summary>These keys over <paramref name="under"/>'s: each key written here wins, the others are <paramref name="under"/>'s.</summary>
    public AttackBudgetConfig Over(AttackBudgetConfig? under) => under is null ? this : new()
    {
        Epsilon = Epsilon ?? under.Epsilon,
        Steps = Steps ?? under.Steps,
        StepSize = StepSize ?? under.StepSize,
        Projection = Projection ?? under.Projection,
        Position = Position,
    };

    /// <summary>The attack: the keys written, <see cref="AttackOptions"/>' defaults for the others, on <paramref name="targets"/> (null = all).</summary>
    public AttackOptions ToAttack(IReadOnlyList<string>? targets)
    {
        var defaults = new AttackOptions();
        return new AttackOptions
        {
            Epsilon = Epsilon ?? defaults.Epsilon,
            Steps = Steps ?? defaults.Steps,
            StepSize = StepSize,
            Projection = Projection ?? defaults.Projection,
            Targets = targets,
        };
    }
}
