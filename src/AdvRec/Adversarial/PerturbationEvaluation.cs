using System.Globalization;
using AdvRec.Evaluation;
using AdvRec.Models;

namespace AdvRec.Adversarial;

/// <summary>
/// Elliot's <c>eval_perturbations</c>: at one epoch, the model's metrics clean, under single-step (FGSM, "SSAP")
/// and under multi-step (MSAP) perturbations of the same budget. The attacks only build views of the model: nothing
/// leaks into training.
/// </summary>
public static class PerturbationEvaluation
{
    /// <summary>The table's column names for <paramref name="metrics"/>: Epoch, AdvEpoch, K, each metric, SSAP-each, MSAP-each.</summary>
    public static IReadOnlyList<string> Columns(IReadOnlyList<RankingMetric> metrics)
    {
        var names = metrics.Where(m => m.HasCutoff()).Select(m => m.Name()).ToList();
        return ["Epoch", "AdvEpoch", "K", .. names, .. names.Select(n => "SSAP-" + n), .. names.Select(n => "MSAP-" + n)];
    }

    /// <summary>
    /// One row per cutoff of <paramref name="evaluator"/>: <paramref name="epoch"/> (1-based),
    /// <paramref name="adversarialEpoch"/> (1-based within the APR phase, 0 before it), K, then the metrics clean,
    /// under FGSM and under MSAP with <paramref name="attack"/>'s budget and steps. Pass <paramref name="clean"/> when
    /// the model's clean result on <paramref name="evaluator"/> is already known.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Rows(IPerturbable model, RankingEvaluator evaluator, AttackOptions attack, int epoch, int adversarialEpoch,
        ulong seed, CancellationToken cancellationToken = default, EvaluationResult? clean = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(attack);
        var sample = model.DrawAttackSample(seed);
        clean ??= evaluator.Evaluate(model, null, cancellationToken);
        var fgsm = EvaluatePerturbed(model, Fgsm.Attack(model, sample, attack.Epsilon, attack.Targets), evaluator, cancellationToken);
        var msap = EvaluatePerturbed(model, Msap.Attack(model, sample, attack), evaluator, cancellationToken);
        var metrics = evaluator.Metrics.Where(m => m.HasCutoff()).ToList();
        var rows = new List<IReadOnlyList<string>>();
        foreach (int k in evaluator.Cutoffs)
        {
            var row = new List<string> { Invariant(epoch), Invariant(adversarialEpoch), Invariant(k) };
            foreach (var result in new[] { clean, fgsm, msap })
                row.AddRange(metrics.Select(m => result.Mean(m, k).ToString("G6", CultureInfo.InvariantCulture)));
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>
    /// Evaluates <paramref name="model"/> with <paramref name="delta"/> added, through a view that is disposed
    /// before returning (also on error or cancellation).
    /// </summary>
    public static EvaluationResult EvaluatePerturbed(IPerturbable model, Perturbation delta, RankingEvaluator evaluator, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(evaluator);
        using var view = model.WithPerturbation(delta);
        return evaluator.Evaluate(view, null, cancellationToken);
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
