using AdvRec.Evaluation;
using AdvRec.Models;

namespace AdvRec.Adversarial;

/// <summary>One budget of a <see cref="RobustnessSweep"/>: the model's metrics under the attack and under random noise of the same per-row norms.</summary>
/// <param name="Epsilon">The budget ε.</param>
/// <param name="Attacked">Metrics under the attack.</param>
/// <param name="Random">Metrics under the random control.</param>
public sealed record RobustnessPoint(float Epsilon, EvaluationResult Attacked, EvaluationResult Random);

/// <summary>A model's robustness curve: clean metrics and, per ε, the attacked and random-control metrics.</summary>
/// <param name="Clean">Metrics without perturbation.</param>
/// <param name="Points">One entry per ε, in the order asked.</param>
public sealed record RobustnessCurve(EvaluationResult Clean, IReadOnlyList<RobustnessPoint> Points)
{
    /// <summary>Relative change (attacked − clean) / clean of <paramref name="key"/> at each ε, for the attack and the control.</summary>
    public IEnumerable<(float Epsilon, double Attack, double Random)> Changes(MetricKey key)
    {
        double clean = Clean.Mean(key);
        foreach (var p in Points)
            yield return (p.Epsilon, Change(clean, p.Attacked.Mean(key)), Change(clean, p.Random.Mean(key)));
    }

    private static double Change(double clean, double value) => clean == 0 ? 0 : (value - clean) / clean;
}

/// <summary>
/// Runs one attack at a list of budgets against a model, with the random-noise control of the same per-row norms
/// beside every point. The attack is FGSM when <see cref="AttackOptions.Steps"/> is 1 and no step size is set,
/// MSAP otherwise. Each budget draws the same loss sample, so the points differ only by ε.
/// </summary>
public static class RobustnessSweep
{
    /// <summary>
    /// Evaluates <paramref name="model"/> clean and at every ε of <paramref name="epsilons"/>. Pass
    /// <paramref name="clean"/> when the model's clean result on <paramref name="evaluator"/> is already known.
    /// </summary>
    public static RobustnessCurve Run(IPerturbable model, RankingEvaluator evaluator, IReadOnlyList<float> epsilons, AttackOptions attack, ulong seed,
        IProgress<ProgressUpdate>? progress = null, CancellationToken cancellationToken = default, EvaluationResult? clean = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(epsilons);
        ArgumentNullException.ThrowIfNull(attack);
        if (epsilons.Count == 0) throw new ArgumentException("the sweep needs at least one eps", nameof(epsilons));
        foreach (float eps in epsilons) (attack with { Epsilon = eps }).Validate();
        clean ??= evaluator.Evaluate(model, null, cancellationToken);
        var sample = model.DrawAttackSample(seed);
        var points = new List<RobustnessPoint>(epsilons.Count);
        for (int k = 0; k < epsilons.Count; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new ProgressUpdate("robustness sweep", k, epsilons.Count));
            var delta = Perturb(model, sample, attack with { Epsilon = epsilons[k] });
            var noise = RandomNoise.Like(delta, seed ^ (ulong)(k + 1) * 0x9E3779B97F4A7C15UL);
            points.Add(new RobustnessPoint(epsilons[k],
                PerturbationEvaluation.EvaluatePerturbed(model, delta, evaluator, cancellationToken),
                PerturbationEvaluation.EvaluatePerturbed(model, noise, evaluator, cancellationToken)));
        }
        progress?.Report(new ProgressUpdate("robustness sweep", epsilons.Count, epsilons.Count));
        return new RobustnessCurve(clean, points);
    }

    /// <summary>FGSM for a one-step attack without a step size, MSAP otherwise.</summary>
    public static Perturbation Perturb(IPerturbable model, ILossSample sample, AttackOptions attack) =>
        attack.Steps == 1 && attack.StepSize is null
            ? Fgsm.Attack(model, sample, attack.Epsilon, attack.Targets)
            : Msap.Attack(model, sample, attack);
}
