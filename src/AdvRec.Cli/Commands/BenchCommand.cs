using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using AdvRec.Adversarial;
using AdvRec.Data;
using AdvRec.Evaluation;
using AdvRec.IO;
using AdvRec.Models;
using AdvRec.Models.Factorization;
using Spectre.Console;

namespace AdvRec.Cli.Commands;

/// <summary>
/// <c>advrec bench</c>: times BPR-MF epochs (the fastest path, per-triple SGD, and the paper's Adagrad on
/// batches of 512), APR epochs, the full-data FGSM attack and a full evaluation (all users, K = 100, all
/// metrics) on real data, and reports the peak working set.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var train = new Option<FileInfo>("--train") { Description = "Training file (any format the data layer reads).", Required = true };
        var test = new Option<FileInfo?>("--test") { Description = "Test file; without it one random item per user is held out of --train." };
        var format = new Option<DataFormat>("--format") { Description = "Input format.", DefaultValueFactory = _ => DataFormat.Auto };
        var factors = new Option<int>("--factors") { Description = "Embedding size.", DefaultValueFactory = _ => 64 };
        var epochs = new Option<int>("--epochs") { Description = "Timed epochs per measurement (the median is reported).", DefaultValueFactory = _ => 5 };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the figures as JSON to this file." };
        var model = new Option<string>("--model") { Description = $"What to time: bpr (BPR-MF and APR, the default) or a neural model ({string.Join(", ", NeuralBench.Models)}) with its paper's defaults.", DefaultValueFactory = _ => "bpr" };
        var device = new Option<string>("--device") { Description = "Device of a neural model: cpu, cuda, cuda:N or auto.", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads for a neural model (0 = libtorch's default).", DefaultValueFactory = _ => 0 };
        var command = new Command("bench", "Time training, attack and evaluation on real data.") { train, test, format, factors, epochs, json, model, device, threads };
        command.SetAction((parse, cancellationToken) => Task.FromResult(Run(console, parse.GetValue(train)!, parse.GetValue(test), parse.GetValue(format),
            parse.GetValue(factors), parse.GetValue(epochs), parse.GetValue(json), parse.GetValue(model)!, parse.GetValue(device)!, parse.GetValue(threads), cancellationToken)));
        return command;
    }

    private static int Run(IAnsiConsole console, FileInfo trainFile, FileInfo? testFile, DataFormat format, int factors, int epochs, FileInfo? json,
        string modelName, string device, int threads, CancellationToken ct)
    {
        modelName = modelName.Trim().ToLowerInvariant();
        if (modelName != "bpr" && !NeuralBench.Models.Contains(modelName))
            throw new ArgumentException($"--model {modelName}: expected bpr, {string.Join(", ", NeuralBench.Models)}");
        if (threads < 0) throw new ArgumentOutOfRangeException("--threads", threads, "must be >= 0 (0 = libtorch's default)");
        if (epochs < 1) throw new ArgumentOutOfRangeException("--epochs", epochs, "must be >= 1");
        var read = new ReadOptions { Format = format };
        var loadClock = Stopwatch.StartNew();
        var data = testFile is null
            ? DatasetLoader.LoadAndSplit(trainFile.FullName, Splitter.LeaveOneOut(byTime: false), read, seed: 1)
            : DatasetLoader.LoadFixed(trainFile.FullName, testFile.FullName, null, read);
        double loadSeconds = loadClock.Elapsed.TotalSeconds;
        DataSummary.Write(console, data);
        if (modelName != "bpr")
        {
            console.MarkupLineInterpolated($"{Environment.ProcessorCount} cores; {modelName} with its paper's defaults on {device}: medians of {epochs} epochs after one warm-up, full evaluation (all users, K = 100, all metrics) median of 3");
            var neural = ConsoleProgress.Run(console, progress => NeuralBench.Run(modelName, data, device, threads, epochs, progress, ct));
            neural["load_s"] = loadSeconds;
            neural["train_pairs"] = data.Train.Count;
            neural["users"] = data.NumUsers;
            neural["items"] = data.NumItems;
            neural["peak_working_set_mb"] = PeakWorkingSetMb();
            return Write(console, neural, json);
        }
        var options = new BprMfOptions { Factors = factors };
        console.MarkupLineInterpolated($"{Environment.ProcessorCount} cores; BPR-MF {factors} factors: bpr_epoch_s per-triple SGD; bpr_epoch_adagrad512_s and apr_epoch_s Adagrad, batch {options.BatchSize}; eps 0.5; medians of {epochs} epochs");

        var figures = ConsoleProgress.Run(console, progress =>
        {
            // bpr_epoch_s: the fastest path (per-triple SGD), the one comparable with cornac's and implicit's BPR
            var sgd = new BprMf(options with { Optimizer = OptimizerKind.Sgd, BatchSize = 1, LearningRate = 0.01f }, data.Train);
            sgd.TrainEpoch(null, null, ct); // warm-up: JIT and buffers
            double sgdEpoch = Median(epochs, () => sgd.TrainEpoch(null, progress, ct).Seconds);

            // the paper's recipe (the default options): Adagrad on mini-batches of 512, then APR on top of it
            var model = new BprMf(options, data.Train);
            model.TrainEpoch(null, null, ct);
            double adagrad = Median(epochs, () => model.TrainEpoch(null, progress, ct).Seconds);
            var apr = AdversarialTraining.Step(model, 0.5f, 1f, DeltaSource.Batch, 7);
            model.TrainEpoch(apr, null, ct);
            double aprEpoch = Median(epochs, () => model.TrainEpoch(apr, progress, ct).Seconds);
            double fgsm = Median(3, () => Time(() => Fgsm.Attack(model, model.DrawAttackSample(3), 0.5f)));
            var evalOptions = new EvaluationOptions { Cutoffs = [100] };
            RankingEvaluator.Evaluate(model, data.Train, data.Test, evalOptions, null, ct);
            double eval = Median(3, () => Time(() => RankingEvaluator.Evaluate(model, data.Train, data.Test, evalOptions, progress, ct)));
            return new Dictionary<string, double>
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
        });

        return Write(console, figures, json);
    }

    private static int Write(IAnsiConsole console, Dictionary<string, double> figures, FileInfo? json)
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
    private static double PeakWorkingSetMb()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return Math.Round(process.PeakWorkingSet64 / (1024.0 * 1024.0), 1);
    }
}
