using AdvRec.Data;
using AdvRec.Evaluation;
using AdvRec.Models.Baselines;
using AdvRec.Neural.Autoencoders;
using AdvRec.Tests.Models;

namespace AdvRec.Tests.Neural.Autoencoders;

[Collection(TorchCollection.Name)]
public class AutoRecTests
{
    private static AutoRecOptions Small(bool itemBased) =>
        new() { ItemBased = itemBased, Hidden = 8, LearningRate = 0.01f, BatchSize = 8, Device = "cpu", Seed = 3 };

    [Fact]
    public void ItemBasedKeepsTheContract() =>
        NeuralContract.Check(() => new AutoRec(Small(true), RatedData.Random(30, 24, 6, 1)));

    [Fact]
    public void UserBasedKeepsTheContract() =>
        NeuralContract.Check(() => new AutoRec(Small(false), RatedData.Random(30, 24, 6, 2)));

    [Fact]
    public void TargetsAreTheInputRowsAndTheHiddenLayer()
    {
        using var item = new AutoRec(Small(true), RatedData.Random(10, 7, 3, 4));
        Assert.Equal(("input", 7, 10), (item.PerturbationTargets[0].Name, item.PerturbationTargets[0].Rows, item.PerturbationTargets[0].Columns));
        Assert.Equal(("hidden", 7, 8), (item.PerturbationTargets[1].Name, item.PerturbationTargets[1].Rows, item.PerturbationTargets[1].Columns));
        using var user = new AutoRec(Small(false), RatedData.Random(10, 7, 3, 4));
        Assert.Equal((10, 7), (user.PerturbationTargets[0].Rows, user.PerturbationTargets[0].Columns));
        Assert.Equal("U-AutoRec", user.Name);
    }

    [Fact]
    public void PredictedRatingsAreClippedScores()
    {
        var data = RatedData.Random(12, 9, 4, 5);
        using var model = new AutoRec(Small(true), data);
        model.TrainEpoch(null, default);
        var scores = NeuralContract.Scores(model, [3]);
        var ratings = new float[9];
        model.PredictRatings(Enumerable.Repeat(3, 9).ToArray(), Enumerable.Range(0, 9).ToArray(), ratings);
        for (int i = 0; i < 9; i++) Assert.Equal(Math.Clamp(scores[i], model.MinRating, model.MaxRating), ratings[i]);
    }

    [Fact]
    public void ImplicitOrBinarisedDataIsRefusedBeforeTraining()
    {
        var implicitData = TinyData.Random(10, 8, 3, 1);
        var e = Assert.Throws<ArgumentException>(() => new AutoRec(Small(true), implicitData, dataset: "clicks"));
        Assert.Contains("I-AutoRec", e.Message);
        Assert.Contains("'clicks'", e.Message);
        Assert.Contains("no ratings", e.Message);
        var ones = Interactions.Build(3, 3, [0, 1, 2], [0, 1, 2], [1f, 1f, 1f]);
        e = Assert.Throws<ArgumentException>(() => new AutoRec(Small(false), ones, dataset: "binary"));
        Assert.Contains("binarised", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AutoRec(Small(true) with { Hidden = 0 }, RatedData.Random(5, 5, 2, 1)));
    }

    [RealDataFact("ml-100k/u1.base.gz", "ml-100k/u1.test.gz")]
    public void ItemBasedBeatsTheBaselinesOnMl100k()
    {
        var data = DatasetLoader.LoadFixed(SharedData.Path("ml-100k", "u1.base.gz"), SharedData.Path("ml-100k", "u1.test.gz"));
        var options = new EvaluationOptions { Metrics = [RankingMetric.Rmse, RankingMetric.Mae], Cutoffs = [10] };
        var evaluator = new RankingEvaluator(data.Train, data.Test, options);
        var bias = new UserItemBias(new UserItemBiasOptions(), data.Train);
        for (int e = 0; e < 3; e++) bias.TrainEpoch(null, default);
        double biasRmse = evaluator.Evaluate(bias).Mean(RankingMetric.Rmse);
        using var model = new AutoRec(new AutoRecOptions { Hidden = 64, Device = "cpu", LearningRate = 5e-3f, BatchSize = 128 }, data.Train);
        for (int e = 0; e < 8; e++) model.TrainEpoch(null, default);
        double rmse = evaluator.Evaluate(model).Mean(RankingMetric.Rmse);
        Assert.True(rmse < biasRmse, $"I-AutoRec RMSE {rmse:F4} against the bias baseline's {biasRmse:F4}");
    }
}
