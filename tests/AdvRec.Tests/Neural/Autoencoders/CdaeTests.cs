using AdvRec.Neural.Autoencoders;
using AdvRec.Tests.Models;

namespace AdvRec.Tests.Neural.Autoencoders;

[Collection(TorchCollection.Name)]
public class CdaeTests
{
    private static CdaeOptions Small => new() { Hidden = 8, BatchSize = 16, LearningRate = 1e-2f, Device = "cpu" };

    [Fact]
    public void KeepsTheNeuralContract() =>
        NeuralContract.Check(() => new Cdae(Small with { Corruption = 0 }, TinyData.Random(40, 30, 6, 5)));

    [Fact]
    public void SquaredLossWithNegativeSamplingKeepsTheContract() =>
        NeuralContract.Check(() => new Cdae(Small with { Loss = CdaeLoss.Squared, NegativeSamples = 2, Corruption = 0 }, TinyData.Random(40, 30, 6, 7)));

    [Fact]
    public void WithoutTheUserNodeItFoldsIn()
    {
        var data = TinyData.Random(30, 20, 5, 2);
        using var node = new Cdae(Small, data, fitUsers: [0, 1, 2]);
        Assert.Equal(["input", "user", "hidden"], node.PerturbationTargets.Select(t => t.Name));
        Assert.Equal(30, node.FitUsers.Count); // one embedding row per user: it fits on every user
        using var plain = new Cdae(Small with { UserNode = false }, data, fitUsers: [0, 1, 2]);
        Assert.Equal(["input", "hidden"], plain.PerturbationTargets.Select(t => t.Name));
        Assert.Equal([0, 1, 2], plain.FitUsers);
        NeuralContract.Check(() => new Cdae(Small with { UserNode = false, Corruption = 0 }, TinyData.Random(40, 30, 6, 8)));
    }

    [Fact]
    public void BadOptionsAreNamed()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Cdae(Small with { Corruption = 1.5f }, TinyData.Random(5, 5, 2, 1)));
        Assert.Equal("Corruption", e.ParamName);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new Cdae(Small with { NegativeSamples = -1 }, TinyData.Random(5, 5, 2, 1)));
        Assert.Equal("NegativeSamples", e.ParamName);
    }
}
