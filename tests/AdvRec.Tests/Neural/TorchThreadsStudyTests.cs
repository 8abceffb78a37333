using AdvRec.Adversarial;
using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Models;
using AdvRec.Neural;
using AdvRec.Tests.Experiments;
using AdvRec.Tests.Experiments.Config;
using TorchSharp;

namespace AdvRec.Tests.Neural;

/// <summary>
/// A study's <c>threads</c> on libtorch: the intra-op count that a neural model sees in its epochs, and the count after
/// the run, which is the one before it (also when training fails). Observed from inside the epochs, never by timing.
/// </summary>
[Collection(TorchCollection.Name)]
public class TorchThreadsStudyTests
{
    /// <summary>The options of the test model <c>Tiny</c>.</summary>
    public sealed record TinyOptions
    {
        /// <summary>Hidden units.</summary>
        public int Hidden { get; init; } = 4;
    }

    /// <summary>
    /// The registered models and <c>Tiny</c>, a <see cref="TinyNeuralModel"/> on libtorch that adds libtorch's thread
    /// count to <paramref name="seen"/> at the start of every epoch and throws there when <paramref name="fail"/>.
    /// </summary>
    private static IReadOnlyDictionary<string, ModelDefinition> Models(List<int> seen, bool fail = false)
    {
        var tiny = ModelDefinition.For<TinyNeuralModel, TinyOptions>("Tiny", (o, c) => new TinyNeuralModel(c.Train, o.Hidden)
        {
            EpochStarting = _ =>
            {
                seen.Add(torch.get_num_threads());
                if (fail) throw new InvalidOperationException("Tiny fails");
            },
        }) with
        {
            EngineThreads = NeuralRegistry.TorchThreads,
        };
        return ModelRegistry.Combine(NeuralRegistry.Models, [tiny]);
    }

    /// <summary>LightGCN on its managed engine (which runs its epochs on one libtorch thread and sets the count back), then Tiny.</summary>
    private static string Study(string extra) => TinyVisualStudy.Yaml(
        "    LightGCN:\n      meta:\n        epochs: 1\n      hyperparameters:\n        factors: 4\n        layers: 1\n        engine: managed\n        device: cpu\n" +
        "    Tiny:\n      meta:\n        epochs: 2\n", extra);

    [Fact]
    public void EveryNeuralModelRunsOnLibTorchAndNoManagedModelDoes()
    {
        Assert.All(NeuralRegistry.Models, d => Assert.Same(NeuralRegistry.TorchThreads, NeuralRegistry.All[d.Name].EngineThreads));
        Assert.All(ModelRegistry.Models.Values, d => Assert.Null(d.EngineThreads));
        Assert.Equal("libtorch", NeuralRegistry.TorchThreads.Engine);
    }

    [Fact]
    public void LibTorchRunsOnTheStudyThreadsDuringTrainingAndIsSetBackAfter()
    {
        using var dir = new TempDirectory();
        int before = torch.get_num_threads();
        int threads = before + 1; // neither the count before nor LightGCN's 1
        var seen = new List<int>();
        var models = Models(seen);
        var study = ConfigTestSupport.Load(dir, Study($"  threads: {threads}\n"), schemas: ModelRegistry.SchemasOf(models));
        var result = StudyRunner.Run(study, new StudyRunOptions(dir.File("out")) { Models = models });
        Assert.Equal([threads, threads], seen); // after LightGCN's epochs too: it sets back the study's count
        Assert.Equal(before, torch.get_num_threads());
        Assert.Contains($"threads: {threads} (experiment.threads): evaluation and libtorch (was {before})", File.ReadAllText(Path.Combine(result.OutputFolder, "run.log")));
    }

    [Fact]
    public void TheRunOptionSetsLibTorchOverTheStudy()
    {
        using var dir = new TempDirectory();
        int before = torch.get_num_threads();
        var seen = new List<int>();
        var models = Models(seen);
        var study = ConfigTestSupport.Load(dir, Study($"  threads: {before + 1}\n"), schemas: ModelRegistry.SchemasOf(models));
        StudyRunner.Run(study, new StudyRunOptions(dir.File("out")) { Models = models, Threads = before + 2 });
        Assert.Equal([before + 2, before + 2], seen);
        Assert.Equal(before, torch.get_num_threads());
    }

    [Fact]
    public void WithoutThreadsLibTorchKeepsItsCount()
    {
        using var dir = new TempDirectory();
        int before = torch.get_num_threads();
        var seen = new List<int>();
        var models = Models(seen);
        var study = ConfigTestSupport.Load(dir, Study(""), schemas: ModelRegistry.SchemasOf(models));
        StudyRunner.Run(study, new StudyRunOptions(dir.File("out")) { Models = models });
        Assert.Equal([before, before], seen);
        Assert.Equal(before, torch.get_num_threads());
    }

    [Fact]
    public void LibTorchIsSetBackWhenTrainingFails()
    {
        using var dir = new TempDirectory();
        int before = torch.get_num_threads();
        var seen = new List<int>();
        var models = Models(seen, fail: true);
        var study = ConfigTestSupport.Load(dir, Study($"  threads: {before + 1}\n"), schemas: ModelRegistry.SchemasOf(models));
        var e = Assert.Throws<InvalidOperationException>(() => StudyRunner.Run(study, new StudyRunOptions(dir.File("out")) { Models = models }));
        Assert.Equal("Tiny fails", e.Message);
        Assert.Equal([before + 1], seen);
        Assert.Equal(before, torch.get_num_threads());
    }
}
