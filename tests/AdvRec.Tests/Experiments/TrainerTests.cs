using AdvRec.Adversarial;
using AdvRec.Data;
using AdvRec.Evaluation;
using AdvRec.Experiments.Training;
using AdvRec.Models;
using AdvRec.Models.Factorization;

namespace AdvRec.Tests.Experiments;

public class TrainerTests
{
    // 4 users, 6 items; user u trained on item (u+1) % 6 and holds out item u.
    private static (Interactions Train, Interactions Holdout) Data()
    {
        int[] users = [0, 1, 2, 3];
        return (Interactions.Build(4, 6, users, users.Select(u => (u + 1) % 6).ToArray()), Interactions.Build(4, 6, users, users));
    }

    private static readonly EvaluationOptions HitAt1 = new() { Cutoffs = [1], Metrics = [RankingMetric.HitRate] };

    [Fact]
    public void SelectsTheBestValidationEpochRestoresItsWeightsAndStopsEarly()
    {
        var (train, holdout) = Data();
        var model = new ScriptedModel(goodEpoch: 3);
        var validation = new RankingEvaluator(train, holdout, HitAt1);
        var history = Trainer.Train(model, new TrainerOptions { Epochs = 10, ValidationMetric = new(RankingMetric.HitRate, 1), Patience = 2 }, validation, null);
        Assert.Equal(3, history.BestEpoch);
        Assert.Equal(1.0, history.BestValidation);
        Assert.True(history.StoppedEarly);
        Assert.Equal(5, history.Epochs.Count); // validations at 4 and 5 did not improve: patience 2
        Assert.Equal(3, model.State); // the weights of epoch 3 are back
        Assert.Equal([0.0, 0.0, 1.0, 0.0, 0.0], history.Epochs.Select(e => e.Validation!.Value));
    }

    [Fact]
    public void EarlyStoppingCanWatchTheTrainingLossOrAnotherMetric()
    {
        var (train, holdout) = Data();
        // the scripted loss (the epoch index) only grows: with patience 2, stop after epoch 3
        var byLoss = Trainer.Train(new ScriptedModel(goodEpoch: 9), new TrainerOptions { Epochs = 10, ValidationMetric = new(RankingMetric.HitRate, 1), Patience = 2, MonitorLoss = true },
            new RankingEvaluator(train, holdout, HitAt1), null);
        Assert.True(byLoss.StoppedEarly);
        Assert.Equal(3, byLoss.Epochs.Count);

        var twoMetrics = new EvaluationOptions { Cutoffs = [1], Metrics = [RankingMetric.HitRate, RankingMetric.Mrr] };
        var byMetric = Trainer.Train(new ScriptedModel(goodEpoch: 3), new TrainerOptions { Epochs = 10, ValidationMetric = new(RankingMetric.HitRate, 1), Patience = 2, Monitor = new(RankingMetric.Mrr, 1) },
            new RankingEvaluator(train, holdout, twoMetrics), null);
        Assert.Equal(5, byMetric.Epochs.Count); // MRR@1 peaks with HR@1 at epoch 3
        Assert.Equal(3, byMetric.BestEpoch);

        Assert.Throws<ArgumentException>(() => Trainer.Train(new ScriptedModel(1), new TrainerOptions { Patience = 2 }, null, null));
    }

    [Fact]
    public void WithoutValidationTheLastEpochIsKeptAndSaidSo()
    {
        var model = new ScriptedModel(goodEpoch: 2);
        var history = Trainer.Train(model, new TrainerOptions { Epochs = 4 }, null, null);
        Assert.False(history.SelectedOnValidation);
        Assert.Equal(4, history.BestEpoch);
        Assert.Equal(4, model.State);
        Assert.All(history.Epochs, e => Assert.Null(e.Validation));
    }

    [Fact]
    public void ValidationRateAndEvalPerturbationsOnARealModel()
    {
        var data = SyntheticDataset.Generate(2, new SyntheticOptions { Users = 300, Items = 200 });
        var model = new Amf(new AmfOptions { Factors = 16, Epochs = 6, AdversarialEpochs = 2, LearningRate = 0.01f, Regularization = 0.001f }, data.Train);
        var options = new EvaluationOptions { Cutoffs = [10, 20], Metrics = [RankingMetric.HitRate, RankingMetric.Ndcg] };
        var evaluator = new RankingEvaluator(data.Train, data.Test, options);
        var history = Trainer.Train(model,
            new TrainerOptions { Epochs = 6, ValidationRate = 2, ValidationMetric = new(RankingMetric.Ndcg, 10), EvalPerturbations = true, Attack = new AttackOptions { Epsilon = 0.1f, Steps = 3 } },
            evaluator, evaluator);
        Assert.Equal([false, false, false, false, true, true], history.Epochs.Select(e => e.Adversarial));
        Assert.Equal([false, true, false, true, false, true], history.Epochs.Select(e => e.Validation.HasValue));
        Assert.Equal(3 * 2, history.TestPerturbations.Count); // 3 validations × 2 cutoffs
        Assert.Equal(["Epoch", "AdvEpoch", "K", "HR", "nDCG", "SSAP-HR", "SSAP-nDCG", "MSAP-HR", "MSAP-nDCG"], history.PerturbationColumns);
        Assert.Equal(["6", "2", "20"], history.TestPerturbations[^1].Take(3));
    }

    [Fact]
    public void AValidationMetricThatIsNotEvaluatedIsAnError()
    {
        var (train, holdout) = Data();
        var e = Assert.Throws<ArgumentException>(() =>
            Trainer.Train(new ScriptedModel(1), new TrainerOptions { ValidationMetric = new(RankingMetric.Ndcg, 10) }, new RankingEvaluator(train, holdout, HitAt1), null));
        Assert.Contains("nDCG@10", e.Message);
    }

    /// <summary>After epoch <c>goodEpoch</c> (and only then) the held-out item of every user scores highest.</summary>
    private sealed class ScriptedModel(int goodEpoch) : IIterativeModel
    {
        private static readonly PerturbationTarget[] Targets = [new("nothing", 1, 1)];

        public int State { get; private set; }

        public int NumUsers => 4;

        public int NumItems => 6;

        public int EpochsTrained => State;

        public bool NextEpochIsAdversarial => false;

        public IReadOnlyList<PerturbationTarget> PerturbationTargets => Targets;

        public EpochStats TrainEpoch(IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken) => new(State, State++, 0, 1, 0);

        public object TakeSnapshot() => State;

        public void RestoreSnapshot(object snapshot) => State = (int)snapshot;

        public void Score(ReadOnlySpan<int> users, Span<float> scores)
        {
            for (int r = 0; r < users.Length; r++)
                for (int i = 0; i < 6; i++)
                    scores[r * 6 + i] = i == users[r] ? (State == goodEpoch ? 1f : 0f) : 0.5f;
        }

        public ILossSample DrawAttackSample(ulong seed) => new TripleSample([], [], []);

        public double LossGradient(ILossSample sample, Perturbation? at, Perturbation gradient) => 0;

        public IPerturbedView WithPerturbation(Perturbation delta) => new UnchangedView(this);

        public void Dispose()
        {
        }
    }
}
