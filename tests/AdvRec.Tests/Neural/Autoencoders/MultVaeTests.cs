using AdvRec.Data;
using AdvRec.Evaluation;
using AdvRec.Neural.Autoencoders;
using AdvRec.Tests.Models;

namespace AdvRec.Tests.Neural.Autoencoders;

[Collection(TorchCollection.Name)]
public class MultVaeTests
{
    private static MultVaeOptions Small => new() { Hidden = 16, Latent = 8, BatchSize = 16, LearningRate = 1e-2f, Device = "cpu", TotalAnnealSteps = 10 };

    [Fact]
    public void KeepsTheNeuralContract() =>
        // the loss includes the sampled code and the annealed KL, so it need not fall within three epochs
        NeuralContract.Check(() => new MultVae(Small with { Dropout = 0 }, TinyData.Random(40, 30, 6, 5)), lossMustFall: false);

    [Fact]
    public void TargetsAreInputHiddenAndLatentMean()
    {
        using var model = new MultVae(Small, TinyData.Random(20, 15, 4, 1));
        Assert.Equal(["input", "hidden", "latent_mean"], model.PerturbationTargets.Select(t => t.Name));
        Assert.Equal(15, model.PerturbationTargets[0].Columns);
        Assert.Equal(16, model.PerturbationTargets[1].Columns);
        Assert.Equal(8, model.PerturbationTargets[2].Columns);
        using var flat = new MultVae(Small with { Hidden = 0 }, TinyData.Random(20, 15, 4, 1));
        Assert.Equal(["input", "latent_mean"], flat.PerturbationTargets.Select(t => t.Name));
    }

    [Fact]
    public void KlWeightIsAnnealedUpToTheCap()
    {
        var data = TinyData.Random(64, 20, 5, 3);
        using var model = new MultVae(Small with { TotalAnnealSteps = 10, AnnealCap = 0.2f }, data);
        Assert.Equal(0, model.Beta);
        model.TrainEpoch(null, default); // 4 batches of 16 users
        Assert.Equal(0.2, model.Beta, 6); // 4/10 is above the cap
        using var slow = new MultVae(Small with { TotalAnnealSteps = 100, AnnealCap = 0.2f }, data);
        slow.TrainEpoch(null, default);
        Assert.Equal(0.04, slow.Beta, 6);
    }

    [Fact]
    public void FitsOnlyOnTheFitUsersAndFoldsInTheOthers()
    {
        var data = TinyData.Random(30, 20, 5, 2);
        using var model = new MultVae(Small, data, fitUsers: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        Assert.Equal(10, model.FitUsers.Count);
        model.TrainEpoch(null, default);
        // a held-out user (20) is scored from its own row: two users with the same row get the same scores
        var scores = NeuralContract.Scores(model, [20]);
        Assert.All(scores, s => Assert.True(float.IsFinite(s)));
    }

    [Fact]
    public void BadOptionsAreNamed()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MultVae(Small with { Dropout = 1 }, TinyData.Random(5, 5, 2, 1)));
        Assert.Equal("Dropout", e.ParamName);
        Assert.Throws<ArgumentException>(() => new MultVae(Small with { Device = "gpu" }, TinyData.Random(5, 5, 2, 1)));
    }

    [RealDataFact("ml-100k/u.data")]
    public void LearnsMl100kUnderStrongGeneralisation()
    {
        var data = DatasetLoader.LoadAndSplit(SharedData.Path("ml-100k", "u.data"), new StrongGeneralizationSplitter(0.2), null, 3);
        using var model = new MultVae(new MultVaeOptions { Device = "cpu", Hidden = 100, Latent = 50, BatchSize = 100 }, data.Train, data.FitUsers);
        var options = new EvaluationOptions { Cutoffs = [20], Metrics = [RankingMetric.RecallLiang] };
        double before = RankingEvaluator.Evaluate(model, data.Train, data.Test, options).Mean(RankingMetric.RecallLiang, 20);
        for (int e = 0; e < 5; e++) model.TrainEpoch(null, default);
        double after = RankingEvaluator.Evaluate(model, data.Train, data.Test, options).Mean(RankingMetric.RecallLiang, 20);
        Assert.True(after > before + 0.05 && after > 0.15, $"Recall@20 (Liang) {before} before training, {after} after 5 epochs");
    }
}
