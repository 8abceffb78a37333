using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using AdvRec.Adversarial;
using AdvRec.Data;
using AdvRec.Data.Features;
using AdvRec.Evaluation;
using AdvRec.IO;
using AdvRec.Kernels;
using AdvRec.Models;
using AdvRec.Neural;
using AdvRec.Models.Factorization;
using AdvRec.Neural.Autoencoders;
using AdvRec.Neural.Graph;
using Spectre.Console;

namespace AdvRec.Cli.Commands;

/// <summary>
/// <c>advrec bench</c>: times BPR-MF epochs (the fastest path, per-triple SGD, and the paper's Adagrad on
/// batches of 512), APR epochs, the full-data FGSM attack and a full evaluation (all users, K = 100, all
/// metrics) on real data, and reports the peak working set. With <c>--model EASE</c> it times EASE's closed-form fit
/// and the same full evaluation instead.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var train = new Option<FileInfo>("--train") { Description = "Training file (any format the data layer reads).", Required = true };
        var test = new Option<FileInfo?>("--test") { Description = "Test file; without it one random item per user is held out of --train." };
        var format = new Option<DataFormat>("--format") { Description = "Input format: Auto (told from the first lines of each file, and printed), Delimited, MovieLens or Adjacency.", DefaultValueFactory = _ => DataFormat.Auto };
        var factors = new Option<int>("--factors") { Description = "Embedding size.", DefaultValueFactory = _ => 64 };
        var epochs = new Option<int>("--epochs") { Description = "Timed epochs per measurement (the median is reported).", DefaultValueFactory = _ => 5 };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the figures as JSON to this file." };
        var featureDim = new Option<int>("--feature-dim") { Description = "Length of the seeded random item features attached for the VBPR and AMR epochs; 0 skips them.", DefaultValueFactory = _ => 64 };
        var model = new Option<string?>("--model") { Description = "Time this registered model instead of the factorization figures: EASE (fit), LightGCN (each engine) or any other (epochs and a full evaluation; RMSE/MAE for rating models)." };
        var device = new Option<string?>("--device") { Description = $"Device of a neural --model ({AdvRec.Neural.TorchDevices.Choices}; default cpu)." };
        var randomRatings = new Option<bool>("--random-ratings") { Description = "Replace every rating with a seeded random 1..5 star, to time a rating model on implicit data (the metrics then mean nothing)." };
        var hp = new Option<string[]>("--hp") { Description = "A hyperparameter of --model as key=value (config names, e.g. hidden=500); repeatable.", AllowMultipleArgumentsPerToken = false };
        var layers = new Option<int>("--layers") { Description = "LightGCN: propagation layers.", DefaultValueFactory = _ => 2 };
        var engine = new Option<string>("--engine") { Description = "LightGCN: managed, torch, auto or both.", DefaultValueFactory = _ => "both" };
        var threads = new Option<int>("--threads") { Description = $"libtorch intra-op threads for {string.Join(", ", NeuralBench.Models)} (0 = libtorch's default).", DefaultValueFactory = _ => 0 };
        var command = new Command("bench", "Time training, attack and evaluation on real data.") { train, test, format, factors, epochs, json, featureDim, model, device, randomRatings, hp, layers, engine, threads };
        command.SetAction((parse, cancellationToken) =>
        {
            string? name = parse.GetValue(model);
            string dev = parse.GetValue(device) ?? "cpu";
            if (name is not null && name.Equals(LightGcn.ModelName, StringComparison.OrdinalIgnoreCase))
                return Task.FromResult(RunLightGcn(console, parse.GetValue(train)!, parse.GetValue(test), parse.GetValue(format), parse.GetValue(factors), parse.GetValue(epochs),
                    parse.GetValue(layers), parse.GetValue(engine)!, dev, parse.GetValue(json), cancellationToken));
            return Task.FromResult(Run(console, parse.GetValue(train)!, parse.GetValue(test), parse.GetValue(format), parse.GetValue(factors), parse.GetValue(epochs),
                parse.GetValue(json), parse.GetValue(featureDim), name, dev, parse.GetValue(randomRatings), parse.GetValue(hp) ?? [], parse.GetValue(threads), cancellationToken));
        });
        return command;
    }

    private static int Run(IAnsiConsole console, FileInfo trainFile, FileInfo? testFile, DataFormat format, int factors, int epochs, FileInfo? json, int featureDim,
        string? modelName, string device, bool randomRatings, string[] settings, int threads, CancellationToken ct)
    {
        if (threads < 0) throw new ArgumentOutOfRangeException("--threads", threads, "must be >= 0 (0 = libtorch's default)");
        if (epochs < 1) throw new ArgumentOutOfRangeException("--epochs", epochs, "must be >= 1");
        if (featureDim < 0) throw new ArgumentOutOfRangeException("--feature-dim", featureDim, "must be >= 0");
        var read = new ReadOptions { Format = format };
        var loadClock = Stopwatch.StartNew();
        var data = testFile is null
            ? DatasetLoader.LoadAndSplit(trainFile.FullName, Splitter.LeaveOneOut(byTime: false), read, seed: 1)
            : DatasetLoader.LoadFixed(trainFile.FullName, testFile.FullName, null, read);
        double loadSeconds = loadClock.Elapsed.TotalSeconds;
        DataSummary.Write(console, data);
        if (modelName is not null && modelName.Equals(Ease.ModelName, StringComparison.OrdinalIgnoreCase))
            return Write(console, json, BenchEase(console, data, device, settings, epochs, loadSeconds, ct));
        if (modelName is not null && settings.Length == 0 && NeuralBench.Models.Contains(modelName.ToLowerInvariant()))
        {
            // the autoencoders with their defaults (with --hp settings they take the generic path below): epochs after a
            // warm-up with their CPU time, under a chosen libtorch thread count
            console.MarkupLineInterpolated($"{Environment.ProcessorCount} cores; {modelName} with its paper's defaults on {device}: medians of {epochs} epochs after one warm-up, full evaluation");
            var neural = ConsoleProgress.Run(console, progress => NeuralBench.Run(modelName.ToLowerInvariant(), data, device, threads, epochs, progress, ct));
            neural["load_s"] = loadSeconds;
            neural["train_pairs"] = data.Train.Count;
            neural["peak_working_set_mb"] = PeakWorkingSetMb();
            return Write(console, json, neural);
        }
        if (modelName is not null)
        {
            console.MarkupLineInterpolated($"{Environment.ProcessorCount} cores; {modelName} with its default options{(settings.Length > 0 ? " and " + string.Join(", ", settings) : "")}: first epoch apart, median of {epochs} epochs, one full evaluation");
            var modelFigures = ConsoleProgress.Run(console, progress =>
                ModelBench.Run(modelName, data, epochs, device, randomRatings, settings, progress, line => console.MarkupLineInterpolated($"{line}"), ct));
            modelFigures["load_s"] = loadSeconds;
            return Write(console, json, modelFigures);
        }
        var options = new BprMfOptions { Factors = factors };
        console.MarkupLineInterpolated($"{Environment.ProcessorCount} cores; BPR-MF {factors} factors: bpr_epoch_s per-triple SGD; bpr_epoch_adagrad512_s and apr_epoch_s Adagrad, batch {options.BatchSize}; eps 0.5; medians of {epochs} epochs");

        var figures = ConsoleProgress.Run(console, progress =>
        {
            // bpr_epoch_s: the fastest path (per-triple SGD), the one comparable with cornac's and implicit's BPR
            using var sgd = new BprMf(options with { Optimizer = OptimizerKind.Sgd, BatchSize = 1, LearningRate = 0.01f }, data.Train);
            sgd.TrainEpoch(null, null, ct); // warm-up: JIT and buffers
            double sgdEpoch = Median(epochs, () => sgd.TrainEpoch(null, progress, ct).Seconds);

            // the paper's recipe (the default options): Adagrad on mini-batches of 512, then APR on top of it
            using var model = new BprMf(options, data.Train);
            model.TrainEpoch(null, null, ct);
            double adagrad = Median(epochs, () => model.TrainEpoch(null, progress, ct).Seconds);
            var apr = AdversarialTraining.Step(model, 0.5f, 1f, DeltaSource.Batch, 7);
            model.TrainEpoch(apr, null, ct);
            double aprEpoch = Median(epochs, () => model.TrainEpoch(apr, progress, ct).Seconds);
            double fgsm = Median(3, () => Time(() => Fgsm.Attack(model, model.DrawAttackSample(3), 0.5f)));
            var evalOptions = new EvaluationOptions { Cutoffs = [100] };
            RankingEvaluator.Evaluate(model, data.Train, data.Test, evalOptions, null, ct);
            double eval = Median(3, () => Time(() => RankingEvaluator.Evaluate(model, data.Train, data.Test, evalOptions, progress, ct)));
            var figures = new Dictionary<string, double>
            {
                ["bpr_epoch_s"] = sgdEpoch,
                ["apr_epoch_s"] = aprEpoch,
                ["fgsm_s"] = fgsm,
                ["eval_s"] = eval,
                ["peak_working_set_mb"] = PeakWorkingSetMb(),
                ["bpr_epoch_adagrad512_s"] = adagrad,
                ["apr_to_bpr_adagrad512"] = Math.Round(aprEpoch / adagrad, 2),
                ["load_s"] = loadSeconds,
                ["train_pairs"] = data.Train.Count,
                ["users"] = data.NumUsers,
                ["items"] = data.NumItems,
                ["threads"] = Environment.ProcessorCount,
            };
            if (featureDim > 0)
            {
                // VBPR and AMR (Elliot's defaults but the factors: Adam, factors_d 20, batch 512) on seeded random features
                var rng = new Xoshiro(5);
                var values = new float[data.NumItems * featureDim];
                for (int k = 0; k < values.Length; k++) values[k] = (float)rng.NextGaussian();
                var features = ItemFeatures.FromAligned($"random {featureDim}-d features", values, data.NumItems, featureDim);
                using var vbpr = new Vbpr(new VbprOptions { Factors = factors }, data.Train, features);
                vbpr.TrainEpoch(null, ct);
                double vbprEpoch = Median(epochs, () => vbpr.TrainEpoch(progress, ct).Seconds);
                var amrStep = new AdversarialStep(0.1f, 1f);
                double amrPerSample = Median(epochs, () => vbpr.TrainEpoch(amrStep, FeatureDeltaScope.PerSample, progress, ct).Seconds);
                double amrPerItem = Median(epochs, () => vbpr.TrainEpoch(amrStep, FeatureDeltaScope.PerItem, progress, ct).Seconds);
                figures["feature_dim"] = featureDim;
                figures["vbpr_epoch_s"] = vbprEpoch;
                figures["amr_epoch_s"] = amrPerSample;
                figures["amr_per_item_epoch_s"] = amrPerItem;
                figures["vbpr_to_bpr_adagrad512"] = Math.Round(vbprEpoch / adagrad, 2);
                figures["amr_to_vbpr"] = Math.Round(amrPerSample / vbprEpoch, 2);
                figures["amr_per_item_to_vbpr"] = Math.Round(amrPerItem / vbprEpoch, 2);
                figures["peak_working_set_mb"] = PeakWorkingSetMb();
            }
            return figures;
        });

        return Write(console, json, figures);
    }

    // EASE: the closed-form fit (a fresh model each time; the first fit is a warm-up) and a full evaluation of the fitted
    // model. ease_fit_peak_mb is the peak working set of one fit after the warm-up over the working set before it, with
    // the kernel's peak counter reset first (Linux: /proc/self/clear_refs); -1 where that counter cannot be reset.
    private static Dictionary<string, double> BenchEase(IAnsiConsole console, Dataset data, string device, string[] settings, int runs, double loadSeconds, CancellationToken ct)
    {
        var options = (EaseOptions)ModelBench.Bind(NeuralRegistry.All[Ease.ModelName], settings) with { Device = device };
        string precision = options.Precision == EasePrecision.Float32 ? "float32" : "float64";
        console.MarkupLineInterpolated($"{Environment.ProcessorCount} cores; EASE lambda {options.Lambda}, device {device}, solver {options.Solver.ToString().ToLowerInvariant()}: ease_fit_s = Gram matrix + {precision} Cholesky and inverse + weights; medians of {runs} fits after one warm-up");
        return ConsoleProgress.Run(console, progress =>
        {
            using (var warm = new Ease(options, data.Train, line => console.MarkupLineInterpolated($"[grey]{line}[/]"))) warm.TrainEpoch(null, ct);
            double fitPeak = -1;
            if (ResetPeakWorkingSet())
            {
                double before = WorkingSetMb(peak: false);
                using var measured = new Ease(options, data.Train);
                measured.TrainEpoch(null, ct);
                fitPeak = WorkingSetMb(peak: true) - before;
            }
            double fit = Median(runs, () =>
            {
                using var m = new Ease(options, data.Train, line => console.MarkupLineInterpolated($"[grey]{line}[/]"));
                return m.TrainEpoch(progress, ct).Seconds;
            });
            using var model = new Ease(options, data.Train);
            model.TrainEpoch(null, ct);
            var evalOptions = new EvaluationOptions { Cutoffs = [100] };
            RankingEvaluator.Evaluate(model, data.Train, data.Test, evalOptions, null, ct);
            double eval = Median(3, () => Time(() => RankingEvaluator.Evaluate(model, data.Train, data.Test, evalOptions, progress, ct)));
            return new Dictionary<string, double>
            {
                ["ease_fit_s"] = fit,
                ["eval_s"] = eval,
                ["ease_fit_peak_mb"] = Math.Round(fitPeak, 1),
                ["items2_float64_mb"] = Math.Round((double)data.NumItems * data.NumItems * 8 / (1024.0 * 1024.0), 1),
                ["peak_working_set_mb"] = PeakWorkingSetMb(),
                ["load_s"] = loadSeconds,
                ["train_pairs"] = data.Train.Count,
                ["users"] = data.NumUsers,
                ["items"] = data.NumItems,
                ["threads"] = Environment.ProcessorCount,
            };
        });
    }

    private static int Write(IAnsiConsole console, FileInfo? json, Dictionary<string, double> figures)
    {
        var table = new Table().AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
        foreach (var (key, value) in figures) table.AddRow(key, value.ToString(value >= 100 ? "N0" : "0.0000", System.Globalization.CultureInfo.InvariantCulture));
        console.Write(table);
        if (json is not null)
        {
            AtomicFile.Write(json.FullName, s => JsonSerializer.Serialize(s, figures, new JsonSerializerOptions { WriteIndented = true }));
            console.MarkupLineInterpolated($"wrote [green]{json.FullName}[/]");
        }
        return 0;
    }

    // LightGCN: the epoch (batch 2048, the paper's options otherwise) on each engine asked for, its CPU time over
    // all threads (a figure that other load on the machine disturbs less than the wall time), and the full
    // evaluation at K = 20 after the timed epochs (Recall@20 and nDCG@20 in the JSON, as a sanity check).
    private static int RunLightGcn(IAnsiConsole console, FileInfo trainFile, FileInfo? testFile, DataFormat format, int factors, int epochs, int layers,
        string engines, string device, FileInfo? json, CancellationToken ct)
    {
        if (epochs < 1) throw new ArgumentOutOfRangeException("--epochs", epochs, "must be >= 1");
        var read = new ReadOptions { Format = format };
        var data = testFile is null
            ? DatasetLoader.LoadAndSplit(trainFile.FullName, Splitter.LeaveOneOut(byTime: false), read, seed: 1)
            : DatasetLoader.LoadFixed(trainFile.FullName, testFile.FullName, null, read);
        DataSummary.Write(console, data);
        var chosen = engines.ToLowerInvariant() switch
        {
            "both" => new[] { GraphEngine.Managed, GraphEngine.Torch },
            "managed" => [GraphEngine.Managed],
            "torch" => [GraphEngine.Torch],
            "auto" => [GraphEngine.Auto],
            _ => throw new ArgumentException($"--engine '{engines}': expected managed, torch, auto or both"),
        };
        console.MarkupLineInterpolated($"{Environment.ProcessorCount} cores; LightGCN {factors} factors, {layers} layers, batch 2048; each epoch timed ({epochs} per engine)");
        var figures = new Dictionary<string, double>();
        ConsoleProgress.Run(console, progress =>
        {
            foreach (var e in chosen)
            {
                string key = e.ToString().ToLowerInvariant();
                using var model = new LightGcn(new LightGcnOptions { Factors = factors, Layers = layers, Engine = e, Device = device }, data.Train,
                    line => console.MarkupLineInterpolated($"[grey]{line}[/]"));
                var times = new List<double>();
                var cpuTimes = new List<double>();
                using var self = Process.GetCurrentProcess();
                for (int k = 0; k < epochs; k++)
                {
                    self.Refresh();
                    var cpuBefore = self.TotalProcessorTime;
                    times.Add(model.TrainEpoch(progress, ct).Seconds);
                    self.Refresh();
                    cpuTimes.Add((self.TotalProcessorTime - cpuBefore).TotalSeconds);
                    console.MarkupLineInterpolated($"{key}: epoch {k + 1}: {times[^1]:0.000} s wall, {cpuTimes[^1]:0.000} s CPU (all threads)");
                }
                figures[$"lightgcn_{key}_epoch_cpu_s"] = cpuTimes.Order().ElementAt(cpuTimes.Count / 2);
                var sorted = times.Order().ToArray();
                figures[$"lightgcn_{key}_epoch_s"] = sorted[sorted.Length / 2];
                figures[$"lightgcn_{key}_epoch_min_s"] = sorted[0];
                figures[$"lightgcn_{key}_epoch_max_s"] = sorted[^1];
                var evalClock = Stopwatch.StartNew();
                var result = RankingEvaluator.Evaluate(model, data.Train, data.Test, new EvaluationOptions { Cutoffs = [20], Metrics = [RankingMetric.Recall, RankingMetric.Ndcg] }, progress, ct);
                figures[$"lightgcn_{key}_eval_s"] = evalClock.Elapsed.TotalSeconds;
                figures[$"lightgcn_{key}_recall20"] = result.Mean(RankingMetric.Recall, 20);
                figures[$"lightgcn_{key}_ndcg20"] = result.Mean(RankingMetric.Ndcg, 20);
            }
            figures["train_pairs"] = data.Train.Count;
            figures["threads"] = Environment.ProcessorCount;
            figures["peak_working_set_mb"] = PeakWorkingSetMb();
            return 0;
        });
        var table = new Table().AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
        foreach (var (key, value) in figures) table.AddRow(key, value.ToString(value >= 100 ? "N0" : "0.0000", System.Globalization.CultureInfo.InvariantCulture));
        console.Write(table);
        if (json is not null)
        {
            AtomicFile.Write(json.FullName, s => JsonSerializer.Serialize(s, figures, new JsonSerializerOptions { WriteIndented = true }));
            console.MarkupLineInterpolated($"wrote [green]{json.FullName}[/]");
        }
        return 0;
    }

    private static double Time(Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed.TotalSeconds;
    }

    private static double Median(int runs, Func<double> measure)
    {
        var times = new double[runs];
        for (int r = 0; r < runs; r++) times[r] = measure();
        Array.Sort(times);
        return runs % 2 == 1 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
    }

    // The peak resident set of this process (VmHWM on Linux), in MB.
    // Collects the garbage and resets the process's peak resident set (Linux's VmHWM, which PeakWorkingSet64 reads).
    private static bool ResetPeakWorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    private static double PeakWorkingSetMb() => Math.Round(WorkingSetMb(peak: true), 1);

    private static double WorkingSetMb(bool peak)
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return (peak ? process.PeakWorkingSet64 : process.WorkingSet64) / (1024.0 * 1024.0);
    }
}
