using AdvRec.Neural.Autoencoders;
using AdvRec.Tests.Models;

namespace AdvRec.Tests.Neural.Autoencoders;

[Collection(TorchCollection.Name)]
public class DeepRecTests
{
    private static DeepRecOptions Small => new() { Layers = [8, 6], Dropout = 0f, LearningRate = 0.01f, BatchSize = 8, Device = "cpu", Seed = 5 };

    [Fact]
    public void KeepsTheContract() =>
        NeuralContract.Check(() => new DeepRec(Small, RatedData.Random(30, 20, 6, 1)));

    [Fact]
    public void ConstrainedDecoderWithDropoutAndOtherActivationsKeepsTheContract()
    {
        // dropout and re-feeding make the per-epoch loss noisy on a tiny set, so only the other checks apply
        NeuralContract.Check(() => new DeepRec(Small with { Constrained = true, Dropout = 0.5f, Activation = DeepRecActivation.Elu }, RatedData.Random(30, 20, 6, 2)),
            lossMustFall: false);
        NeuralContract.Check(() => new DeepRec(Small with { Activation = DeepRecActivation.Tanh, LastLayerActivation = false, DenseRefeeding = 0 }, RatedData.Random(30, 20, 6, 3)));
    }

    [Fact]
    public void ConstrainedDecoderHasOnlyEncoderWeights()
    {
        var data = RatedData.Random(10, 12, 4, 4);
        using var free = new DeepRec(Small, data);
        using var tied = new DeepRec(Small with { Constrained = true }, data);
        var freeKeys = ((Dictionary<string, (long[] Shape, float[] Values)>)free.TakeSnapshot()).Keys;
        var tiedKeys = ((Dictionary<string, (long[] Shape, float[] Values)>)tied.TakeSnapshot()).Keys;
        Assert.Contains("decoder_w0", freeKeys);
        Assert.DoesNotContain("decoder_w0", tiedKeys);
        Assert.Contains("decoder_b1", tiedKeys);
    }

    [Fact]
    public void TargetsAreTheInputAndTheFirstHiddenLayer()
    {
        using var model = new DeepRec(Small, RatedData.Random(10, 12, 4, 4));
        Assert.Equal(("input", 10, 12), (model.PerturbationTargets[0].Name, model.PerturbationTargets[0].Rows, model.PerturbationTargets[0].Columns));
        Assert.Equal(("hidden", 10, 8), (model.PerturbationTargets[1].Name, model.PerturbationTargets[1].Rows, model.PerturbationTargets[1].Columns));
    }

    [Fact]
    public void BadOptionsAndImplicitDataAreRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DeepRec(Small with { Dropout = 1f }, RatedData.Random(5, 5, 2, 1)));
        Assert.Equal("Dropout", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeepRec(Small with { Layers = [] }, RatedData.Random(5, 5, 2, 1)));
        var implicitError = Assert.Throws<ArgumentException>(() => new DeepRec(Small, TinyData.Random(5, 5, 2, 1), dataset: "ml-1m-implicit"));
        Assert.Contains("DeepRec", implicitError.Message);
        Assert.Contains("ml-1m-implicit", implicitError.Message);
    }
}
