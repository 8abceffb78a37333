using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Experiments.Training;
using AdvRec.Models;
using AdvRec.Models.Factorization;
using AdvRec.Tests.Experiments.Config;

namespace AdvRec.Tests.Experiments;

/// <summary>
/// The runner disposes every model it creates: each grid point, the best one once its outputs are written, and
/// whichever it holds when training throws or is cancelled.
/// </summary>
public class StudyDisposalTests
{
    /// <summary>A BPR-MF grid of three points (factors 2, 3, 4), two epochs each, on fixed files with a validation split.</summary>
    private static string GridStudy(TempDirectory dir)
    {
        var train = new System.Text.StringBuilder();
        var validation = new System.Text.StringBuilder();
        var test = new System.Text.StringBuilder();
        for (int u = 0; u < 8; u++)
        {
            for (int k = 0; k < 4; k++) train.Append($"u{u}\ti{(u + k) % 10}\n");
            validation.Append($"u{u}\ti{(u + 4) % 10}\n");
            test.Append($"u{u}\ti{(u + 5) % 10}\n");
        }
        dir.Write("train.tsv", train.ToString());
        dir.Write("validation.tsv", validation.ToString());
        dir.Write("test.tsv", test.ToString());
        return "experiment:\n" +
               "  dataset: tiny\n" +
               "  data_config:\n" +
               "    strategy: fixed\n" +
               "    train_path: train.tsv\n" +
               "    validation_path: validation.tsv\n" +
               "    test_path: test.tsv\n" +
               "  evaluation:\n" +
               "    cutoffs: [2]\n" +
               "    simple_metrics: [HR]\n" +
               "  models:\n" +
               "    BPR-MF:\n" +
               "      meta:\n" +
               "        epochs: 2\n" +
               "      hyperparameters:\n" +
               "        threads: 1\n" +
               "      grid:\n" +
               "        factors: [2, 3, 4]\n";
    }

    /// <summary>
    /// The registry with BPR-MF wrapped in <see cref="Probe"/>s, which <paramref name="created"/> collects;
    /// <paramref name="onEpoch"/> sees each probe's number (0-based) and epoch before the epoch trains.
    /// </summary>
    private static Dictionary<string, ModelDefinition> Models(List<Probe> created, Action<int, int>? onEpoch = null)
    {
        var bpr = ModelRegistry.Models[BprMf.ModelName];
        var models = new Dictionary<string, ModelDefinition>(ModelRegistry.Models, StringComparer.OrdinalIgnoreCase)
        {
            [bpr.Name] = bpr with
            {
                Build = (o, c) =>
                {
                    var probe = new Probe(bpr.Build(o, c), created.Count, onEpoch);
                    created.Add(probe);
                    return probe;
                },
            },
        };
        return models;
    }

    private static StudyConfig Load(TempDirectory dir, Dictionary<string, ModelDefinition> models) =>
        ConfigTestSupport.Load(dir, GridStudy(dir), schemas: ModelRegistry.SchemasOf(models));

    [Fact]
    public void EveryGridPointIsDisposedOnceAfterASuccessfulRun()
    {
        using var dir = new TempDirectory();
        var created = new List<Probe>();
        var models = Models(created);
        var result = StudyRunner.Run(Load(dir, models), new StudyRunOptions(dir.File("out")) { Models = models });
        Assert.Single(result.Best);
        Assert.Equal(3, created.Count);
        Assert.All(created, p => Assert.Equal(1, p.Disposals));
    }

    [Fact]
    public void EveryCreatedModelIsDisposedWhenTrainingThrows()
    {
        using var dir = new TempDirectory();
        var created = new List<Probe>();
        // the second grid point fails in its second epoch, while the first is held as the best so far
        var models = Models(created, (model, epoch) =>
        {
            if (model == 1 && epoch == 1) throw new InvalidOperationException("training failed");
        });
        var e = Assert.Throws<InvalidOperationException>(() => StudyRunner.Run(Load(dir, models), new StudyRunOptions(dir.File("out")) { Models = models }));
        Assert.Equal("training failed", e.Message);
        Assert.Equal(2, created.Count);
        Assert.All(created, p => Assert.Equal(1, p.Disposals));
    }

    [Fact]
    public void EveryCreatedModelIsDisposedWhenTheRunIsCancelled()
    {
        using var dir = new TempDirectory();
        var created = new List<Probe>();
        using var cancel = new CancellationTokenSource();
        var models = Models(created, (model, epoch) =>
        {
            if (model == 2 && epoch == 1) cancel.Cancel();
        });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            StudyRunner.Run(Load(dir, models), new StudyRunOptions(dir.File("out")) { Models = models }, null, cancel.Token));
        Assert.Equal(3, created.Count);
        Assert.All(created, p => Assert.Equal(1, p.Disposals));
    }

    /// <summary>A model that counts its disposals and lets a test act before each epoch.</summary>
    private sealed class Probe(IIterativeModel inner, int number, Action<int, int>? onEpoch) : IIterativeModel
    {
        public int Disposals { get; private set; }

        public int NumUsers => inner.NumUsers;

        public int NumItems => inner.NumItems;

        public int EpochsTrained => inner.EpochsTrained;

        public bool NextEpochIsAdversarial => inner.NextEpochIsAdversarial;

        public IReadOnlyList<PerturbationTarget> PerturbationTargets => inner.PerturbationTargets;

        public void Score(ReadOnlySpan<int> users, Span<float> scores) => inner.Score(users, scores);

        public EpochStats TrainEpoch(IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
        {
            onEpoch?.Invoke(number, inner.EpochsTrained);
            cancellationToken.ThrowIfCancellationRequested();
            return inner.TrainEpoch(progress, cancellationToken);
        }

        public object TakeSnapshot() => inner.TakeSnapshot();

        public void RestoreSnapshot(object snapshot) => inner.RestoreSnapshot(snapshot);

        public ILossSample DrawAttackSample(ulong seed) => inner.DrawAttackSample(seed);

        public double LossGradient(ILossSample sample, Perturbation? at, Perturbation gradient) => inner.LossGradient(sample, at, gradient);

        public IPerturbedView WithPerturbation(Perturbation delta) => inner.WithPerturbation(delta);

        public void Dispose()
        {
            Disposals++;
            inner.Dispose();
        }
    }
}
