using AdvRec.Neural.Autoencoders;
using AdvRec.Tests.Models;

namespace AdvRec.Tests.Neural.Autoencoders;

[Collection(TorchCollection.Name)]
public class MultDaeTests
{
    private static MultDaeOptions Small => new() { Hidden = 16, Latent = 8, BatchSize = 16, LearningRate = 1e-2f, Device = "cpu" };

    [Fact]
    public void KeepsTheNeuralContract() =>
        NeuralContract.Check(() => new MultDae(Small with { Dropout = 0 }, TinyData.Random(40, 30, 6, 5)));

    [Fact]
    public void TheNotebooksShallowArchitectureKeepsTheContractToo() =>
        NeuralContract.Check(() => new MultDae(Small with { Hidden = 0 }, TinyData.Random(40, 30, 6, 6)), lossMustFall: false);

    [Fact]
    public void TargetsAreInputAndHidden()
    {
        using var model = new MultDae(Small, TinyData.Random(20, 15, 4, 1));
        Assert.Equal(["input", "hidden"], model.PerturbationTargets.Select(t => t.Name));
        Assert.Equal(0, model.Beta);
    }

    [Fact]
    public void TrainingIsReproducibleFromTheSeed()
    {
        var data = TinyData.Random(30, 25, 5, 9);
        float[] Run()
        {
            using var model = new MultDae(Small, data);
            model.TrainEpoch(null, default);
            model.TrainEpoch(null, default);
            return NeuralContract.Scores(model, Enumerable.Range(0, 30).ToArray());
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void BadOptionsAreNamed()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MultDae(Small with { Latent = 0 }, TinyData.Random(5, 5, 2, 1)));
        Assert.Equal("Latent", e.ParamName);
    }
}
