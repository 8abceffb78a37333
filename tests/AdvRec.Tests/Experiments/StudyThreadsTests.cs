using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Models;
using AdvRec.Models.Baselines;
using AdvRec.Models.Factorization;
using AdvRec.Tests.Experiments.Config;

namespace AdvRec.Tests.Experiments;

/// <summary>
/// <c>experiment.threads</c> and <see cref="StudyRunOptions.Threads"/> on the managed models and on a stand-in native
/// engine: what the runner hands each model, and the engine's count during and after the run (no timing).
/// </summary>
public class StudyThreadsTests
{
    /// <summary>A study on the small synthetic visual dataset, one epoch per model; <paramref name="extra"/> lines go under experiment.</summary>
    private static string Study(string models, string extra = "", int users = 30) => TinyVisualStudy.Yaml(models, extra, users);

    private static string Model(string name, string hyperparameters = "") =>
        $"    {name}:\n      meta:\n        epochs: 1\n" + (hyperparameters.Length > 0 ? "      hyperparameters:\n" + hyperparameters : "");

    /// <summary>A count that stands for a native engine's, with every value set on it.</summary>
    private sealed class FakeEngine
    {
        public int Count { get; set; } = 4;

        public List<int> Sets { get; } = [];

        public EngineThreads Threads => new("fake-engine", () => Count, n =>
        {
            Sets.Add(n);
            Count = n;
        });
    }

    /// <summary>
    /// The managed models, each recording the options the runner creates it from, plus <c>FakePop</c> (MostPop on
    /// <paramref name="engine"/>, recording the engine's count when it is created and throwing when <paramref name="fail"/>).
    /// </summary>
    private static Dictionary<string, ModelDefinition> Models(List<(string Model, object Options)> created, FakeEngine? engine = null,
        List<int>? engineDuring = null, bool fail = false)
    {
        var models = ModelRegistry.Models.ToDictionary(kv => kv.Key, kv => kv.Value with
        {
            Build = (o, c) =>
            {
                created.Add((kv.Key, o));
                return kv.Value.Build(o, c);
            },
        }, StringComparer.OrdinalIgnoreCase);
        if (engine is not null)
        {
            var pop = ModelRegistry.Models[MostPop.ModelName];
            models["FakePop"] = pop with
            {
                Name = "FakePop",
                EngineThreads = engine.Threads,
                Build = (o, c) =>
                {
                    engineDuring?.Add(engine.Count);
                    created.Add(("FakePop", o));
                    return fail ? throw new InvalidOperationException("FakePop fails") : pop.Build(o, c);
                },
            };
        }
        return models;
    }

    private static StudyConfig Load(TempDirectory dir, string yaml, IReadOnlyDictionary<string, ModelDefinition> models) =>
        ConfigTestSupport.Load(dir, yaml, schemas: ModelRegistry.SchemasOf(models));

    private static string RunLog(StudyResult result) => File.ReadAllText(Path.Combine(result.OutputFolder, "run.log"));

