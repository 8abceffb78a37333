using AdvRec.Data;
using AdvRec.Experiments;
using AdvRec.Kernels;
using AdvRec.Models;
using AdvRec.Neural;
using AdvRec.Neural.Graph;
using AdvRec.Tests.Models;
using TorchSharp;

namespace AdvRec.Tests.Neural.Graph;

[Collection(TorchCollection.Name)]
public class LightGcnTests
{
    private static readonly float[] Weights = [0.2f, 0.3f, 0.5f];

    // Â from the definition: 1 / sqrt(deg(u) deg(i)) on every (user, item) edge, both ways
    private static double[,] DenseAdjacency(Interactions data)
    {
        int n = data.NumUsers + data.NumItems;
        var degrees = data.ItemDegrees();
        var a = new double[n, n];
        for (int u = 0; u < data.NumUsers; u++)
        {
            foreach (int i in data.ItemsOf(u))
            {
                double w = 1 / Math.Sqrt((double)data.DegreeOf(u) * degrees[i]);
                a[u, data.NumUsers + i] = w;
                a[data.NumUsers + i, u] = w;
            }
        }
        return a;
    }

    // Σ_k w_k Â^k x in double precision
    private static double[] DensePropagate(double[,] a, float[] x, int f, float[] weights)
    {
        int n = a.GetLength(0);
        var current = x.Select(v => (double)v).ToArray();
        var output = current.Select(v => v * weights[0]).ToArray();
        for (int k = 1; k < weights.Length; k++)
        {
            var next = new double[n * f];
            for (int r = 0; r < n; r++)
                for (int c = 0; c < n; c++)
                {
                    if (a[r, c] == 0) continue;
                    for (int d = 0; d < f; d++) next[r * f + d] += a[r, c] * current[c * f + d];
                }
            current = next;
            for (int t = 0; t < output.Length; t++) output[t] += weights[k] * current[t];
        }
        return output;
    }

    private static float[] RandomMatrix(int length, ulong seed)
    {
        var rng = new Xoshiro(seed);
        return Enumerable.Range(0, length).Select(_ => (float)rng.NextGaussian()).ToArray();
    }

    [Theory]
    [InlineData(64)] // the AVX-512 path
    [InlineData(16)] // the 256-bit path
    [InlineData(5)] // the scalar path
    public void PropagationMatchesTheDenseReference(int f)
    {
        var data = TinyData.Random(9, 11, 3, 4);
        var graph = new NormalizedAdjacency(data);
        var dense = DenseAdjacency(data);
        var stored = graph.ToDense();
        for (int r = 0; r < graph.Nodes; r++)
            for (int c = 0; c < graph.Nodes; c++) Assert.Equal(dense[r, c], stored[r, c], 1e-6);

        var x = RandomMatrix(graph.Nodes * f, 3);
        var expected = DensePropagate(dense, x, f, Weights);
        var managed = new float[x.Length];
        graph.Propagate(x, managed, f, Weights);
        for (int t = 0; t < x.Length; t++) Assert.Equal(expected[t], managed[t], 1e-4);

        // the TorchSharp engine computes the same
        using var scope = torch.NewDisposeScope();
        using var engine = new GraphPropagation(graph, Weights, GraphEngine.Torch, torch.CPU);
        var viaTorch = engine.Propagate(torch.tensor(x, [graph.Nodes, f])).data<float>().ToArray();
        for (int t = 0; t < x.Length; t++) Assert.Equal(expected[t], viaTorch[t], 1e-4);
    }

    [Fact]
    public void AnalyticBackwardMatchesFiniteDifferences()
    {
        var data = TinyData.Random(8, 10, 3, 6);
        var graph = new NormalizedAdjacency(data);
        const int f = 64;
        var x = RandomMatrix(graph.Nodes * f, 5);
        var c = RandomMatrix(graph.Nodes * f, 6);
        using var scope = torch.NewDisposeScope();
        using var managed = new GraphPropagation(graph, Weights, GraphEngine.Managed, torch.CPU);
        using var viaTorch = new GraphPropagation(graph, Weights, GraphEngine.Torch, torch.CPU);
        var weightsOfOutput = torch.tensor(c, [graph.Nodes, f]);
        float[] Gradient(GraphPropagation engine)
        {
            var e0 = torch.tensor(x, [graph.Nodes, f]).requires_grad_(true);
            (engine.Propagate(e0) * weightsOfOutput).sum().backward();
            return e0.grad!.data<float>().ToArray();
        }
        var analytic = Gradient(managed);
        Assert.Equal(Gradient(viaTorch), analytic, new ToleranceComparer(1e-4f));

        // L(x) = Σ c ⊙ P(x) in double precision, differentiated numerically at a few entries
        var dense = DenseAdjacency(data);
        double Loss(float[] point) => DensePropagate(dense, point, f, Weights).Select((v, t) => v * c[t]).Sum();
        const double h = 1e-2;
        foreach (int t in new[] { 0, 7, f * 3 + 1, graph.Nodes * f - 1, f * (data.NumUsers + 2) + 9 })
        {
            var plus = (float[])x.Clone();
            var minus = (float[])x.Clone();
            plus[t] += (float)h;
            minus[t] -= (float)h;
            double numeric = (Loss(plus) - Loss(minus)) / (plus[t] - minus[t]);
            Assert.Equal(numeric, analytic[t], 1e-3);
        }
    }

