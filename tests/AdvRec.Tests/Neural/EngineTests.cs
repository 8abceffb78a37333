using AdvRec.Neural;
using AdvRec.Tests.Models;
using TorchSharp;

namespace AdvRec.Tests.Neural;

[Collection(TorchCollection.Name)]
public class EngineTests
{
    [Fact]
    public void TorchSharpLoadsAndTakesAGradient()
    {
        // on Debian 12 this passes only because the build weakened libLibTorchSharp's GLIBCXX_3.4.32 requirement
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { 1, -2, 3 }).requires_grad_(true);
        var y = (x * x).sum();
        y.backward();
        Assert.Equal(new float[] { 2, -4, 6 }, x.grad!.data<float>().ToArray());
    }

    [Fact]
    public void DevicesResolveAndCudaIsRefusedWhereAbsent()
    {
        var lines = new List<string>();
        Assert.Equal(DeviceType.CPU, TorchDevices.Resolve("cpu", lines.Add).type);
        var auto = TorchDevices.Resolve("auto", lines.Add);
        Assert.Contains(lines, l => l.StartsWith("device: ", StringComparison.Ordinal) && l.Contains("auto"));
        Assert.Throws<ArgumentException>(() => TorchDevices.Resolve("gpu"));
        Assert.False(TorchDevices.IsValidName("cuda:x"));
        Assert.True(TorchDevices.IsValidName("cuda:1"));
        if (!torch.cuda.is_available())
        {
            Assert.Equal(DeviceType.CPU, auto.type);
            var e = Assert.Throws<InvalidOperationException>(() => TorchDevices.Resolve("cuda"));
            Assert.Contains("no CUDA device", e.Message);
        }
    }

    [Fact]
    public void TheBaseClassKeepsTheContract() =>
        NeuralContract.Check(() => new TinyNeuralModel(TinyData.Random(40, 30, 6, 5)));

    [Fact]
    public void TrainingIsReproducibleFromTheSeed()
    {
        var data = TinyData.Random(30, 25, 5, 9);
        float[] Run()
        {
            using var model = new TinyNeuralModel(data, seed: 11);
            model.TrainEpoch(null, default);
            model.TrainEpoch(null, default);
            return NeuralContract.Scores(model, Enumerable.Range(0, 30).ToArray());
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void DenseMatrixHasTheInteractions()
    {
        var data = TinyData.Random(5, 7, 3, 1);
        using var dense = TorchData.Dense(data, torch.CPU, ratings: false);
        var values = dense.data<float>().ToArray();
        for (int u = 0; u < 5; u++)
            for (int i = 0; i < 7; i++)
                Assert.Equal(data.Contains(u, i) ? 1f : 0f, values[u * 7 + i]);
    }

    [Fact]
    public void SavedWeightsAreWrittenWhole()
    {
        using var dir = new TempDirectory();
        using var model = new TinyNeuralModel(TinyData.Random(10, 12, 3, 2));
        string path = dir.File("tiny.bin");
        model.Save(path);
        Assert.True(new FileInfo(path).Length > 0);
        Assert.Single(Directory.GetFiles(dir.FullPath));
    }
}
