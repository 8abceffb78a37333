using System.Diagnostics;
using AdvRec.Adversarial;
using AdvRec.Data;
using AdvRec.Evaluation;
using AdvRec.Models;
using AdvRec.Models.Factorization;

namespace AdvRec.Experiments;

/// <summary>Settings of the classic hands-on experiment (PROTOCOLS §1). Defaults follow the notebook.</summary>
public sealed record HandsOnOptions
{
    /// <summary>Plain BPR-MF epochs (notebook: 5).</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>APR epochs that continue from the trained BPR-MF with the same optimizer state (notebook: 1).</summary>
    public int AdversarialEpochs { get; init; } = 1;

    /// <summary>Attack and APR budget ε, per-row L2 norm (notebook: 0.5).</summary>
    public float Epsilon { get; init; } = 0.5f;

    /// <summary>Weight λ of the adversarial loss in APR (notebook: 1).</summary>
    public float Lambda { get; init; } = 1f;

    /// <summary>Cutoff K of HR@K and nDCG@K (notebook: 100).</summary>
    public int Cutoff { get; init; } = 100;

    /// <summary>Where APR's Δ comes from (notebook: all training pairs, rebuilt before every batch).</summary>
    public DeltaSource AprDelta { get; init; } = DeltaSource.AllPairs;

    /// <summary>Seed of every random choice in the run.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>The BPR-MF hyperparameters (notebook: 64 factors, Adagrad lr 0.05, batch 512, no L2, init std 0.01).</summary>
    public BprMfOptions Model { get; init; } = new();

    /// <summary>Checks the settings; the message names the offending option.</summary>
    public void Validate(int numItems)
    {
        if (Epochs < 0) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "epochs must be >= 0");
        if (AdversarialEpochs < 0) throw new ArgumentOutOfRangeException(nameof(AdversarialEpochs), AdversarialEpochs, "adversarial epochs must be >= 0");
        Perturbation.CheckBudget(Epsilon, "eps");
        if (!(Lambda >= 0) || !float.IsFinite(Lambda)) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "lambda must be >= 0");
        if (Cutoff < 1 || Cutoff > numItems)
            throw new ArgumentOutOfRangeException("cutoff", Cutoff, $"cutoff {Cutoff} must be between 1 and the catalogue size ({numItems} items)");
        Model.Validate();
    }
}

/// <summary>One line of the hands-on table: a model, an attack, its metrics and how long the phase took.</summary>
/// <param name="Model">"BPR-MF" or "APR".</param>
/// <param name="Attack">"none", "FGSM" or "random".</param>
/// <param name="Epsilon">The attack budget (0 for "none").</param>
/// <param name="HitRate">HR@K.</param>
/// <param name="Ndcg">nDCG@K.</param>
/// <param name="Auc">AUC.</param>
/// <param name="Seconds">Wall-clock seconds of the phase (training for clean rows, attack plus evaluation otherwise).</param>
/// <param name="Clean">The clean row of the same model (null for a clean row), for relative drops.</param>
public sealed record HandsOnRow(string Model, string Attack, float Epsilon, double HitRate, double Ndcg, double Auc, double Seconds, HandsOnRow? Clean)
{
    /// <summary>Relative change of a metric against the model's clean row, (attacked − clean) / clean; null for clean rows.</summary>
    public double? Change(Func<HandsOnRow, double> metric) =>
        Clean is null || metric(Clean) == 0 ? null : (metric(this) - metric(Clean)) / metric(Clean);
}

/// <summary>The outcome of <see cref="HandsOnExperiment.Run"/>.</summary>
/// <param name="Dataset">Name of the data.</param>
/// <param name="DatasetDescription">What the data is (says "synthetic" for generated data).</param>
/// <param name="Cutoff">K of HR@K and nDCG@K.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="UsersEvaluated">Users with a test item who were ranked.</param>
/// <param name="Rows">BPR-MF clean, FGSM, random; then APR clean, FGSM, random (only when APR epochs ran).</param>
public sealed record HandsOnResult(string Dataset, string DatasetDescription, int Cutoff, ulong Seed, int UsersEvaluated, IReadOnlyList<HandsOnRow> Rows);