    [Fact]
    public void EveryModelWithAThreadsOptionGetsTheStudyThreadsUnlessItsConfigSetsThem()
    {
        using var dir = new TempDirectory();
        var created = new List<(string Model, object Options)>();
        var models = Models(created);
        string yaml = Study(
            Model("BPR-MF", "        factors: 4\n") +
            Model("AMF", "        factors: 4\n        epochs: 1\n        adversarial_epochs: 1\n        threads: 2\n") +
            "    VBPR:\n      meta:\n        epochs: 1\n      grid:\n        threads: [3]\n" + // a one-point grid needs no validation split
            Model("AMR", "        factors: 4\n        epochs: 1\n        adversarial_epochs: 1\n") +
            Model("MostPop"),
            extra: "  threads: 1\n");
        var study = Load(dir, yaml, models);
        var result = StudyRunner.Run(study, new StudyRunOptions(dir.File("out")) { Models = models });

        Assert.Equal(["BPR-MF", "AMF", "VBPR", "AMR", "MostPop"], created.Select(c => c.Model));
        Assert.Equal(1, ((BprMfOptions)created[0].Options).Threads);
        Assert.Equal(2, ((AmfOptions)created[1].Options).Threads); // its own hyperparameter wins
        Assert.Equal(3, ((VbprOptions)created[2].Options).Threads); // so does a grid value
        Assert.Equal(1, ((AmrOptions)created[3].Options).Threads);
        Assert.Same(study.Models[4].Variants[0].Options, created[4].Options); // MostPop has no threads: untouched
        // only Threads changes: the rest is the options the config bound
        Assert.Equal((BprMfOptions)study.Models[0].Variants[0].Options with { Threads = 1 }, (BprMfOptions)created[0].Options);
        Assert.Equal(0, ((BprMfOptions)study.Models[0].Variants[0].Options).Threads); // the loaded config is not changed

        string log = RunLog(result);
        Assert.Contains("threads: 1 (experiment.threads): managed models (BPR-MF, AMR) and evaluation; AMF, VBPR set their own threads", log);
        Assert.Single(log.Split('\n'), line => line.Contains("] threads: ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, 1, "threads: 1 (experiment.threads): managed models (BPR-MF) and evaluation")]
    [InlineData(2, 2, "threads: 2 (--threads, over experiment.threads: 1): managed models (BPR-MF) and evaluation")]
    [InlineData(0, 0, "threads: all cores (--threads, over experiment.threads: 1)")]
    public void TheRunOptionOverridesExperimentThreads(int? option, int expected, string logged)
    {
        using var dir = new TempDirectory();
        var created = new List<(string Model, object Options)>();
        var models = Models(created);
        var study = Load(dir, Study(Model("BPR-MF", "        factors: 4\n"), extra: "  threads: 1\n"), models);
        var result = StudyRunner.Run(study, new StudyRunOptions(dir.File("out")) { Models = models, Threads = option });
        Assert.Equal(expected, ((BprMfOptions)Assert.Single(created).Options).Threads);
        Assert.Contains(logged, RunLog(result));
    }

    [Fact]
    public void WithoutThreadsModelsAndEnginesAreLeftAlone()
    {
        using var dir = new TempDirectory();
        var created = new List<(string Model, object Options)>();
        var engine = new FakeEngine();
        var models = Models(created, engine);
        var study = Load(dir, Study(Model("BPR-MF", "        factors: 4\n") + Model("FakePop")), models);
        var result = StudyRunner.Run(study, new StudyRunOptions(dir.File("out")) { Models = models });
        Assert.Same(study.Models[0].Variants[0].Options, created[0].Options);
        Assert.Empty(engine.Sets);
        Assert.Contains("threads: all cores (experiment.threads absent or 0)", RunLog(result));
    }

    [Fact]
    public void AnEngineIsCappedDuringTheRunAndSetBackAfter()
    {
        using var dir = new TempDirectory();
        var created = new List<(string Model, object Options)>();
        var engine = new FakeEngine();
        var during = new List<int>();
        var models = Models(created, engine, during);
        var study = Load(dir, Study(Model("BPR-MF", "        factors: 4\n") + Model("FakePop"), extra: "  threads: 1\n"), models);
        var result = StudyRunner.Run(study, new StudyRunOptions(dir.File("out")) { Models = models });
        Assert.Equal([1], during);
        Assert.Equal([1, 4], engine.Sets);
        Assert.Equal(4, engine.Count);
        Assert.Contains("threads: 1 (experiment.threads): managed models (BPR-MF), evaluation and fake-engine (was 4)", RunLog(result));
    }

    [Fact]
    public void AnEngineIsSetBackWhenTheRunFails()
    {
        using var dir = new TempDirectory();
        var created = new List<(string Model, object Options)>();
        var engine = new FakeEngine();
        var during = new List<int>();
        var models = Models(created, engine, during, fail: true);
        var study = Load(dir, Study(Model("FakePop"), extra: "  threads: 2\n"), models);
        var e = Assert.Throws<InvalidOperationException>(() => StudyRunner.Run(study, new StudyRunOptions(dir.File("out")) { Models = models }));
        Assert.Equal("FakePop fails", e.Message);
        Assert.Equal([2], during);
        Assert.Equal([2, 4], engine.Sets);
        Assert.Equal(4, engine.Count);
    }

    [Fact]
    public void AnEngineNoModelOfTheStudyRunsOnIsNotTouched()
    {
        using var dir = new TempDirectory();
        var created = new List<(string Model, object Options)>();
        var engine = new FakeEngine();
        var models = Models(created, engine);
        var study = Load(dir, Study(Model("BPR-MF", "        factors: 4\n"), extra: "  threads: 1\n"), models);
        StudyRunner.Run(study, new StudyRunOptions(dir.File("out")) { Models = models });
        Assert.Empty(engine.Sets);
    }

    /// <summary>A model that counts how many threads score it at once.</summary>
    private sealed class ConcurrencyProbe(IIterativeModel inner) : IIterativeModel
    {
        private readonly Lock _gate = new();
        private int _active;
        private int _most;

        public int MostAtOnce
        {
            get
            {
                lock (_gate) return _most;
            }
        }

        public int NumUsers => inner.NumUsers;

        public int NumItems => inner.NumItems;

        public int EpochsTrained => inner.EpochsTrained;

        public bool NextEpochIsAdversarial => inner.NextEpochIsAdversarial;

        public IReadOnlyList<PerturbationTarget> PerturbationTargets => inner.PerturbationTargets;

        public void Score(ReadOnlySpan<int> users, Span<float> scores)
        {
            lock (_gate) _most = Math.Max(_most, ++_active);
            // hold the block, so that an uncapped evaluation scores another one meanwhile (seen to be 2 without the cap on
            // 2 cores); with the cap the count is 1 however long this takes
            Thread.Sleep(200);
            inner.Score(users, scores);
            lock (_gate) _active--;
        }

        public EpochStats TrainEpoch(IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken) => inner.TrainEpoch(progress, cancellationToken);

        public object TakeSnapshot() => inner.TakeSnapshot();

        public void RestoreSnapshot(object snapshot) => inner.RestoreSnapshot(snapshot);

        public ILossSample DrawAttackSample(ulong seed) => inner.DrawAttackSample(seed);

        public double LossGradient(ILossSample sample, Perturbation? at, Perturbation gradient) => inner.LossGradient(sample, at, gradient);

        public IPerturbedView WithPerturbation(Perturbation delta) => inner.WithPerturbation(delta);

        public void Dispose() => inner.Dispose();
    }

    [Fact]
    public void EvaluationRunsOnAtMostTheStudyThreads()
    {
        using var dir = new TempDirectory();
        var probes = new List<ConcurrencyProbe>();
        var bpr = ModelRegistry.Models[BprMf.ModelName];
        var models = new Dictionary<string, ModelDefinition>(StringComparer.OrdinalIgnoreCase)
        {
            [bpr.Name] = bpr with
            {
                Build = (o, c) =>
                {
                    var probe = new ConcurrencyProbe(bpr.Build(o, c));
                    probes.Add(probe);
                    return probe;
                },
            },
        };
        // 1,600 users: four blocks of 512 to score, which all cores would score at once
        var study = Load(dir, Study(Model("BPR-MF", "        factors: 4\n"), extra: "  threads: 1\n", users: 1600), models);
        StudyRunner.Run(study, new StudyRunOptions(dir.File("out")) { Models = models });
        Assert.Equal(1, Assert.Single(probes).MostAtOnce);
    }

    [Fact]
    public void ANegativeRunOptionIsRefusedBeforeAnythingIsWritten()
    {
        using var dir = new TempDirectory();
        var created = new List<(string Model, object Options)>();
        var models = Models(created);
        var study = Load(dir, Study(Model("BPR-MF", "        factors: 4\n")), models);
        Assert.Throws<ArgumentOutOfRangeException>(() => StudyRunner.Run(study, new StudyRunOptions(dir.File("out")) { Models = models, Threads = -1 }));
        Assert.False(Directory.Exists(dir.File("out")));
    }
}
