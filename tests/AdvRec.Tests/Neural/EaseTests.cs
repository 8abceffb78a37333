using AdvRec.Data;
using AdvRec.Evaluation;
using AdvRec.Kernels;
using AdvRec.Neural.Autoencoders;
using AdvRec.Tests.Models;

namespace AdvRec.Tests.Neural;

[Collection(TorchCollection.Name)]
public class EaseTests
{
    private static Ease Fitted(Interactions data, double lambda = 5, List<string>? log = null)
    {
        var model = new Ease(new EaseOptions { Lambda = lambda, Device = "cpu" }, data, log is null ? null : log.Add);
        model.TrainEpoch(null, default);
        return model;
    }

    // B from a direct float64 inverse: P = (XᵀX + λI)⁻¹ by Gauss-Jordan elimination, B_ij = −P_ij / P_jj, B_ii = 0.
    private static double[,] Reference(Interactions data, double lambda)
    {
        int n = data.NumItems;
        var a = new double[n, 2 * n];
        for (int u = 0; u < data.NumUsers; u++)
            foreach (int i in data.ItemsOf(u))
                foreach (int j in data.ItemsOf(u)) a[i, j] += 1;
        for (int i = 0; i < n; i++) { a[i, i] += lambda; a[i, n + i] = 1; }
        for (int c = 0; c < n; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < n; r++) if (Math.Abs(a[r, c]) > Math.Abs(a[pivot, c])) pivot = r;
            for (int k = 0; k < 2 * n; k++) (a[c, k], a[pivot, k]) = (a[pivot, k], a[c, k]);
            double d = a[c, c];
            for (int k = 0; k < 2 * n; k++) a[c, k] /= d;
            for (int r = 0; r < n; r++)
            {
                if (r == c) continue;
                double f = a[r, c];
                for (int k = 0; k < 2 * n; k++) a[r, k] -= f * a[c, k];
            }
        }
        var b = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) b[i, j] = i == j ? 0 : -a[i, n + j] / a[j, n + j];
        return b;
    }

    [Fact]
    public void WeightsMatchADirectInverseAndHaveAZeroDiagonal()
    {
        // one user per item (so each score row is a row of B) plus random users to fill the Gram matrix
        var random = TinyData.Random(40, 12, 4, 3);
        var us = new List<int>();
        var its = new List<int>();
        for (int u = 0; u < random.NumUsers; u++) foreach (int i in random.ItemsOf(u)) { us.Add(u); its.Add(i); }
        for (int i = 0; i < 12; i++) { us.Add(40 + i); its.Add(i); }
        var data = Interactions.Build(52, 12, us.ToArray(), its.ToArray());
        const double lambda = 3;
        using var model = Fitted(data, lambda);
        var expected = Reference(data, lambda);
        var scores = NeuralContract.Scores(model, Enumerable.Range(0, 52).ToArray());
        for (int i = 0; i < 12; i++)
            for (int j = 0; j < 12; j++)
            {
                float got = scores[(40 + i) * 12 + j];
                if (i == j) Assert.Equal(0f, got);
                else Assert.True(Math.Abs(got - expected[i, j]) <= 1e-6 + 1e-5 * Math.Abs(expected[i, j]), $"B[{i},{j}] = {got}, expected {expected[i, j]}");
            }
        // every user is scored from their own training row: x_u·B, the sum of the rows of B of their items
        for (int u = 0; u < 40; u++)
            for (int j = 0; j < 12; j++)
            {
                double sum = 0;
                foreach (int i in data.ItemsOf(u)) sum += scores[(40 + i) * 12 + j];
                Assert.Equal(sum, scores[u * 12 + j], 1e-5);
            }
    }

    [Fact]
    public void Float32FitGivesTheFloat64WeightsToSinglePrecision()
    {
        var data = TinyData.Random(200, 60, 12, 9);
        double[] losses = new double[2];
        var scores = new float[2][];
        foreach (var (precision, k) in new[] { (EasePrecision.Float64, 0), (EasePrecision.Float32, 1) })
        {
            using var model = new Ease(new EaseOptions { Lambda = 4, Device = "cpu", Precision = precision }, data);
            losses[k] = model.TrainEpoch(null, default).Loss;
            scores[k] = NeuralContract.Scores(model, Enumerable.Range(0, 200).ToArray());
        }
        double worst = scores[0].Zip(scores[1], (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 1e-4, $"float32 scores differ from float64 ones by up to {worst}");
        Assert.NotEqual(scores[0], scores[1]); // the precision is really used
        Assert.Equal(losses[0], losses[1], losses[0] * 1e-4);
    }

    // Scores and loss of each solver on data over 192 items (so the managed kernels run more than one block).
    private static (float[] Scores, double Loss) FitWith(EaseSolver solver, EasePrecision precision, List<string> log)
    {
        var data = TinyData.Random(500, 420, 30, 4);
        using var model = new Ease(new EaseOptions { Lambda = 20, Device = "cpu", Precision = precision, Solver = solver }, data, log.Add);
        Assert.Equal(solver, model.Solver);
        double loss = model.TrainEpoch(null, default).Loss;
        return (NeuralContract.Scores(model, Enumerable.Range(0, 500).ToArray()), loss);
    }

    private static void AssertSame((float[] Scores, double Loss) a, (float[] Scores, double Loss) b, double tolerance, string what)
    {
        double worst = a.Scores.Zip(b.Scores, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(worst < tolerance, $"{what}: scores differ by up to {worst}");
        Assert.Equal(b.Loss, a.Loss, b.Loss * tolerance);
    }

    [Theory]
    [InlineData(EasePrecision.Float64, 1e-6)]
    [InlineData(EasePrecision.Float32, 1e-4)]
    public void ManagedAndLibtorchSolversGiveTheSameWeights(EasePrecision precision, double tolerance)
    {
        var log = new List<string>();
        AssertSame(FitWith(EaseSolver.Managed, precision, log), FitWith(EaseSolver.Torch, precision, log), tolerance, "managed against libtorch");
        Assert.Contains(log, l => l.Contains("managed Cholesky and inverse", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains("libtorch Cholesky", StringComparison.Ordinal));
    }

    [OpenBlasFact]
    public void OpenBlasGivesTheManagedWeights()
    {
        var log = new List<string>();
        AssertSame(FitWith(EaseSolver.OpenBlas, EasePrecision.Float64, log), FitWith(EaseSolver.Managed, EasePrecision.Float64, log), 1e-6, "OpenBLAS against managed (float64)");
        AssertSame(FitWith(EaseSolver.OpenBlas, EasePrecision.Float32, log), FitWith(EaseSolver.Managed, EasePrecision.Float32, log), 1e-4, "OpenBLAS against managed (float32)");
        Assert.Contains(log, l => l.Contains("OpenBLAS (", StringComparison.Ordinal));
    }

    [Fact]
    public void AutoTakesOpenBlasWhereItLoadsAndTheManagedKernelsElsewhereOnTheCpu()
    {
        var log = new List<string>();
        using var model = new Ease(new EaseOptions { Device = "cpu" }, TinyData.Random(10, 8, 3, 1), log.Add);
        Assert.Equal(OpenBlas.IsAvailable ? EaseSolver.OpenBlas : EaseSolver.Managed, model.Solver);
        if (!OpenBlas.IsAvailable) Assert.Contains(log, l => l.Contains("OpenBLAS not found", StringComparison.Ordinal)); // the fallback says why
        using var forced = new Ease(new EaseOptions { Device = "cpu", Solver = EaseSolver.Torch }, TinyData.Random(10, 8, 3, 1));
        Assert.Equal(EaseSolver.Torch, forced.Solver);
    }

    [Fact]
    public void ReportedLossIsTheReconstructionErrorAndBelowTheEmptyModel()
    {
        var data = TinyData.Random(30, 10, 4, 5);
        using var model = new Ease(new EaseOptions { Lambda = 2, Device = "cpu" }, data);
        double loss = model.TrainEpoch(null, default).Loss;
        var scores = NeuralContract.Scores(model, Enumerable.Range(0, 30).ToArray());
        double direct = 0;
        for (int u = 0; u < 30; u++)
            for (int j = 0; j < 10; j++)
            {
                double r = (data.Contains(u, j) ? 1 : 0) - scores[u * 10 + j];
                direct += r * r;
            }
        Assert.Equal(direct, loss, 1e-3);
        Assert.True(loss < data.Count, $"the fit ({loss}) does not beat B = 0 ({data.Count})");
    }

    [Fact]
    public void KeepsTheNeuralContract() =>
        NeuralContract.Check(() => new Ease(new EaseOptions { Lambda = 5, Device = "cpu" }, TinyData.Random(30, 20, 5, 11)), lossMustFall: false);

    [Fact]
    public void LaterEpochsAreNoOpsThatSaySo()
    {
        var log = new List<string>();
        var data = TinyData.Random(20, 15, 4, 2);
        using var model = Fitted(data, 5, log);
        var users = Enumerable.Range(0, 20).ToArray();
        var fitted = NeuralContract.Scores(model, users);
        model.TrainEpoch(null, default);
        Assert.Equal(fitted, NeuralContract.Scores(model, users));
        Assert.Contains(log, l => l.Contains("closed form", StringComparison.Ordinal));
        Assert.Equal(2, model.EpochsTrained);
    }

    [Fact]
    public void RefusesACatalogueOverTheMemoryBudgetBeforeAnyWork()
    {
        var data = TinyData.Random(10, 200, 3, 1);
        long need = Ease.EstimateBytes(10, 200);
        var e = Assert.Throws<InvalidOperationException>(() => new Ease(new EaseOptions { MemoryBudgetBytes = need - 1, Device = "cpu" }, data, null, "tiny-set"));
        Assert.Contains("tiny-set", e.Message);
        Assert.Contains("MiB", e.Message);
        using var fits = new Ease(new EaseOptions { MemoryBudgetBytes = need, Device = "cpu" }, data);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EaseOptions { Lambda = 0 }.Validate());
    }

    [RealDataFact("ml-100k/u.data")]
    public void BeatsPopularityOnMovieLens100k()
    {
        var data = DatasetLoader.LoadAndSplit(SharedData.Path("ml-100k", "u.data"), new HoldOutSplitter(0.2, byTime: false), new ReadOptions { BinarizeThreshold = 4 }, 1);
        using var model = new Ease(new EaseOptions { Device = "cpu" }, data.Train);
        model.TrainEpoch(null, default);
        var options = new EvaluationOptions { Cutoffs = [10], Metrics = [RankingMetric.Recall], RelevanceThreshold = 4 };
        var result = RankingEvaluator.Evaluate(model, data.Train, data.Test, options);
        double recall = result.Mean(RankingMetric.Recall, 10);
        Assert.True(recall > 0.15, $"EASE Recall@10 {recall} on ml-100k");
    }
}
