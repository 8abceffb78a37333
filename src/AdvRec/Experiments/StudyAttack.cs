using System.Globalization;
using AdvRec.Adversarial;
using AdvRec.Experiments.Config;
using AdvRec.Models;

namespace AdvRec.Experiments;

/// <summary>Where the budget of a model's eval_perturbations attack came from, in order of precedence.</summary>
public enum AttackBudgetSource
{
    /// <summary>The model's <c>meta</c> (eps, nb_iter, eps_iter, projection), over <c>evaluation</c>'s key by key.</summary>
    Meta,

    /// <summary>The study's <c>evaluation</c> block: the same attack for every model.</summary>
    Evaluation,

    /// <summary>The study sets none: the model's own Elliot keys (<c>eps</c>, <c>nb_iter</c>, <c>eps_iter</c>), Elliot's behaviour.</summary>
    ModelOptions,

    /// <summary>The study sets none and the model's attack reads none of its options (BPR-MF has no <c>eps</c>): <see cref="AttackOptions"/>' defaults.</summary>
    Default,
}

/// <summary>
/// The attack of one model's eval_perturbations in a study and where its budget came from. The attack belongs to the
/// study: <c>evaluation</c>'s <c>eps</c>, <c>nb_iter</c>, <c>eps_iter</c> and <c>projection</c> (a model's <c>meta</c>
/// may override them key by key); keys the study does not write take <see cref="AttackOptions"/>' defaults. Only when
/// the study writes none does a model fall back to its own Elliot keys (AMF's <c>eps</c> is then both its training
/// budget and its attack's, as in Elliot), or to the defaults. The targets are always the model's (VBPR and AMR attack
/// their item features).
/// </summary>
/// <param name="Attack">The attack eval_perturbations runs.</param>
/// <param name="Source">Where its budget came from.</param>
/// <param name="Origin">The same in words, for run.log and the report (such as <c>evaluation (the study's budget)</c>).</param>
public sealed record StudyAttack(AttackOptions Attack, AttackBudgetSource Source, string Origin)
{
    /// <summary>The attack of <paramref name="model"/>'s eval_perturbations for one grid point's bound <paramref name="options"/>.</summary>
    public static StudyAttack Resolve(EvaluationConfig evaluation, ModelConfig model, ModelDefinition definition, object options)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(definition);
        var own = definition.Attack(options);
        if (model.Meta.Attack is { } meta)
        {
            return new StudyAttack(meta.Over(evaluation.Attack).ToAttack(own.Targets), AttackBudgetSource.Meta,
                evaluation.Attack is null ? $"models.{model.Name}.meta" : $"models.{model.Name}.meta over evaluation");
        }
        if (evaluation.Attack is { } study)
            return new StudyAttack(study.ToAttack(own.Targets), AttackBudgetSource.Evaluation, "evaluation (the study's budget)");
        return options is IElliotAttackOptions
            ? new StudyAttack(own, AttackBudgetSource.ModelOptions, $"{model.Name}'s own eps, nb_iter, eps_iter (Elliot's keys: the study sets no attack budget)")
            : new StudyAttack(own, AttackBudgetSource.Default, $"the defaults (the study sets no attack budget and {model.Name}'s attack takes none of its options)");
    }

    /// <summary>The budget alone (ε, steps, step size, projection), to compare the attacks of two tables.</summary>
    public (float Epsilon, int Steps, float StepSize, Projection Projection) Budget =>
        (Attack.Epsilon, Attack.Steps, Attack.EffectiveStepSize, Attack.Projection);

    /// <summary>The attack in the config's words, such as <c>eps 0.5, nb_iter 5, eps_iter 0.25 (2.5·eps/nb_iter), projection l2_ball</c>.</summary>
    public string Settings => Describe(Attack);

    /// <summary><paramref name="attack"/> in the config's words: eps, nb_iter, eps_iter (and whether it is the default), projection, targets.</summary>
    public static string Describe(AttackOptions attack)
    {
        ArgumentNullException.ThrowIfNull(attack);
        string text = $"eps {Number(attack.Epsilon)}, nb_iter {attack.Steps}, eps_iter {Number(attack.EffectiveStepSize)}" +
            (attack.StepSize is null ? " (2.5·eps/nb_iter)" : "") + $", projection {ConfigConvert.SnakeCase(attack.Projection.ToString())}";
        return attack.Targets is { } targets ? text + $", targets {string.Join(", ", targets)}" : text;
    }

    internal static string Number(float value) => ((double)(decimal)value).ToString("0.######", CultureInfo.InvariantCulture);
}
