using AdvRec.Adversarial;
using AdvRec.Evaluation;
using AdvRec.Experiments;
using AdvRec.Experiments.Training;
using AdvRec.Models;
using AdvRec.Models.Baselines;

namespace AdvRec.Tests.Models;

public class MostPopTests
{
    [Fact]
    public void ScoresAreTrainingCountsAfterTheFirstEpoch()
    {
        var data = TinyData.Random(20, 9, 3, 4);
        var model = new MostPop(new MostPopOptions(), data);
        var scores = new float[2 * 9];
        model.Score([0, 5], scores);
        Assert.All(scores, s => Assert.Equal(0f, s));
        var stats = model.TrainEpoch(null, default);
        Assert.Equal(data.Count, stats.Steps);
        model.Score([0, 5], scores);
        var degrees = data.ItemDegrees();
        for (int i = 0; i < 9; i++)
        {
            Assert.Equal(degrees[i], scores[i]);
            Assert.Equal(degrees[i], scores[9 + i]);
        }
        var snapshot = model.TakeSnapshot();
        Assert.Equal(0, model.TrainEpoch(null, default).Steps); // later epochs change nothing
        model.RestoreSnapshot(snapshot);
        Assert.Equal(2, model.EpochsTrained);
    }

    [Fact]
    public void AttacksFindNothingToPerturbAndTheTrainerCopes()
    {
        var train = TinyData.Random(30, 12, 4, 1);
        var test = TinyData.Random(30, 12, 1, 2).Where((u, i) => !train.Contains(u, i));
        var model = new MostPop(new MostPopOptions(), train);
        Assert.Empty(model.PerturbationTargets);
        var evaluator = new RankingEvaluator(train, test, new EvaluationOptions { Cutoffs = [5], Metrics = [RankingMetric.Recall] });
        var history = Trainer.Train(model, new TrainerOptions { Epochs = 2, ValidationMetric = new MetricKey(RankingMetric.Recall, 5), EvalPerturbations = true, Attack = new AttackOptions { Steps = 3 } }, evaluator, evaluator);
        Assert.Equal(2, history.Epochs.Count);
        // clean, FGSM and MSAP columns agree: there is nothing an attack could shift
        foreach (var row in history.TestPerturbations)
        {
            Assert.Equal(row[3], row[4]);
            Assert.Equal(row[3], row[5]);
        }
        var delta = Fgsm.Attack(model, model.DrawAttackSample(1), 0.5f);
        var curve = RobustnessSweep.Run(model, evaluator, [0.5f, 1f], new AttackOptions(), 3);
        Assert.All(curve.Points, p => Assert.Equal(curve.Clean.Mean(RankingMetric.Recall, 5), p.Attacked.Mean(RankingMetric.Recall, 5)));
        using (var view = model.WithPerturbation(delta))
            Assert.Same(model, Assert.IsType<UnchangedView>(view).Model);
        Assert.Throws<ArgumentException>(() => Fgsm.Attack(model, model.DrawAttackSample(1), 0.5f, ["user_embeddings"]));
    }

    [Fact]
    public void IsRegistered() =>
        Assert.True(ModelRegistry.Models.ContainsKey("MostPop"));
}
