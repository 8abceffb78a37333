using AdvRec.Adversarial;
using AdvRec.Data;
using AdvRec.Models;
using AdvRec.Neural;
using AdvRec.Neural.Autoencoders;
using AdvRec.Tests.Models;
using AdvRec.Tests.Neural.Autoencoders;

namespace AdvRec.Tests.Neural;

/// <summary>
/// The generic adversarial training of the neural engine (<see cref="AdversarialTrainingOptions"/>): for each model, two
/// copies with one seed train the same epochs, one with its last epochs adversarial; under the FGSM attack of the
/// trained budget on the perturbed target, the adversarially trained copy has the lower training loss.
/// </summary>
[Collection(TorchCollection.Name)]
public class AdversarialTrainingTests
{
    private const int Epochs = 12, AdversarialEpochs = 6;
    private const float Epsilon = 1f;

    public static TheoryData<string, string> Models => new()
    {
        { "CDAE", "hidden" },
        { "CDAE", "input" },
        { "MultVAE", "hidden" },
        { "MultVAE", "latent_mean" },
        { "MultVAE", "input" },
        { "MultDAE", "input" },
        { "DeepRec", "hidden" },
        { "U-AutoRec", "hidden" },
        { "I-AutoRec", "input" },
        { "ACAE", "hidden" },
        { "FG-ACAE", "user" },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void AdversarialEpochsLowerTheLossUnderTheBatchAttack(string name, string target)
    {
        using var plain = Create(name, target, adversarialEpochs: 0);
        using var robust = Create(name, target, AdversarialEpochs);
        for (int e = 0; e < Epochs; e++)
        {
            bool adversarial = e >= Epochs - AdversarialEpochs;
            Assert.False(plain.NextEpochIsAdversarial);
            Assert.Equal(adversarial, robust.NextEpochIsAdversarial);
            plain.TrainEpoch(null, default);
            var stats = robust.TrainEpoch(null, default);
            Assert.Equal(adversarial, stats.AdversarialLoss > 0);
        }
        double plainAttacked = LossUnderAttack(plain, target), robustAttacked = LossUnderAttack(robust, target);
        Assert.True(robustAttacked < plainAttacked,
            $"{name} on {target}: the loss under FGSM (eps {Epsilon}) is {robustAttacked} after adversarial epochs and {plainAttacked} without");
    }

    [Fact]
    public void MultiStepJointTrainingRunsAndReportsTheAdversarialLoss()
    {
        var options = new CdaeOptions
        {
            Hidden = 8,
            BatchSize = 16,
            LearningRate = 1e-2f,
            Device = "cpu",
            Corruption = 0.2f,
            Epochs = 2,
            AdversarialEpochs = 1,
            AdversarialTargets = new Dictionary<string, float> { ["user"] = 1, ["hidden"] = 1 },
            EpsilonScale = new Dictionary<string, float> { ["user"] = 0.5f },
            JointPerturbation = true,
            AdversarialSteps = 3,
        };
        using var model = new Cdae(options, TinyData.Random(30, 20, 5, 4));
        Assert.Equal(0, model.TrainEpoch(null, default).AdversarialLoss);
        var stats = model.TrainEpoch(null, default);
        Assert.True(stats.AdversarialLoss > 0 && double.IsFinite(stats.AdversarialLoss), $"adversarial loss {stats.AdversarialLoss}");
        NeuralContract.Check(() => new Cdae(options with { Epochs = 3, AdversarialEpochs = 2, Corruption = 0 }, TinyData.Random(40, 30, 6, 5)));
    }

    [Fact]
    public void BadAdversarialSettingsAreNamed()
    {
        var data = TinyData.Random(10, 8, 3, 1);
        var small = new CdaeOptions { Hidden = 4, Device = "cpu" };
        var e = Assert.Throws<ArgumentException>(() => new Cdae(small with { AdversarialTargets = new Dictionary<string, float> { ["latent"] = 1 } }, data));
        Assert.Equal("AdversarialTargets", e.ParamName);
        Assert.Contains("its targets are input, user, hidden", e.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => new Cdae(small with { Epochs = 3, AdversarialEpochs = 4 }, data));
        Assert.Equal("AdversarialEpochs", range.ParamName);
        range = Assert.Throws<ArgumentOutOfRangeException>(() => new Cdae(small with { AdversarialSteps = 0 }, data));
        Assert.Equal("AdversarialSteps", range.ParamName);
        range = Assert.Throws<ArgumentOutOfRangeException>(() => new Cdae(small with { JointPerturbation = true, AdversarialTargets = new Dictionary<string, float> { ["hidden"] = 2 } }, data));
        Assert.Equal("AdversarialTargets", range.ParamName);
        range = Assert.Throws<ArgumentOutOfRangeException>(() => new Acae(new AcaeOptions { Device = "cpu", EpsilonScale = new Dictionary<string, float> { ["user"] = -1 } }, data));
        Assert.Equal("EpsilonScale", range.ParamName);
    }

    [Fact]
    public void AcaePreTrainsForHalfTheEpochsByDefault()
    {
        var data = TinyData.Random(20, 12, 4, 2);
        using var coarse = new Acae(new AcaeOptions { Hidden = 4, Device = "cpu", Epochs = 4 }, data);
        Assert.Equal(["input", "user", "item", "hidden"], coarse.PerturbationTargets.Select(t => t.Name));
        Assert.Equal([false, false, true, true], Enumerable.Range(0, 4).Select(_ => Adversarial(coarse)));
        using var fine = new Acae(new AcaeOptions { Hidden = 4, Device = "cpu", Epochs = 2, FineGrained = true }, data);
        Assert.Equal(["input", "user", "item", "hidden", "mix_encoder", "mix_hidden"], fine.PerturbationTargets.Select(t => t.Name));
    }

    [Fact]
    public void AcaeKeepsTheNeuralContract()
    {
        NeuralContract.Check(() => new Acae(new AcaeOptions { Hidden = 8, BatchSize = 16, LearningRate = 1e-2f, Device = "cpu", Epochs = 3 }, TinyData.Random(40, 30, 6, 5)));
        NeuralContract.Check(() => new Acae(new AcaeOptions { Hidden = 8, BatchSize = 16, LearningRate = 1e-2f, Device = "cpu", Epochs = 3, FineGrained = true }, TinyData.Random(40, 30, 6, 6)));
    }

    private static bool Adversarial(NeuralModel model)
    {
        bool adversarial = model.NextEpochIsAdversarial;
        model.TrainEpoch(null, default);
        return adversarial;
    }

    private static double LossUnderAttack(NeuralModel model, string target)
    {
        var sample = model.DrawAttackSample(1);
        var fgsm = Fgsm.Attack(model, sample, Epsilon, [target]);
        return model.LossGradient(sample, fgsm, new Perturbation(model.PerturbationTargets));
    }

    private static NeuralModel Create(string name, string target, int adversarialEpochs)
    {
        var targets = new Dictionary<string, float> { [target] = 1 };
        Interactions implicitData = TinyData.Random(60, 40, 8, 11), rated = RatedData.Random(60, 40, 8, 11);
        return name switch
        {
            "CDAE" => new Cdae(new CdaeOptions { Hidden = 8, BatchSize = 16, LearningRate = 1e-2f, Corruption = 0, Device = "cpu", Epochs = Epochs, AdversarialEpochs = adversarialEpochs, Epsilon = Epsilon, AdversarialTargets = targets }, implicitData),
            "MultVAE" => new MultVae(new MultVaeOptions { Hidden = 16, Latent = 8, BatchSize = 16, LearningRate = 1e-2f, Dropout = 0, TotalAnnealSteps = 10, Device = "cpu", Epochs = Epochs, AdversarialEpochs = adversarialEpochs, Epsilon = Epsilon, AdversarialTargets = targets }, implicitData),
            "MultDAE" => new MultDae(new MultDaeOptions { Hidden = 16, Latent = 8, BatchSize = 16, LearningRate = 1e-2f, Dropout = 0, Device = "cpu", Epochs = Epochs, AdversarialEpochs = adversarialEpochs, Epsilon = Epsilon, AdversarialTargets = targets }, implicitData),
            "DeepRec" => new DeepRec(new DeepRecOptions { Layers = [8, 6], Dropout = 0, LearningRate = 0.01f, BatchSize = 8, Device = "cpu", Epochs = Epochs, AdversarialEpochs = adversarialEpochs, Epsilon = Epsilon, AdversarialTargets = targets }, rated),
            "U-AutoRec" or "I-AutoRec" => new AutoRec(new AutoRecOptions { ItemBased = name == "I-AutoRec", Hidden = 8, LearningRate = 0.01f, BatchSize = 8, Device = "cpu", Epochs = Epochs, AdversarialEpochs = adversarialEpochs, Epsilon = Epsilon, AdversarialTargets = targets }, rated),
            "ACAE" or "FG-ACAE" => new Acae(new AcaeOptions { Hidden = 8, BatchSize = 16, LearningRate = 1e-2f, Device = "cpu", FineGrained = name == "FG-ACAE", Epochs = Epochs, AdversarialEpochs = adversarialEpochs, Epsilon = Epsilon, AdversarialTargets = targets, JointPerturbation = false }, implicitData),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such model in this test"),
        };
    }
}
