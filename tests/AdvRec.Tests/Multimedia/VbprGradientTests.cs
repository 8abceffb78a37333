using AdvRec.Adversarial;
using AdvRec.Data;
using AdvRec.Data.Features;
using AdvRec.Kernels;
using AdvRec.Models;
using AdvRec.Models.Factorization;
using AdvRec.Tests.Models;

namespace AdvRec.Tests.Multimedia;

public class VbprGradientTests
{
    private const int Users = 6, Items = 10, D = 12;

    private static ItemFeatures RandomFeatures(int items, int d, ulong seed)
    {
        var rng = new Xoshiro(seed);
        var values = new float[items * d];
        for (int x = 0; x < values.Length; x++) values[x] = (float)rng.NextGaussian();
        return ItemFeatures.FromAligned("random", values, items, d);
    }

    private static Vbpr Model(OptimizerKind optimizer = OptimizerKind.Sgd, float lr = 0.01f, float reg = 0f, Interactions? train = null, ItemFeatures? features = null) =>
        new(new VbprOptions
        {
            Factors = 8,
            FactorsD = 5,
            LearningRate = lr,
            Regularization = reg,
            BiasRegularization = reg,
            ProjectionRegularization = reg,
            Optimizer = optimizer,
            Init = Initialization.TruncatedNormal,
            InitStd = 0.4f,
            BatchSize = 64,
            Seed = 3,
            Threads = 1,
        }, train ?? TinyData.Random(Users, Items, perUser: 3, seed: 2), features ?? RandomFeatures(Items, D, 4));

    private static void RandomizeBiases(Vbpr model)
    {
        var rng = new Xoshiro(11);
        foreach (int t in new[] { 4, 5 })
        {
            var table = model.Parameters[t];
            for (int x = 0; x < table.Length; x++) table[x] = (float)(0.3 * rng.NextGaussian());
        }
    }

