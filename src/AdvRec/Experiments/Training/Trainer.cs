using AdvRec.Adversarial;
using AdvRec.Evaluation;
using AdvRec.Models;

namespace AdvRec.Experiments.Training;

/// <summary>
/// Owns the training loop of an <see cref="IIterativeModel"/>: epochs, validation every N epochs, selection of the
/// best epoch on the validation split (never on the test split), early stopping, and Elliot's eval_perturbations.
/// At the end the model holds the selected epoch's weights.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="model"/>. With <paramref name="validation"/> null, no selection happens: the last
    /// epoch is kept and <see cref="TrainingHistory.SelectedOnValidation"/> says so. <paramref name="test"/> is
    /// used only for the eval_perturbations table.
    /// </summary>
    public static TrainingHistory Train(IIterativeModel model, TrainerOptions options, RankingEvaluator? validation, RankingEvaluator? test,
        IProgress<ProgressUpdate>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var monitor = options.Monitor ?? options.ValidationMetric;
        foreach (var key in new[] { options.ValidationMetric, monitor })
        {
            if (validation is not null && !validation.Keys.Contains(key))
                throw new ArgumentException($"the metric {key} is not among the evaluated metrics ({string.Join(", ", validation.Keys)})", nameof(options));
        }
        if (options.Patience is not null && validation is null && !options.MonitorLoss)
            throw new ArgumentException("early stopping on a validation metric needs a validation split", nameof(options));

        var epochs = new List<EpochRecord>();
        var validationRows = new List<IReadOnlyList<string>>();
        var testRows = new List<IReadOnlyList<string>>();
        double? best = null, bestMonitored = null;
        int bestEpoch = 0, sinceBest = 0, adversarialEpochs = 0;
        object? bestWeights = null;
        bool stoppedEarly = false;
        bool higherIsBetter = options.ValidationMetric.Metric.HigherIsBetter();

        for (int e = 1; e <= options.Epochs; e++)
        {
            bool adversarial = model.NextEpochIsAdversarial;
            var stats = model.TrainEpoch(progress, cancellationToken);
            if (adversarial) adversarialEpochs++;
            bool validate = e % options.ValidationRate == 0 || e == options.Epochs;
            double? value = null, monitored = null;
            EvaluationResult? validationResult = null;
            if (validate && validation is not null)
            {
                var result = validationResult = validation.Evaluate(model, null, cancellationToken);
                value = result.Mean(options.ValidationMetric);
                if (best is null || (higherIsBetter ? value > best : value < best))
                {
                    best = value;
                    bestEpoch = e;
                    bestWeights = model.TakeSnapshot();
                }
                if (!options.MonitorLoss) monitored = result.Mean(monitor);
            }
            if (validate && options.MonitorLoss) monitored = stats.Loss;
            if (monitored is { } m)
            {
                // the loss falls as training improves; a metric follows its own direction
                bool up = !options.MonitorLoss && monitor.Metric.HigherIsBetter();
                if (bestMonitored is null || (up ? m > bestMonitored : m < bestMonitored))
                {
                    bestMonitored = m;
                    sinceBest = 0;
                }
                else sinceBest++;
            }
            if (validate && options.EvalPerturbations)
            {
                ulong seed = options.Seed ^ (ulong)e;
                if (validation is not null) validationRows.AddRange(PerturbationEvaluation.Rows(model, validation, options.Attack, e, adversarialEpochs, seed, cancellationToken, validationResult));
                if (test is not null) testRows.AddRange(PerturbationEvaluation.Rows(model, test, options.Attack, e, adversarialEpochs, seed, cancellationToken));
            }
            epochs.Add(new EpochRecord(stats, adversarial, value));
            if (options.Patience is { } patience && sinceBest >= patience && e < options.Epochs)
            {
                stoppedEarly = true;
                break;
            }
        }

        if (validation is null) bestEpoch = epochs.Count;
        else if (bestWeights is not null && bestEpoch != epochs.Count) model.RestoreSnapshot(bestWeights);
        var columns = options.EvalPerturbations
            ? PerturbationEvaluation.Columns((validation ?? test)?.Metrics ?? [])
            : [];
        return new TrainingHistory(epochs, bestEpoch, best, validation is not null, stoppedEarly, columns, validationRows, testRows)
        {
            PerturbationAttack = options.EvalPerturbations ? options.Attack : null,
        };
    }
}
