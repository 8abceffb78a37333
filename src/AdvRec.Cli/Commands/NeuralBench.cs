using System.Diagnostics;
using AdvRec.Data;
using AdvRec.Evaluation;
using AdvRec.Neural;
using AdvRec.Neural.Autoencoders;
using TorchSharp;

namespace AdvRec.Cli.Commands;

/// <summary>
/// The neural part of <c>advrec bench --model</c>: times training epochs of a TorchSharp model with its paper's
/// defaults (after one warm-up epoch; wall and process CPU seconds, since a shared machine inflates the wall time) and a
/// full evaluation (all users, K = 100, all metrics) on the given device.
/// </summary>
internal static class NeuralBench
{
    /// <summary>The models <c>--model</c> accepts besides <c>bpr</c>.</summary>
    public static readonly string[] Models = ["multvae", "multdae", "cdae"];

    public static Dictionary<string, double> Run(string model, Dataset data, string device, int threads, int epochs, IProgress<ProgressUpdate>? progress, CancellationToken ct)
    {
        if (threads > 0) torch.set_num_threads(threads);
        using NeuralModel m = model switch
        {
            "multvae" => new MultVae(new MultVaeOptions { Device = device }, data.Train),
            "multdae" => new MultDae(new MultDaeOptions { Device = device }, data.Train),
            "cdae" => new Cdae(new CdaeOptions { Device = device }, data.Train),
            _ => throw new ArgumentException($"--model {model}: expected bpr, {string.Join(", ", Models)}"),
        };
        m.TrainEpoch(null, ct); // warm-up: JIT, allocator, libtorch kernels
        var times = new double[epochs];
        var cpu = new double[epochs];
        double loss = 0;
        using var process = Process.GetCurrentProcess();
        for (int e = 0; e < epochs; e++)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var stats = m.TrainEpoch(progress, ct);
            process.Refresh();
            cpu[e] = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
            times[e] = stats.Seconds;
            loss = stats.Loss;
        }
        var evalOptions = new EvaluationOptions { Cutoffs = [100] };
        RankingEvaluator.Evaluate(m, data.Train, data.Test, evalOptions, null, ct);
        var evals = new double[3];
        double ndcg = 0;
        for (int r = 0; r < evals.Length; r++)
        {
            var clock = Stopwatch.StartNew();
            var result = RankingEvaluator.Evaluate(m, data.Train, data.Test, evalOptions, progress, ct);
            evals[r] = clock.Elapsed.TotalSeconds;
            ndcg = result.Mean(RankingMetric.Ndcg, 100);
        }
        return new Dictionary<string, double>
        {
            [$"{model}_epoch_s"] = Median(times),
            [$"{model}_epoch_min_s"] = times.Min(),
            [$"{model}_epoch_max_s"] = times.Max(),
            [$"{model}_epoch_cpu_s"] = Median(cpu),
            [$"{model}_eval_s"] = Median(evals),
            [$"{model}_last_epoch_loss"] = loss,
            [$"{model}_ndcg@100"] = ndcg,
            ["torch_threads"] = torch.get_num_threads(),
            ["cuda"] = m.Device.type == DeviceType.CUDA ? 1 : 0,
        };
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