    [Fact]
    public void ScoreIsTheVbprFormula()
    {
        var model = Model();
        RandomizeBiases(model);
        var p = model.Parameters;
        var scores = new float[Items];
        for (int u = 0; u < Users; u++)
        {
            model.Score([u], scores);
            for (int i = 0; i < Items; i++)
            {
                double expected = p[5][i];
                for (int c = 0; c < 8; c++) expected += p[0][u * 8 + c] * p[1][i * 8 + c];
                for (int c = 0; c < 5; c++)
                {
                    double proj = 0;
                    for (int r = 0; r < D; r++) proj += p[3][c * D + r] * model.Features.Values[i * D + r];
                    expected += p[2][u * 5 + c] * proj;
                }
                for (int r = 0; r < D; r++) expected += p[4][r] * model.Features.Values[i * D + r];
                Assert.Equal(expected, scores[i], 1e-4);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AttackGradientMatchesCentralDifferences(bool perturbed)
    {
        var model = Model();
        RandomizeBiases(model);
        var sample = (TripleSample)model.DrawAttackSample(9);
        Perturbation? at = perturbed ? RandomNoise.Uniform(model.PerturbationTargets, 0.3f, 77) : null;
        var grad = new Perturbation(model.PerturbationTargets);
        model.LossGradient(sample, at, grad);
        var probe = at?.Clone() ?? new Perturbation(model.PerturbationTargets);
        var scratch = new Perturbation(model.PerturbationTargets);
        const float h = 1e-2f;
        int n = 0;
        for (int t = 0; t < 3; t++)
        {
            var table = probe.Table(t);
            for (int c = 0; c < table.Length; c += 2)
            {
                float old = table[c];
                table[c] = old + h;
                double up = model.LossGradient(sample, probe, scratch);
                table[c] = old - h;
                double down = model.LossGradient(sample, probe, scratch);
                table[c] = old;
                double numeric = (up - down) / (2 * h), analytic = grad.Table(t)[c];
                Assert.True(Math.Abs(numeric - analytic) <= 2e-3 + 1e-2 * Math.Abs(analytic), $"target {model.PerturbationTargets[t].Name} coord {c}: analytic {analytic}, numeric {numeric}");
                n++;
            }
        }
        Assert.True(n > 100);
    }

    // One SGD step on a batch of triples moves every parameter by −lr · ∂objective/∂parameter; the objective is
    // evaluated independently (Vbpr.Loss) and differentiated numerically.
    private static void CheckTrainingGradient(Vbpr model, TripleSample sample, AdversarialStep? adv, FeatureDeltaScope scope, Func<double> objective)
    {
        const float lr = 0.01f;
        var before = model.Parameters.Select(t => (float[])t.Clone()).ToArray();
        // numeric gradients first, at the starting point
        const float h = 5e-3f;
        var numeric = new double[before.Length][];
        for (int t = 0; t < before.Length; t++)
        {
            var table = model.Parameters[t];
            numeric[t] = new double[table.Length];
            for (int c = 0; c < table.Length; c++)
            {
                float old = table[c];
                table[c] = old + h;
                double up = objective();
                table[c] = old - h;
                double down = objective();
                table[c] = old;
                numeric[t][c] = (up - down) / (2 * h);
            }
        }
        model.TrainBatch(sample.Users, sample.Positives, sample.Negatives, adv, scope);
        string[] names = ["gamma_u", "gamma_i", "theta_u", "E", "beta'", "b_i"];
        int nonzero = 0;
        for (int t = 0; t < before.Length; t++)
        {
            for (int c = 0; c < before[t].Length; c++)
            {
                double analytic = (before[t][c] - model.Parameters[t][c]) / lr;
                Assert.True(Math.Abs(numeric[t][c] - analytic) <= 3e-3 + 2e-2 * Math.Abs(analytic), $"{names[t]}[{c}]: analytic {analytic}, numeric {numeric[t][c]}");
                if (Math.Abs(analytic) > 1e-3) nonzero++;
            }
        }
        Assert.True(nonzero > 100, $"only {nonzero} non-zero gradient entries");
    }

    [Fact]
    public void TrainingStepGradientMatchesCentralDifferences()
    {
        var model = Model();
        RandomizeBiases(model);
        var sample = (TripleSample)model.DrawAttackSample(5);
        CheckTrainingGradient(model, sample, null, FeatureDeltaScope.PerSample, () => model.Loss(sample));
    }

    [Fact]
    public void AmrStepWithAFixedPerItemDeltaMatchesCentralDifferences()
    {
        var model = Model();
        RandomizeBiases(model);
        var sample = (TripleSample)model.DrawAttackSample(5);
        var delta = RandomNoise.Uniform(model.PerturbationTargets, 0.7f, 3);
        float[] featureDelta = delta.Table(2).ToArray();
        const float lambda = 0.6f;
        var adv = new AdversarialStep(0.7f, lambda) { DeltaProvider = () => delta };
        CheckTrainingGradient(model, sample, adv, FeatureDeltaScope.PerItem, () => model.Loss(sample) + lambda * model.Loss(sample, featureDelta));
    }

    [Fact]
    public void AmrPerItemDeltaIsTheNormalisedFeatureGradientOfTheBatch()
    {
        // the batch's own Δ_i = ε·∇_{f_i} L_BPR / ‖·‖ equals FGSM on the same triples restricted to the features
        var model = Model();
        RandomizeBiases(model);
        var sample = (TripleSample)model.DrawAttackSample(5);
        const float eps = 0.5f, lambda = 1f;
        var fgsm = Fgsm.Attack(model, sample, eps, [Vbpr.ItemFeatureVectors]);
        float[] featureDelta = fgsm.Table(2).ToArray();
        CheckTrainingGradient(model, sample, new AdversarialStep(eps, lambda), FeatureDeltaScope.PerItem,
            () => model.Loss(sample) + lambda * model.Loss(sample, featureDelta));
    }

    [Fact]
    public void AmrPerSampleStepMatchesCentralDifferences()
    {
        // triples whose positives are distinct and never negatives: the per-sample Δ is then a per-item table on the positives
        var train = Interactions.Build(4, Items, [0, 1, 2, 3], [0, 1, 2, 3]);
        var model = Model(train: train);
        RandomizeBiases(model);
        var sample = new TripleSample([0, 1, 2, 3], [0, 1, 2, 3], [7, 8, 9, 7]);
        const float eps = 0.8f, lambda = 0.5f;
        var p = model.Parameters;
        var featureDelta = new float[Items * D];
        for (int t = 0; t < 4; t++)
        {
            // Δ_t = ε·sign(g)·w_u/‖w_u‖ with w_u = E θ_u + β′ and g = dℓ/d(diff) < 0
            int u = sample.Users[t], i = sample.Positives[t];
            var wu = new double[D];
            for (int r = 0; r < D; r++)
            {
                wu[r] = p[4][r];
                for (int c = 0; c < 5; c++) wu[r] += p[3][c * D + r] * p[2][u * 5 + c];
            }
            double norm = Math.Sqrt(wu.Sum(x => x * x));
            for (int r = 0; r < D; r++) featureDelta[i * D + r] = (float)(-eps * wu[r] / norm);
        }
        CheckTrainingGradient(model, sample, new AdversarialStep(eps, lambda), FeatureDeltaScope.PerSample,
            () => model.Loss(sample) + lambda * model.Loss(sample, featureDelta));
    }
}
