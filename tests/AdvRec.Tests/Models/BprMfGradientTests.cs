using AdvRec.Models;
using AdvRec.Models.Factorization;

namespace AdvRec.Tests.Models;

public class BprMfGradientTests
{
    private static (BprMf Model, TripleSample Sample) Setup(bool bias)
    {
        var train = TinyData.Random(users: 7, items: 11, perUser: 4, seed: 3);
        // a large init so that the gradients are far from zero
        var model = new BprMf(new BprMfOptions { Factors = 8, InitStd = 0.5f, ItemBias = bias, Seed = 5 }, train);
        var sample = (TripleSample)model.DrawAttackSample(9);
        return (model, sample);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void AnalyticGradientMatchesCentralDifferences(bool bias, bool perturbed)
    {
        var (model, sample) = Setup(bias);
        Perturbation? at = null;
        if (perturbed)
        {
            at = AdvRec.Adversarial.RandomNoise.Uniform(model.PerturbationTargets, 0.3f, 77);
        }
        var grad = new Perturbation(model.PerturbationTargets);
        model.LossGradient(sample, at, grad);

        var probe = at?.Clone() ?? new Perturbation(model.PerturbationTargets);
        var scratch = new Perturbation(model.PerturbationTargets);
        const float h = 1e-2f;
        int checkedCoords = 0;
        for (int t = 0; t < 2; t++)
        {
            var table = probe.Table(t);
            for (int c = 0; c < table.Length; c += 3)
            {
                float old = table[c];
                table[c] = old + h;
                double up = model.LossGradient(sample, probe, scratch);
                table[c] = old - h;
                double down = model.LossGradient(sample, probe, scratch);
                table[c] = old;
                double numeric = (up - down) / (2 * h);
                double analytic = grad.Table(t)[c];
                // relative tolerance, with an absolute floor for near-zero entries
                Assert.True(Math.Abs(numeric - analytic) <= 2e-3 + 1e-2 * Math.Abs(analytic),
                    $"target {t} coord {c}: analytic {analytic}, numeric {numeric}");
                checkedCoords++;
            }
        }
        Assert.True(checkedCoords > 40, $"only {checkedCoords} coordinates checked");
    }

    [Fact]
    public void FullDataGradientDoesNotDependOnTheThreadCount()
    {
        var train = TinyData.Random(users: 1000, items: 300, perUser: 20, seed: 8); // large enough to be cut in parts
        float[] Gradient(int threads)
        {
            var model = new BprMf(new BprMfOptions { Factors = 16, InitStd = 0.3f, Threads = threads }, train);
            var grad = new Perturbation(model.PerturbationTargets);
            model.LossGradient(model.DrawAttackSample(3), null, grad);
            model.LossGradient(model.DrawAttackSample(3), null, grad); // reused scratch tables start from zero
            return grad.Table(0).ToArray().Concat(grad.Table(1).ToArray()).ToArray();
        }
        Assert.Equal(Gradient(1), Gradient(2));
        Assert.Equal(Gradient(1), Gradient(4));
    }

    [Fact]
    public void LossMatchesDirectComputation()
    {
        var (model, sample) = Setup(bias: true);
        var grad = new Perturbation(model.PerturbationTargets);
        double loss = model.LossGradient(sample, null, grad);
        int f = model.Options.Factors;
        double expected = 0;
        for (int k = 0; k < sample.Count; k++)
        {
            int u = sample.Users[k], i = sample.Positives[k], j = sample.Negatives[k];
            double diff = model.ItemBiases[i] - model.ItemBiases[j];
            for (int c = 0; c < f; c++) diff += model.UserFactors[u * f + c] * (model.ItemFactors[i * f + c] - model.ItemFactors[j * f + c]);
            expected += Math.Log(1 + Math.Exp(-diff));
        }
        Assert.Equal(expected, loss, expected * 1e-5);
    }

    [Fact]
    public void AttackSampleHasOnePairPerTrainingRowAndValidNegatives()
    {
        var train = TinyData.Random(users: 20, items: 30, perUser: 6, seed: 1);
        var model = new BprMf(new BprMfOptions { Factors = 8 }, train);
        var sample = (TripleSample)model.DrawAttackSample(4);
        Assert.Equal(train.Count, sample.Count);
        for (int k = 0; k < sample.Count; k++)
        {
            Assert.True(train.Contains(sample.Users[k], sample.Positives[k]));
            Assert.False(train.Contains(sample.Users[k], sample.Negatives[k]));
        }
    }
}
