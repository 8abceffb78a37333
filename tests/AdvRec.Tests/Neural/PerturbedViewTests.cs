using AdvRec.Adversarial;
using AdvRec.Models;
using AdvRec.Neural.Graph;
using AdvRec.Tests.Models;
using TorchSharp;

namespace AdvRec.Tests.Neural;

[Collection(TorchCollection.Name)]
public class PerturbedViewTests
{
    [Fact]
    public void ANeuralPerturbedViewFreesItsTensorsOnDispose()
    {
        var data = TinyData.Random(12, 15, 4, 8);
        using var model = new LightGcn(new LightGcnOptions { Factors = 8, Layers = 2, BatchSize = 16, LearningRate = 0.05f, Device = "cpu" }, data);
        model.TrainEpoch(null, default);
        var delta = RandomNoise.Like(Fgsm.Attack(model, model.DrawAttackSample(1), 0.5f), 3);
        var clean = new float[model.NumItems];
        model.Score([0], clean); // the model's own scoring tensors, if it keeps any, exist before the count is taken
        // the count is process-wide: let the finalizers of earlier tests' tensors run first (they may still lower it later)
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = torch.Tensor.TotalCount;

        var view = model.WithPerturbation(delta);
        var scores = new float[model.NumItems];
        view.Score([0], scores);
        Assert.NotEqual(clean, scores);
        Assert.True(torch.Tensor.TotalCount > before, "the view holds its perturbation as tensors while it lives");

        view.Dispose();
        Assert.True(torch.Tensor.TotalCount <= before, $"{torch.Tensor.TotalCount - before} tensors outlived the view");
        Assert.Throws<ObjectDisposedException>(() => view.Score([0], scores));
        view.Dispose(); // a second dispose does nothing

        // the model is untouched by its view's disposal
        var again = new float[model.NumItems];
        model.Score([0], again);
        Assert.Equal(clean, again);
    }

    [Fact]
    public void AViewNeverScoredHoldsNothingAndDisposes()
    {
        var data = TinyData.Random(12, 15, 4, 8);
        using var model = new LightGcn(new LightGcnOptions { Factors = 8, Layers = 2, BatchSize = 16, LearningRate = 0.05f, Device = "cpu" }, data);
        long before = torch.Tensor.TotalCount;
        var view = model.WithPerturbation(new Perturbation(model.PerturbationTargets));
        view.Dispose();
        Assert.True(torch.Tensor.TotalCount <= before, $"{torch.Tensor.TotalCount - before} tensors outlived the view");
    }
}