/// <summary>
/// The classic experiment of adversarial recommendation (PROTOCOLS §1): train BPR-MF, attack its embeddings
/// with FGSM (and with random noise of the same per-row norms, the control), continue training with APR, and
/// attack again. Full-ranking evaluation of HR@K, nDCG@K and AUC, ties counted against the model.
/// </summary>
public static class HandsOnExperiment
{
    /// <summary>Runs the experiment on <paramref name="data"/>.</summary>
    public static HandsOnResult Run(Dataset data, HandsOnOptions options, IProgress<ProgressUpdate>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(data.NumItems);
        using var model = new BprMf(options.Model with { Seed = options.Seed }, data.Train);
        var evalOptions = new EvaluationOptions
        {
            Cutoffs = [options.Cutoff],
            Metrics = [RankingMetric.HitRate, RankingMetric.Ndcg, RankingMetric.Auc],
        };
        var rows = new List<HandsOnRow>();
        int usersEvaluated = 0;

        var clock = Stopwatch.StartNew();
        for (int e = 0; e < options.Epochs; e++)
            model.TrainEpoch(null, progress, cancellationToken);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        AddModelRows("BPR-MF", trainSeconds, attackSeed: 1);

        if (options.AdversarialEpochs > 0)
        {
            clock.Restart();
            var apr = AdversarialTraining.Step(model, options.Epsilon, options.Lambda, options.AprDelta, options.Seed ^ 0x5EED);
            for (int e = 0; e < options.AdversarialEpochs; e++)
                model.TrainEpoch(apr, progress, cancellationToken);
            AddModelRows("APR", clock.Elapsed.TotalSeconds, attackSeed: 2);
        }

        return new HandsOnResult(data.Name, data.Description, options.Cutoff, options.Seed, usersEvaluated, rows);

        void AddModelRows(string name, double seconds, ulong attackSeed)
        {
            var clean = Evaluate(model, $"evaluate {name}");
            usersEvaluated = clean.UsersEvaluated;
            var cleanRow = Row(name, "none", 0f, clean, seconds, null);
            rows.Add(cleanRow);

            var sw = Stopwatch.StartNew();
            var delta = Fgsm.Attack(model, model.DrawAttackSample(options.Seed ^ attackSeed), options.Epsilon);
            rows.Add(Row(name, "FGSM", options.Epsilon, EvaluatePerturbed(delta, $"evaluate {name} + FGSM"), sw.Elapsed.TotalSeconds, cleanRow));

            sw.Restart();
            var noise = RandomNoise.Like(delta, options.Seed ^ (attackSeed << 8));
            rows.Add(Row(name, "random", options.Epsilon, EvaluatePerturbed(noise, $"evaluate {name} + random"), sw.Elapsed.TotalSeconds, cleanRow));
        }

        EvaluationResult Evaluate(IRecommender recommender, string task) =>
            RankingEvaluator.Evaluate(recommender, data.Train, data.Test, evalOptions, progress is null ? null : new Relabel(progress, task), cancellationToken);

        EvaluationResult EvaluatePerturbed(Perturbation perturbation, string task)
        {
            using var view = model.WithPerturbation(perturbation);
            return Evaluate(view, task);
        }

        HandsOnRow Row(string name, string attack, float eps, EvaluationResult r, double seconds, HandsOnRow? clean) =>
            new(name, attack, eps, r.Mean(RankingMetric.HitRate, options.Cutoff), r.Mean(RankingMetric.Ndcg, options.Cutoff), r.Mean(RankingMetric.Auc), seconds, clean);
    }

    // Gives the evaluator's progress the phase's name.
    private sealed class Relabel(IProgress<ProgressUpdate> inner, string task) : IProgress<ProgressUpdate>
    {
        public void Report(ProgressUpdate value) => inner.Report(value with { Task = task });
    }
}
