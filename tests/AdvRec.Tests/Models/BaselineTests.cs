using AdvRec.Data;
using AdvRec.Evaluation;
using AdvRec.Experiments;
using AdvRec.Models;
using AdvRec.Models.Baselines;

namespace AdvRec.Tests.Models;

public class BaselineTests
{
    // u0: item0 = 5, item1 = 3; u1: item0 = 4; u2: item1 = 1, item2 = 2  (μ = 3)
    private static readonly Interactions Train = Interactions.Build(3, 3, [0, 0, 1, 2, 2], [0, 1, 0, 1, 2], [5f, 3f, 4f, 1f, 2f]);

    [Fact]
    public void GlobalMeanPredictsTheMeanRating()
    {
        var model = new GlobalMean(new GlobalMeanOptions(), Train);
        var stats = model.TrainEpoch(null, default);
        Assert.Equal(3f, model.Mean);
        Assert.Equal(4 + 0 + 1 + 4 + 1, stats.Loss, 6);
        var ratings = new float[2];
        model.PredictRatings([0, 2], [2, 0], ratings);
        Assert.Equal([3f, 3f], ratings);
        Assert.Empty(model.PerturbationTargets);
    }

    [Fact]
    public void FirstBiasSweepIsKorensEstimate()
    {
        var options = new UserItemBiasOptions { ItemRegularization = 1, UserRegularization = 2 };
        var model = new UserItemBias(options, Train);
        model.TrainEpoch(null, default);
        // b_i = Σ (r − μ) / (λ2 + n_i): item0 (2 + 1) / 3 = 1, item1 (0 − 2) / 3 = −2/3, item2 (−1) / 2 = −1/2
        Assert.Equal(1f, model.ItemBiases[0], 6);
        Assert.Equal(-2f / 3, model.ItemBiases[1], 6);
        Assert.Equal(-0.5f, model.ItemBiases[2], 6);
        // b_u = Σ (r − μ − b_i) / (λ3 + n_u): u0 ((5−3−1) + (3−3+2/3)) / 4 = 5/12; u1 (4−3−1) / 3 = 0; u2 ((1−3+2/3) + (2−3+1/2)) / 4 = −11/24
        Assert.Equal(5f / 12, model.UserBiases[0], 6);
        Assert.Equal(0f, model.UserBiases[1], 6);
        Assert.Equal(-11f / 24, model.UserBiases[2], 6);
        var scores = new float[3];
        model.Score([0], scores);
        Assert.Equal(3 + 5f / 12 + 1, scores[0], 5);
    }

    [Fact]
    public void MoreSweepsLowerTheObjectiveAndClipPredictions()
    {
        var model = new UserItemBias(new UserItemBiasOptions { ItemRegularization = 0.1f, UserRegularization = 0.1f }, RatedData.Random(40, 30, 8, 3));
        double previous = double.MaxValue;
        for (int e = 0; e < 4; e++)
        {
            double loss = model.TrainEpoch(null, default).Loss;
            Assert.True(loss <= previous + 1e-6, $"sweep {e}: {loss} after {previous}");
            previous = loss;
        }
        var ratings = new float[30];
        model.PredictRatings(Enumerable.Repeat(1, 30).ToArray(), Enumerable.Range(0, 30).ToArray(), ratings);
        Assert.All(ratings, r => Assert.InRange(r, model.MinRating, model.MaxRating));
    }

