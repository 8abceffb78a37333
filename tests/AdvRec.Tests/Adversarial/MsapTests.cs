using AdvRec.Adversarial;
using AdvRec.Models;
using AdvRec.Models.Factorization;
using AdvRec.Tests.Models;

namespace AdvRec.Tests.Adversarial;

public class MsapTests
{
    private static BprMf TrainedModel()
    {
        var train = TinyData.Random(users: 60, items: 80, perUser: 10, seed: 11);
        var model = new BprMf(new BprMfOptions { Factors = 16, Seed = 3, InitStd = 0.1f, BatchSize = 64 }, train);
        for (int e = 0; e < 20; e++) model.TrainEpoch();
        return model;
    }

    [Fact]
    public void OneStepOfSizeEpsIsFgsm()
    {
        var model = TrainedModel();
        var sample = model.DrawAttackSample(1);
        var fgsm = Fgsm.Attack(model, sample, 0.2f);
        var msap = Msap.Attack(model, sample, new AttackOptions { Epsilon = 0.2f, Steps = 1, StepSize = 0.2f });
        // equal up to rounding: the projection may rescale a row whose norm rounds a hair above eps
        for (int t = 0; t < 2; t++)
        {
            var a = fgsm.Table(t).ToArray();
            var b = msap.Table(t).ToArray();
            for (int k = 0; k < a.Length; k++) Assert.Equal(a[k], b[k], 1e-6f);
        }
    }

    [Theory]
    [InlineData(Projection.L2Ball)]
    [InlineData(Projection.LinfClip)]
    public void ManyStepsStayInTheBudgetAndHurtAtLeastAsMuchAsFgsm(Projection projection)
    {
        var model = TrainedModel();
        var sample = model.DrawAttackSample(1);
        const float eps = 0.1f;
        var msap = Msap.Attack(model, sample, new AttackOptions { Epsilon = eps, Steps = 20, Projection = projection });
        for (int t = 0; t < 2; t++)
            for (int r = 0; r < msap.Targets[t].Rows; r++)
            {
                var row = msap.Row(t, r).ToArray();
                if (projection == Projection.L2Ball) Assert.True(Math.Sqrt(row.Sum(x => (double)x * x)) <= eps * (1 + 1e-5));
                else Assert.All(row, x => Assert.InRange(x, -eps, eps));
            }
        var scratch = new Perturbation(model.PerturbationTargets);
        double clean = model.LossGradient(sample, null, scratch);
        double fgsmLoss = model.LossGradient(sample, Fgsm.Attack(model, sample, eps), scratch);
        double msapLoss = model.LossGradient(sample, msap, scratch);
        Assert.True(msapLoss > clean);
        if (projection == Projection.L2Ball) // same threat model as FGSM: the multi-step search does at least as well
            Assert.True(msapLoss >= fgsmLoss * 0.999, $"MSAP {msapLoss} vs FGSM {fgsmLoss}");
    }

    [Fact]
    public void EachStepCostsExactlyOneGradientPass()
    {
        var counting = new CountingModel(TrainedModel());
        Msap.Attack(counting, counting.DrawAttackSample(1), new AttackOptions { Epsilon = 0.1f, Steps = 20 });
        Assert.Equal(20, counting.GradientPasses);
    }

    [Fact]
    public void DefaultStepSizeIsElliots()
    {
        Assert.Equal(2.5f * 0.5f / 4, new AttackOptions { Epsilon = 0.5f, Steps = 4 }.EffectiveStepSize, 1e-6f);
        var model = TrainedModel();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Msap.Attack(model, model.DrawAttackSample(1), new AttackOptions { Steps = 0 }));
        Assert.Equal("nb_iter", e.ParamName);
    }

    private sealed class CountingModel(IPerturbable inner) : IPerturbable
    {
        public int GradientPasses { get; private set; }

        public int NumUsers => inner.NumUsers;

        public int NumItems => inner.NumItems;

        public IReadOnlyList<PerturbationTarget> PerturbationTargets => inner.PerturbationTargets;

        public ILossSample DrawAttackSample(ulong seed) => inner.DrawAttackSample(seed);

        public double LossGradient(ILossSample sample, Perturbation? at, Perturbation gradient)
        {
            GradientPasses++;
            return inner.LossGradient(sample, at, gradient);
        }

        public void Score(ReadOnlySpan<int> users, Span<float> scores) => inner.Score(users, scores);

        public IPerturbedView WithPerturbation(Perturbation delta) => inner.WithPerturbation(delta);
    }
}

public class MultiStepAprTests
{
    [Fact]
    public void MultiStepAprTrainsAgainstAStrongerPerturbationThanSingleStep()
    {
        var train = TinyData.Random(users: 60, items: 80, perUser: 10, seed: 11);
        BprMf Trained()
        {
            var m = new BprMf(new BprMfOptions { Factors = 16, Seed = 3, InitStd = 0.1f, BatchSize = 256 }, train);
            for (int e = 0; e < 20; e++) m.TrainEpoch();
            return m;
        }
        var single = Trained();
        var multi = Trained();
        var one = single.TrainEpoch(AdversarialTraining.Step(single, 0.1f, 1f, DeltaSource.AllPairs, 5));
        var many = multi.TrainEpoch(AdversarialTraining.MultiStep(multi, new AttackOptions { Epsilon = 0.1f, Steps = 10 }, 1f, 5));
        // same model, same budget: the loss at theta + delta is at least as high with the multi-step search
        Assert.True(many.AdversarialLoss >= one.AdversarialLoss * 0.999, $"multi-step {many.AdversarialLoss}, single {one.AdversarialLoss}");
        Assert.True(many.AdversarialLoss > many.Loss);
        Assert.Throws<ArgumentOutOfRangeException>(() => AdversarialTraining.MultiStep(multi, new AttackOptions { Steps = 0 }, 1f, 5));
    }
}
