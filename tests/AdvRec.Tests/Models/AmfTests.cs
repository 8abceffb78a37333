using AdvRec.Adversarial;
using AdvRec.Data;
using AdvRec.Evaluation;
using AdvRec.Models.Factorization;

namespace AdvRec.Tests.Models;

public class AmfTests
{
    [Fact]
    public void AprRunsOnlyInTheLastAdversarialEpochs()
    {
        var train = TinyData.Random(users: 50, items: 40, perUser: 8, seed: 1);
        var amf = new Amf(new AmfOptions { Factors = 8, Epochs = 5, AdversarialEpochs = 2 }, train);
        var adversarial = Enumerable.Range(0, 5).Select(_ => amf.TrainEpoch().AdversarialLoss > 0).ToArray();
        Assert.Equal([false, false, false, true, true], adversarial);
        Assert.Equal(3, new AmfOptions { Epochs = 7 }.EffectiveAdversarialEpochs); // Elliot: epochs // 2
    }

    [Fact]
    public void MoreAdversarialEpochsThanEpochsIsAnError()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AmfOptions { Epochs = 3, AdversarialEpochs = 4 }.Validate());
        Assert.Equal("AdversarialEpochs", e.ParamName);
    }

    [Fact]
    public void GlorotInitialisationHasTheKerasBound()
    {
        var train = TinyData.Random(users: 50, items: 40, perUser: 8, seed: 1);
        var amf = new Amf(new AmfOptions { Factors = 10 }, train);
        float a = MathF.Sqrt(6f / (50 + 10));
        Assert.All(amf.Factorization.UserFactors.ToArray(), v => Assert.InRange(v, -a, a));
        Assert.True(amf.Factorization.UserFactors.ToArray().Max() > 0.8f * a);
    }

    [Fact]
    public void BothRecipesLearnAndAprMakesTheModelMoreRobust()
    {
        // The paper's recipe on the synthetic data: 10 BPR + 10 APR epochs, against 20 BPR epochs.
        var data = SyntheticDataset.Generate(5, new SyntheticOptions { Users = 800, Items = 600 });
        var paper = new AmfOptions
        {
            Factors = 32,
            LearningRate = 0.05f,
            Regularization = 0,
            ItemBias = false,
            Optimizer = OptimizerKind.Adagrad,
            Init = Initialization.TruncatedNormal,
            Epsilon = 0.5f,
            AdversarialWeight = 1f,
            Epochs = 20,
            AdversarialEpochs = 10,
        };
        var plain = new BprMf(paper.ToBprMfOptions(), data.Train);
        var amf = new Amf(paper, data.Train);
        for (int e = 0; e < 20; e++) { plain.TrainEpoch(); amf.TrainEpoch(); }
        var options = new EvaluationOptions { Cutoffs = [50], Metrics = [RankingMetric.HitRate] };
        double Drop(AdvRec.Models.IPerturbable m)
        {
            double clean = RankingEvaluator.Evaluate(m, data.Train, data.Test, options).Mean(RankingMetric.HitRate, 50);
            var delta = Fgsm.Attack(m, m.DrawAttackSample(9), 0.5f);
            using var view = m.WithPerturbation(delta);
            double attacked = RankingEvaluator.Evaluate(view, data.Train, data.Test, options).Mean(RankingMetric.HitRate, 50);
            Assert.True(clean > 0.2, $"clean HR@50 {clean}");
            return (clean - attacked) / clean;
        }
        double plainDrop = Drop(plain), amfDrop = Drop(amf);
        Assert.True(amfDrop < plainDrop, $"FGSM drop: AMF {amfDrop:P1}, BPR-MF {plainDrop:P1}");

        // Elliot's recipe (item bias, Adam, Glorot) trains too
        var elliot = new Amf(new AmfOptions { Factors = 32, Epochs = 6, AdversarialEpochs = 3, LearningRate = 0.005f, Regularization = 0.01f }, data.Train);
        double first = elliot.TrainEpoch().Loss, last = first;
        for (int e = 1; e < 6; e++) last = elliot.TrainEpoch().Loss;
        Assert.True(last < first, $"Elliot recipe loss {first} -> {last}");
    }
}
