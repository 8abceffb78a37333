using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Models;
using AdvRec.Neural;
using AdvRec.Reporting;
using AdvRec.Tests.Cli;
using AdvRec.Tests.Experiments.Config;
using AdvRec.Tests.Neural;

namespace AdvRec.Tests.Experiments;

[Collection(TorchCollection.Name)]
public class StudyRunnerTests
{
    internal static string ExamplesFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "examples")) && File.Exists(Path.Combine(dir.FullName, "AdvRec.sln")))
                return Path.Combine(dir.FullName, "examples");
        // with --artifacts-path the binaries live outside the checkout: fall back to this source file's checkout
        return Path.GetFullPath(Path.Combine(SourceFolder(), "..", "..", "..", "examples"));
    }

    private static string SourceFolder([System.Runtime.CompilerServices.CallerFilePath] string file = "") => Path.GetDirectoryName(file)!;

    /// <summary>Every example config runs (epochs cut down) and writes its results folder.</summary>
    [RealDataFact("movielens-500/trainingset.tsv", "ml-100k/u.data", "ml-1m-implicit-lightgcnpp/train.txt.gz")]
    public void EveryExampleConfigRuns()
    {
        var examples = Directory.GetFiles(ExamplesFolder(), "*.yml");
        Assert.NotEmpty(examples);
        using var output = new TempDirectory();
        foreach (string example in examples)
        {
            // point the data at the shared folder wherever it is, and keep the run short
            var probe = StudyConfigLoader.Parse(File.ReadAllText(example).Replace("../../shared/data", SharedData.Root!.Replace('\\', '/')),
                example, Path.GetDirectoryName(example)!, models: ModelRegistry.SchemasOf(NeuralRegistry.All));
            // models with an APR schedule keep 2 plain and 2 adversarial epochs; the epochs are set in meta, and in
            // hyperparameters too where the example declares them there (the two must agree)
            var overrides = probe.Models.SelectMany(m =>
            {
                bool apr = NeuralRegistry.All.TryGetValue(m.Name, out var d) && d.HasAprSchedule && m.Variants.Any(v => ((IAprOptions)v.Options).EffectiveAdversarialEpochs > 0);
                string epochs = apr ? "4" : "2";
                var set = new List<string> { $"experiment.models.{m.Name}.meta.epochs={epochs}", $"experiment.models.{m.Name}.meta.validation_rate={(apr ? 2 : 1)}" };
                if (m.Hyperparameters.ContainsKey("epochs")) set.Add($"experiment.models.{m.Name}.hyperparameters.epochs={epochs}");
                if (apr) set.Add($"experiment.models.{m.Name}.hyperparameters.adversarial_epochs=2");
                return set;
            }).ToList();
            var study = StudyConfigLoader.Parse(File.ReadAllText(example).Replace("../../shared/data", SharedData.Root!.Replace('\\', '/')),
                example, Path.GetDirectoryName(example)!, overrides, ModelRegistry.SchemasOf(NeuralRegistry.All));
            var result = StudyRunner.Run(study, new StudyRunOptions(output.FullPath, new ScottPlotChartRenderer()) { Models = NeuralRegistry.All, Device = "cpu" });
            Assert.Equal(study.Models.Count, result.Best.Count);
            foreach (int k in study.Evaluation.Cutoffs)
            {
                Assert.True(File.Exists(Path.Combine(result.OutputFolder, "performance", $"rec_cutoff_{k}.tsv")));
                Assert.True(File.Exists(Path.Combine(result.OutputFolder, "performance", $"rec_cutoff_{k}.json")));
            }
            foreach (string file in new[] { "report.html", "run.log", "performance/trials.tsv", "performance/best_params.json" })
                Assert.True(File.Exists(Path.Combine(result.OutputFolder, file)), $"{Path.GetFileName(example)}: {file} missing");
            foreach (var m in study.Models)
            {
                if (m.Meta.SaveRecs) Assert.True(File.Exists(Path.Combine(result.OutputFolder, "recs", $"{m.Name}.tsv")));
                if (m.Meta.SaveWeights) Assert.True(File.Exists(Path.Combine(result.OutputFolder, "weights", $"{m.Name}.bin")));
                if (m.Meta.EvalPerturbations) Assert.True(File.Exists(Path.Combine(result.OutputFolder, "performance", $"adversarial-{m.Name}-test.tsv")));
                Assert.True(File.Exists(Path.Combine(result.OutputFolder, "plots", $"training-{m.Name}.png")));
            }
            if (study.Evaluation.Robustness is not null)
            {
                Assert.True(File.Exists(Path.Combine(result.OutputFolder, "performance", "robustness.tsv")));
                Assert.True(File.Exists(Path.Combine(result.OutputFolder, "plots", "robustness.png")));
            }
            Assert.Empty(Directory.GetFiles(result.OutputFolder, "*.tmp", SearchOption.AllDirectories));
        }
    }

    [Fact]
    public void TheRobustnessBlockIsParsedAndCheckedWithPositions()
    {
        using var dir = new TempDirectory();
        string Study(string robustness) => ConfigTestSupport.Minimal(dir, models: "    BPR-MF: {}\n",
            extra: "  evaluation:\n    cutoffs: [1]\n    robustness:\n" + robustness + "\n");
        var ok = StudyConfigLoader.Load(dir.Write("ok.yml", Study("      eps: [0.1, 0.5]\n      nb_iter: 5\n      projection: linf_clip")), null, ModelRegistry.Schemas);
        var r = ok.Evaluation.Robustness!;
        Assert.Equal([0.1f, 0.5f], r.Epsilons);
        Assert.Equal(5, r.Steps);
        Assert.Equal(AdvRec.Adversarial.Projection.LinfClip, r.Projection);
        var e = Assert.Throws<ConfigException>(() => StudyConfigLoader.Load(dir.Write("bad.yml", Study("      eps: [0.1, -1]\n      nb_iters: 2")), null, ModelRegistry.Schemas));
        Assert.Contains("bad.yml:10:18", e.Message); // the -1
        Assert.Contains("did you mean 'nb_iter'", e.Message);
    }

    [Fact]
    public void AGridWithoutAValidationSplitIsRefusedBeforeTraining()
    {
        using var dir = new TempDirectory();
        var study = ConfigTestSupport.Load(dir, ConfigTestSupport.Minimal(dir,
            models: "    BPR-MF:\n      grid:\n        factors: [4, 8]\n",
            extra: "  evaluation:\n    cutoffs: [1]\n    simple_metrics: [HR]\n"), schemas: ModelRegistry.Schemas);
        var e = Assert.Throws<ConfigException>(() => StudyRunner.Run(study, new StudyRunOptions(dir.File("out"))));
        Assert.Contains("no validation split", e.Message);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void ConfigErrorsComeFromTheCliWithFileLineAndColumnAndExitCode2()
    {
        using var dir = new TempDirectory();
        string yml = dir.Write("study.yml", ConfigTestSupport.Minimal(dir,
            models: "    AMF:\n      hyperparameters:\n        epss: 0.5\n",
            extra: "  evaluation:\n    cutofs: [1]\n"));
        var (code, _, errors) = CliRunner.Run("run", yml, "--output", dir.File("out"));
        Assert.Equal(2, code);
        Assert.Contains("study.yml:8:5", errors);
        Assert.Contains("did you mean 'cutoffs'", errors);
        Assert.Contains("epss", errors); // both problems reported at once
        Assert.False(Directory.Exists(dir.File("out")));
    }
}