    [Fact]
    public void LayerZeroPerturbationsChangeScoresAsTheDenseReferencePredicts()
    {
        var data = TinyData.Random(12, 15, 4, 8);
        var options = new LightGcnOptions { Factors = 8, Layers = 2, LayerWeights = Weights, BatchSize = 16, LearningRate = 0.05f, Device = "cpu" };
        using var model = new LightGcn(options, data);
        model.TrainEpoch(null, default);
        var snapshot = (Dictionary<string, (long[] Shape, float[] Values)>)model.TakeSnapshot();
        var e0 = snapshot.Single().Value.Values;

        var delta = new Perturbation(model.PerturbationTargets);
        var rng = new Xoshiro(9);
        for (int t = 0; t < 2; t++)
        {
            var table = delta.Table(t);
            for (int k = 0; k < table.Length; k++) table[k] = (float)rng.NextGaussian() * 0.3f;
        }
        var shifted = (float[])e0.Clone();
        delta.Table(0).CopyTo(shifted);
        delta.Table(1).CopyTo(shifted.AsSpan(data.NumUsers * 8));
        for (int k = 0; k < e0.Length; k++) shifted[k] += e0[k];

        var dense = DenseAdjacency(data);
        var users = Enumerable.Range(0, data.NumUsers).ToArray();
        void Compare(float[] layer0, IRecommender scorer)
        {
            var final = DensePropagate(dense, layer0, 8, Weights);
            var scores = NeuralContract.Scores(scorer, users);
            for (int u = 0; u < data.NumUsers; u++)
                for (int i = 0; i < data.NumItems; i++)
                {
                    double expected = 0;
                    for (int d = 0; d < 8; d++) expected += final[u * 8 + d] * final[(data.NumUsers + i) * 8 + d];
                    Assert.Equal(expected, scores[u * data.NumItems + i], 1e-4);
                }
        }
        Compare(e0, model);
        using var view = model.WithPerturbation(delta);
        Compare(shifted, view);
    }

    private static Interactions ContractData() => TinyData.Random(30, 24, 5, 12);

    [Fact]
    public void LightGcnKeepsTheNeuralContract() =>
        NeuralContract.Check(() => new LightGcn(new LightGcnOptions { Factors = 16, Layers = 2, BatchSize = 32, LearningRate = 0.02f, Device = "cpu" }, ContractData()));

    [Fact]
    public void LightGcnOnTheTorchEngineKeepsTheNeuralContract() =>
        NeuralContract.Check(() => new LightGcn(new LightGcnOptions { Factors = 16, Layers = 2, BatchSize = 32, LearningRate = 0.02f, Engine = GraphEngine.Torch, Device = "cpu" }, ContractData()));

    [Fact]
    public void LightGcnAprKeepsTheNeuralContract() =>
        NeuralContract.Check(() => new LightGcnApr(new LightGcnAprOptions { Factors = 16, Layers = 2, BatchSize = 32, LearningRate = 0.02f, Epochs = 4, AdversarialEpochs = 3, Device = "cpu" }, ContractData()));

    [Fact]
    public void AprFollowsElliotsScheduleAndBothEnginesTrainAlike()
    {
        var data = ContractData();
        using var apr = new LightGcnApr(new LightGcnAprOptions { Factors = 8, Layers = 2, BatchSize = 32, Epochs = 3, AdversarialEpochs = 1, Device = "cpu" }, data);
        var flags = new List<bool>();
        for (int e = 0; e < 3; e++)
        {
            flags.Add(apr.NextEpochIsAdversarial);
            var stats = apr.TrainEpoch(null, default);
            Assert.Equal(flags[^1], stats.AdversarialLoss > 0);
        }
        Assert.Equal([false, false, true], flags);

        float[] Train(GraphEngine engine)
        {
            using var model = new LightGcn(new LightGcnOptions { Factors = 8, Layers = 3, BatchSize = 32, Engine = engine, Device = "cpu" }, data);
            model.TrainEpoch(null, default);
            model.TrainEpoch(null, default);
            return NeuralContract.Scores(model, Enumerable.Range(0, data.NumUsers).ToArray());
        }
        Assert.Equal(Train(GraphEngine.Torch), Train(GraphEngine.Managed), new ToleranceComparer(1e-4f));
    }

    [Fact]
    public void BadOptionsAreNamedAndTheModelsAreRegistered()
    {
        var data = ContractData();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new LightGcn(new LightGcnOptions { Layers = 2, LayerWeights = [1f, 1f], Device = "cpu" }, data));
        Assert.Equal(nameof(LightGcnOptions.LayerWeights), e.ParamName);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new LightGcnApr(new LightGcnAprOptions { Epochs = 2, AdversarialEpochs = 3, Device = "cpu" }, data));
        Assert.Equal(nameof(LightGcnAprOptions.AdversarialEpochs), e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LightGcn(new LightGcnOptions { Device = "gpu" }, data));
        Assert.Contains(LightGcn.ModelName, NeuralRegistry.All.Keys);
        Assert.Contains(LightGcnApr.ModelName, NeuralRegistry.All.Keys);
        using var built = (LightGcnApr)NeuralRegistry.All["lightgcn-apr"].Create(new LightGcnAprOptions { Factors = 4, Layers = 1 }, new ModelContext(5, data, Device: "cpu"));
        Assert.Equal(5, built.AprOptions.Epochs);
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(x));

        public int GetHashCode(float obj) => 0;
    }
}