    [Fact]
    public void BiasGradientMatchesFiniteDifferencesAndAttacksRaiseTheLoss()
    {
        var model = new UserItemBias(new UserItemBiasOptions(), RatedData.Random(20, 15, 5, 4));
        model.TrainEpoch(null, default);
        var sample = model.DrawAttackSample(1);
        var gradient = new Perturbation(model.PerturbationTargets);
        double clean = model.LossGradient(sample, null, gradient);
        var step = gradient.EmptyLike();
        const float h = 1e-2f;
        step.Table(0)[3] = h;
        double plus = model.LossGradient(sample, step, gradient.EmptyLike());
        step.Table(0)[3] = -h;
        double minus = model.LossGradient(sample, step, gradient.EmptyLike());
        Assert.Equal(gradient.Table(0)[3], (plus - minus) / (2 * h), 2);
        var attack = AdvRec.Adversarial.Fgsm.Attack(model, sample, 0.5f, [UserItemBias.UserBiasTarget, UserItemBias.ItemBiasTarget]);
        var noise = AdvRec.Adversarial.RandomNoise.Like(attack, 3);
        double attacked = model.LossGradient(sample, attack, gradient.EmptyLike());
        double noisy = model.LossGradient(sample, noise, gradient.EmptyLike());
        Assert.True(attacked > noisy && attacked > clean, $"clean {clean}, FGSM {attacked}, random {noisy}");
        using var view = model.WithPerturbation(attack);
        var a = new float[15];
        view.Score([2], a);
        var b = new float[15];
        model.Score([2], b);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void SnapshotsRestoreTheBiases()
    {
        var model = new UserItemBias(new UserItemBiasOptions(), RatedData.Random(10, 8, 3, 5));
        model.TrainEpoch(null, default);
        var snapshot = model.TakeSnapshot();
        var before = model.UserBiases.ToArray();
        model.TrainEpoch(null, default);
        model.RestoreSnapshot(snapshot);
        Assert.Equal(before, model.UserBiases.ToArray());
    }

    [Fact]
    public void ImplicitDataIsRefusedWithTheDatasetName()
    {
        var e = Assert.Throws<ArgumentException>(() => new UserItemBias(new UserItemBiasOptions(), TinyData.Random(5, 5, 2, 1), "gowalla"));
        Assert.Contains("UserItemBias", e.Message);
        Assert.Contains("'gowalla'", e.Message);
        Assert.Throws<ArgumentException>(() => new GlobalMean(new GlobalMeanOptions(), Interactions.Build(2, 2, [0, 1], [0, 1], [1f, 1f])));
        Assert.Throws<ArgumentOutOfRangeException>(() => new UserItemBias(new UserItemBiasOptions { UserRegularization = -1 }, Train));
    }

    [Fact]
    public void BothAreRegistered()
    {
        Assert.True(ModelRegistry.Models.ContainsKey("GlobalMean"));
        Assert.True(ModelRegistry.Models.ContainsKey("useritembias"));
        var model = ModelRegistry.Models["UserItemBias"].Create(new UserItemBiasOptions(), new ModelContext(1, Train));
        Assert.IsAssignableFrom<IRatingPredictor>(model);
    }

    [RealDataFact("ml-100k/u1.base.gz", "ml-100k/u1.test.gz")]
    public void BiasesBeatTheGlobalMeanOnMl100k()
    {
        var data = DatasetLoader.LoadFixed(SharedData.Path("ml-100k", "u1.base.gz"), SharedData.Path("ml-100k", "u1.test.gz"));
        var evaluator = new RankingEvaluator(data.Train, data.Test, new EvaluationOptions { Metrics = [RankingMetric.Rmse], Cutoffs = [1] });
        var mean = new GlobalMean(new GlobalMeanOptions(), data.Train);
        mean.TrainEpoch(null, default);
        var bias = new UserItemBias(new UserItemBiasOptions(), data.Train);
        bias.TrainEpoch(null, default);
        double meanRmse = evaluator.Evaluate(mean).Mean(RankingMetric.Rmse), biasRmse = evaluator.Evaluate(bias).Mean(RankingMetric.Rmse);
        Assert.InRange(meanRmse, 1.10, 1.20); // the u1 split's global-mean RMSE is about 1.15
        Assert.True(biasRmse < meanRmse - 0.1, $"biases {biasRmse}, mean {meanRmse}");
    }
}
