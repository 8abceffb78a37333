using AdvRec.Adversarial;
using AdvRec.Models;
using AdvRec.Models.Factorization;
using AdvRec.Tests.Models;

namespace AdvRec.Tests.Adversarial;

public class FgsmTests
{
    private static BprMf TrainedModel()
    {
        var train = TinyData.Random(users: 60, items: 80, perUser: 10, seed: 11);
        // trained until the rows are large against eps, so that the first-order picture FGSM relies on holds
        var model = new BprMf(new BprMfOptions { Factors = 16, Threads = 1, Seed = 3, InitStd = 0.1f, BatchSize = 64 }, train);
        for (int e = 0; e < 20; e++) model.TrainEpoch();
        return model;
    }

    [Fact]
    public void FgsmRaisesTheLossMoreThanRandomNoiseOfTheSameNorms()
    {
        var model = TrainedModel();
        var sample = model.DrawAttackSample(1);
        var scratch = new Perturbation(model.PerturbationTargets);
        double clean = model.LossGradient(sample, null, scratch);
        var delta = Fgsm.Attack(model, sample, 0.1f);
        var noise = RandomNoise.Like(delta, 2);
        double attacked = model.LossGradient(sample, delta, scratch);
        double random = model.LossGradient(sample, noise, scratch);
        Assert.True(attacked > clean * 1.05, $"FGSM loss {attacked} vs clean {clean}");
        Assert.True(attacked - clean > 5 * Math.Abs(random - clean), $"FGSM {attacked}, random {random}, clean {clean}");
    }

    [Fact]
    public void EveryPerturbedRowHasNormEpsAndRowsWithoutGradientStayZero()
    {
        var model = TrainedModel();
        var delta = Fgsm.Attack(model, model.DrawAttackSample(1), 0.25f);
        var noise = RandomNoise.Like(delta, 5);
        foreach (var p in new[] { delta, noise })
        {
            Assert.True(p.MaxRowNorm() <= 0.25 * (1 + 1e-5));
            for (int t = 0; t < 2; t++)
                for (int r = 0; r < p.Targets[t].Rows; r++)
                {
                    double norm = Math.Sqrt(p.Row(t, r).ToArray().Sum(x => (double)x * x));
                    Assert.True(norm == 0 || Math.Abs(norm - 0.25) < 1e-5, $"row {r} of {p.Targets[t].Name} has norm {norm}");
                }
        }
        // random noise spends the budget on exactly the rows the attack touched
        for (int t = 0; t < 2; t++)
            for (int r = 0; r < delta.Targets[t].Rows; r++)
                Assert.Equal(delta.Row(t, r).ToArray().Any(x => x != 0), noise.Row(t, r).ToArray().Any(x => x != 0));
    }

    [Fact]
    public void AttacksNeverModifyTheModel()
    {
        var model = TrainedModel();
        var p = model.UserFactors.ToArray();
        var q = model.ItemFactors.ToArray();
        var delta = Fgsm.Attack(model, model.DrawAttackSample(1), 1f);
        using var view = model.WithPerturbation(delta);
        var scores = new float[model.NumItems];
        view.Score([0], scores);
        Assert.Equal(p, model.UserFactors.ToArray());
        Assert.Equal(q, model.ItemFactors.ToArray());
        var clean = new float[model.NumItems];
        model.Score([0], clean);
        Assert.NotEqual(clean, scores);
    }

    [Fact]
    public void RestrictingTargetsPerturbsOnlyThoseTables()
    {
        var model = TrainedModel();
        var delta = Fgsm.Attack(model, model.DrawAttackSample(1), 0.5f, [BprMf.ItemEmbeddings]);
        Assert.All(delta.Table(0).ToArray(), v => Assert.Equal(0f, v));
        Assert.Contains(delta.Table(1).ToArray(), v => v != 0f);
    }

    [Fact]
    public void NegativeEpsIsRejected()
    {
        var model = TrainedModel();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Fgsm.Attack(model, model.DrawAttackSample(1), -0.1f));
        Assert.Contains("eps", e.Message);
    }

    [Fact]
    public void AprEpochsSeeAHigherAdversarialLossThanCleanLoss()
    {
        var model = TrainedModel();
        var stats = model.TrainEpoch(new AdversarialStep(0.1f, 1f));
        Assert.True(stats.AdversarialLoss > stats.Loss, $"adversarial {stats.AdversarialLoss} vs clean {stats.Loss}");
        var sample = model.DrawAttackSample(3);
        var provided = model.TrainEpoch(new AdversarialStep(0.1f, 1f) { DeltaProvider = () => Fgsm.Attack(model, sample, 0.1f) });
        Assert.True(provided.AdversarialLoss > provided.Loss);
    }
}
