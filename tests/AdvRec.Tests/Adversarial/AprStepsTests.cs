using AdvRec.Models;
using AdvRec.Models.Factorization;
using AdvRec.Neural.Graph;
using AdvRec.Tests.Models;

namespace AdvRec.Tests.Adversarial;

/// <summary>
/// Multi-step APR (<c>adversarial_steps</c> &gt; 1): the batch's perturbation is MSAP, a stronger attack than FGSM at the
/// same budget, so the adversarial loss of the same batch at the same parameters is higher; and it stays in the budget.
/// </summary>
public class AprStepsTests
{
    // one batch per epoch (the batch holds every pair), so both copies reach the adversarial epoch with the same parameters
    private static (double Fgsm, double Msap) AdversarialLossOfTheFirstAprEpoch(Func<int, IIterativeModel> build)
    {
        using var fgsm = build(1);
        using var msap = build(5);
        var plainF = fgsm.TrainEpoch(null, default);
        var plainM = msap.TrainEpoch(null, default);
        Assert.Equal(plainF.Loss, plainM.Loss); // the plain epoch does not read the steps
        Assert.True(fgsm.NextEpochIsAdversarial && msap.NextEpochIsAdversarial);
        return (fgsm.TrainEpoch(null, default).AdversarialLoss, msap.TrainEpoch(null, default).AdversarialLoss);
    }

    [Fact]
    public void LightGcnAprWithMoreStepsTrainsAgainstAStrongerPerturbation()
    {
        var data = TinyData.Random(30, 24, 5, 12);
        var (fgsm, msap) = AdversarialLossOfTheFirstAprEpoch(steps => new LightGcnApr(new LightGcnAprOptions
        {
            Factors = 8,
            Layers = 2,
            BatchSize = 4096,
            LearningRate = 0.05f,
            Epochs = 2,
            AdversarialEpochs = 1,
            Epsilon = 1f,
            AdversarialSteps = steps,
            Device = "cpu",
        }, data));
        Assert.True(msap > fgsm, $"MSAP's adversarial loss {msap} should exceed FGSM's {fgsm}");
    }

    [Fact]
    public void AmfWithMoreStepsTrainsAgainstAStrongerPerturbation()
    {
        var data = TinyData.Random(30, 24, 5, 12);
        var (fgsm, msap) = AdversarialLossOfTheFirstAprEpoch(steps => new Amf(new AmfOptions
        {
            Factors = 8,
            BatchSize = 4096,
            LearningRate = 0.05f,
            Optimizer = OptimizerKind.Adagrad,
            Init = Initialization.TruncatedNormal,
            InitStd = 0.1f,
            Regularization = 0,
            Epochs = 2,
            AdversarialEpochs = 1,
            Epsilon = 1f,
            AdversarialWeight = 1,
            AdversarialSteps = steps,
            Threads = 1,
        }, data));
        Assert.True(msap > fgsm, $"MSAP's adversarial loss {msap} should exceed FGSM's {fgsm}");
    }

    [Fact]
    public void AmfsBatchMsapStaysInTheBudget()
    {
        var data = TinyData.Random(30, 24, 5, 13);
        double AdversarialLoss(float epsilon, int steps, float? stepSize)
        {
            using var amf = new Amf(new AmfOptions
            {
                Factors = 8,
                BatchSize = 4096,
                Epochs = 1,
                AdversarialEpochs = 1,
                Epsilon = epsilon,
                AdversarialSteps = steps,
                AdversarialStepSize = stepSize,
                Threads = 1,
            }, data);
            return amf.TrainEpoch(null, default).AdversarialLoss;
        }
        // steps of 100 would carry Δ far out without the projection; inside ε 0.5 the loss stays below FGSM's at ε 5
        double msap = AdversarialLoss(0.5f, 3, 100f), wide = AdversarialLoss(5f, 1, null);
        Assert.True(double.IsFinite(msap) && msap < wide, $"MSAP at ε 0.5 with steps of 100: {msap}; FGSM at ε 5: {wide}");
    }

    [Fact]
    public void MultiStepAprIsReachableFromAStudy()
    {
        using var dir = new TempDirectory();
        string yaml = AdvRec.Tests.Experiments.TinyVisualStudy.Yaml(
            "    AMF:\n      meta:\n        epochs: 2\n        verbose: true\n      hyperparameters:\n        factors: 4\n" +
            "        adversarial_epochs: 1\n        adversarial_steps: 3\n        adversarial_step_size: 0.2\n");
        var study = AdvRec.Tests.Experiments.Config.ConfigTestSupport.Load(dir, yaml, schemas: ModelRegistry.Schemas);
        var options = (AmfOptions)study.Models[0].Variants[0].Options;
        Assert.Equal((3, 0.2f), (options.AdversarialSteps, options.AdversarialStepSize));
        var result = AdvRec.Experiments.StudyRunner.Run(study, new AdvRec.Experiments.StudyRunOptions(dir.File("out")));
        string log = File.ReadAllText(Path.Combine(result.OutputFolder, "run.log"));
        Assert.Contains("AdversarialSteps = 3, AdversarialStepSize = 0.2", log);
        Assert.Contains("AMF epoch 2 (APR)", log);
    }
}
