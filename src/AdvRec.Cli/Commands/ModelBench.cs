using System.Diagnostics;
using AdvRec.Data;
using AdvRec.Evaluation;
using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Kernels;
using AdvRec.Models;
using AdvRec.Neural;

namespace AdvRec.Cli.Commands;

/// <summary>
/// <c>advrec bench --model NAME</c>: times any registered model (managed or neural) with its default options (or <c>--hp key=value</c> settings, as in a config's hyperparameters): the first
/// epoch (warm-up: JIT, allocation) apart, the median of the timed epochs (plain and adversarial epochs apart, with
/// their ratio, for a model with an adversarial schedule), and a full evaluation: RMSE and MAE for a
/// model that predicts ratings, else every ranking metric at 10, 20 and 100.
/// </summary>
internal static class ModelBench
{
    /// <summary>The options of <paramref name="definition"/>: its defaults with the <c>--hp key=value</c> settings bound as a config's hyperparameters.</summary>
    public static object Bind(ModelDefinition definition, IReadOnlyList<string> settings)
    {
        var values = new Dictionary<string, ConfigValue>();
        foreach (string setting in settings)
        {
            int eq = setting.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new ArgumentException($"--hp {setting}: expected key=value");
            values[setting[..eq].Trim()] = ConfigValue.Scalar(setting[(eq + 1)..].Trim(), new ConfigPosition("--hp", 1, 1));
        }
        return OptionsBinder.Bind(definition.Schema.Defaults, values, definition.Schema.Aliases);
    }

    /// <summary>Runs the timings and returns the figures, in the order to show them.</summary>
    public static Dictionary<string, double> Run(string name, Dataset data, int epochs, string? device, bool randomRatings, IReadOnlyList<string> settings,
        IProgress<ProgressUpdate>? progress, Action<string> log, CancellationToken ct)
    {
        var definition = NeuralRegistry.All.TryGetValue(name, out var found) ? found
            : throw new ArgumentException($"--model {name}: no such model ({string.Join(", ", NeuralRegistry.All.Keys)})");
        var train = randomRatings ? WithRandomRatings(data.Train, 1) : data.Train;
        var test = randomRatings ? WithRandomRatings(data.Test, 2) : data.Test;
        if (randomRatings) log("--random-ratings: every rating replaced by a seeded uniform 1..5 star (timing only; the metrics mean nothing)");

        var clock = Stopwatch.StartNew();
        var options = Bind(definition, settings);
        if (settings.Count > 0) log($"options: {string.Join(", ", settings)}");
        var model = definition.Create(options, new ModelContext(epochs + 1, train, data, log, device));
        double build = clock.Elapsed.TotalSeconds;
        try
        {
            double first = model.TrainEpoch(progress, ct).Seconds;
            // plain and adversarial epochs (a model with an adversarial schedule has both) are timed apart
            List<double> plain = [], adversarial = [];
            for (int e = 0; e < epochs; e++)
            {
                bool isAdversarial = model.NextEpochIsAdversarial;
                (isAdversarial ? adversarial : plain).Add(model.TrainEpoch(progress, ct).Seconds);
            }
            var times = plain.Concat(adversarial).ToList();

            bool ratings = model is IRatingPredictor && test.HasRatings;
            var evaluation = ratings
                ? new EvaluationOptions { Metrics = [RankingMetric.Rmse, RankingMetric.Mae], Cutoffs = [10] }
                : new EvaluationOptions { Cutoffs = [10, 20, 100] };
            var evaluator = new RankingEvaluator(train, test, evaluation);
            clock.Restart();
            var result = evaluator.Evaluate(model, progress, ct);
            double eval = clock.Elapsed.TotalSeconds;
            var figures = new Dictionary<string, double>
            {
                ["model_build_s"] = build,
                ["first_epoch_s"] = first,
                ["epoch_s"] = Median(plain.Count > 0 ? plain : adversarial),
                ["epoch_min_s"] = times.Min(),
                ["epoch_max_s"] = times.Max(),
            };
            if (adversarial.Count > 0 && plain.Count > 0)
            {
                figures["adversarial_epoch_s"] = Median(adversarial);
                figures["adversarial_epoch_ratio"] = Median(adversarial) / Median(plain);
                figures["adversarial_epochs_timed"] = adversarial.Count;
            }
            figures["eval_s"] = eval;
            foreach (var key in result.Keys) figures[key.ToString()] = result.Mean(key);
            figures["timed_epochs"] = epochs;
            figures["train_pairs"] = train.Count;
            figures["users"] = data.NumUsers;
            figures["items"] = data.NumItems;
            figures["threads"] = Environment.ProcessorCount;
            return figures;
        }
        finally
        {
            model.Dispose();
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static Interactions WithRandomRatings(Interactions data, ulong seed)
    {
        var rng = new Xoshiro(seed);
        var users = new int[data.Count];
        var items = data.ItemIndices.ToArray();
        var ratings = new float[data.Count];
        for (int u = 0; u < data.NumUsers; u++)
            for (int k = data.RowPointers[u]; k < data.RowPointers[u + 1]; k++)
            {
                users[k] = u;
                ratings[k] = 1 + rng.NextInt(5);
            }
        return Interactions.Build(data.NumUsers, data.NumItems, users, items, ratings);
    }
}
