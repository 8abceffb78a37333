using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AdvRec.Data.Features;
using AdvRec.Evaluation;
using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Models;
using AdvRec.Neural;
using AdvRec.Tests.Cli;
using AdvRec.Tests.Multimedia;

namespace AdvRec.Tests.Experiments;

/// <summary>
/// The study files of ElliotConfigs/, written in Elliot's published form, run end to end on small real data. Each file is
/// copied into a temporary <c>config/</c> folder, so that Elliot's relative paths (<c>../data/{0}/...</c>,
/// <c>../results/{0}/...</c>) land beside it; only the shared data's path, and through overrides the epochs (cut to a few)
/// and a few sizes that make a run slow, are changed.
/// </summary>
public sealed class ElliotConfigsRun : IDisposable
{
    private const string SharedPrefix = "../../../../../shared/data";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string ConfigFolder([CallerFilePath] string file = "") => Path.Combine(Path.GetDirectoryName(file)!, "ElliotConfigs");

    /// <summary>Copies ElliotConfigs/<paramref name="name"/> to config/ of the temporary folder, its data pointed at the shared folder.</summary>
    private string Stage(string name)
    {
        string text = File.ReadAllText(Path.Combine(ConfigFolder(), name)).Replace(SharedPrefix, SharedData.Root!.Replace('\\', '/'), StringComparison.Ordinal);
        return _dir.Write(Path.Combine("config", name), text);
    }

    private (StudyConfig Study, StudyResult Result, string Log) Run(string name, params string[] overrides)
    {
        var study = StudyConfigLoader.Load(Stage(name), overrides, ModelRegistry.SchemasOf(NeuralRegistry.All));
        var result = StudyRunner.Run(study, new StudyRunOptions(_dir.File("out")) { Models = NeuralRegistry.All, Device = "cpu" });
        return (study, result, File.ReadAllText(Path.Combine(result.OutputFolder, "run.log")));
    }

    /// <summary>Every metric of every best model is finite and in [0, 1]; the tables and run files exist.</summary>
    private static void AssertResults(StudyConfig study, StudyResult result, string performance)
    {
        Assert.Equal(study.Models.Count, result.Best.Count);
        foreach (var best in result.Best)
        {
            Assert.NotEmpty(best.Test.Keys);
            foreach (var key in best.Test.Keys)
            {
                double v = best.Test.Mean(key);
                Assert.True(double.IsFinite(v) && v >= 0 && v <= 1, $"{best.Model} {key} = {v}");
            }
        }
        foreach (int k in study.Evaluation.Cutoffs)
        {
            var lines = File.ReadAllLines(Path.Combine(performance, $"rec_cutoff_{k}.tsv"));
            Assert.Equal(study.Models.Count + 1, lines.Length);
            foreach (string line in lines.Skip(1))
            {
                foreach (string cell in line.Split('\t').Skip(2))
                    Assert.InRange(double.Parse(cell, CultureInfo.InvariantCulture), 0, 1);
            }
        }
        foreach (string file in new[] { "trials.tsv", "best_params.json" }) Assert.True(File.Exists(Path.Combine(performance, file)), file);
        Assert.True(File.Exists(Path.Combine(result.OutputFolder, "report.html")));
    }

    private static int Trials(string performance) => File.ReadAllLines(Path.Combine(performance, "trials.tsv")).Length - 1;

    private static JsonElement BestParams(string performance, string model) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(performance, "best_params.json"))).RootElement.GetProperty(model);

    [RealDataFact("movielens-500/trainingset.tsv")]
    public void AmfAsElliotsDocsWriteIt()
    {
        var (study, result, log) = Run("amf.yml", "experiment.models.AMF.epochs=2", "experiment.models.AMF.adversarial_epochs=1", "experiment.models.AMF.nb_iter=2");
        string performance = Path.Combine(result.OutputFolder, "performance");
        AssertResults(study, result, performance);
        var amf = Assert.Single(study.Models);
        var options = (AdvRec.Models.Factorization.AmfOptions)Assert.Single(amf.Variants).Options;
        Assert.Equal((200, 512, 1), (options.Factors, options.BatchSize, options.AdversarialEpochs));
        Assert.Equal("cpu", study.Device); // gpu: -1
        Assert.Contains("config warning: ", log, StringComparison.Ordinal);
        Assert.Contains("version: ignored", log, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(result.OutputFolder, "recs", "AMF.tsv")));
        var perturbations = File.ReadAllLines(Path.Combine(performance, "adversarial-AMF-test.tsv"));
        Assert.Contains("SSAP", perturbations[0], StringComparison.Ordinal);
        Assert.Equal(1, Trials(performance)); // one configuration
    }

    [RealDataFact("ml-100k/u.data", "ml-100k/u.item")]
    public void AmrAsElliotsDocsWriteItWithAVisualAttributeFolder()
    {
        // Elliot's VisualAttribute layout: one <itemId>.npy per item, here u.item's genre flags and year
        var genres = ItemFeatureLoader.LoadMl100kGenres(SharedData.Path("ml-100k", "u.item"));
        string folder = Path.Combine(_dir.FullPath, "data", "ml-100k", "cnn_features");
        Directory.CreateDirectory(folder);
        for (int r = 0; r < genres.Count; r++)
            File.WriteAllBytes(Path.Combine(folder, genres.Ids[r] + ".npy"), NpyReaderTests.Npy("<f4", $"({genres.Dimension},)", NpyReaderTests.F4(genres.Row(r).ToArray())));

        var (study, result, log) = Run("amr.yml", "experiment.models.AMR.epochs=2", "experiment.models.AMR.adversarial_epochs=1", "experiment.models.AMR.nb_iter=2",
            "experiment.models.AMR.factors=16");
        string performance = Path.Combine(result.OutputFolder, "performance");
        AssertResults(study, result, performance);
        Assert.Equal(20, result.Dataset.ItemFeatures!.Dimension);
        // the docs repeat nb_iter and eps_iter with the same values: warnings, not errors
        Assert.Equal(2, study.Warnings.Count(w => w.Message.StartsWith("duplicate key", StringComparison.Ordinal)));
        Assert.Contains("duplicate key 'nb_iter' with the same value", log, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(performance, "adversarial-AMR-test.tsv")));
        Assert.Contains("format chosen: delimited by tabs `user item rating timestamp`", log, StringComparison.Ordinal);
    }

    [RealDataFact("ml-100k/u.data")]
    public void BprmfGridRunsEveryPointUnderAdvRecsName()
    {
        var (study, result, log) = Run("bprmf-grid.yml", "experiment.models.BPRMF.epochs=2");
        string performance = Path.Combine(result.OutputFolder, "performance");
        AssertResults(study, result, performance);
        var model = Assert.Single(study.Models);
        Assert.Equal(("BPR-MF", "BPRMF", 4, 4), (model.Name, model.WrittenName, model.GridSize, model.Variants.Count));
        Assert.Equal(4, Trials(performance));
        Assert.Equal("BPR-MF", result.Best[0].Model);
        Assert.Equal("BPRMF", BestParams(performance, "BPR-MF").GetProperty("written_as").GetString());
        Assert.True(BestParams(performance, "BPR-MF").GetProperty("selected_on_validation").GetBoolean());
        Assert.Contains("is Elliot's name for BPR-MF; the outputs name it BPR-MF", log, StringComparison.Ordinal);
        Assert.Contains("ItemCoverage is not computed", log, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(result.OutputFolder, "recs", "BPR-MF.tsv")));
        Assert.Equal([10, 20], result.Best[0].Test.Keys.Select(k => k.Cutoff).Distinct().Order());
    }

    [RealDataFact("ml-100k/u.data")]
    public void MultiVaeWithAListValuedGrid()
    {
        var (study, result, log) = Run("multivae-grid.yml", "experiment.models.MultiVAE.epochs=2");
        string performance = Path.Combine(result.OutputFolder, "performance");
        AssertResults(study, result, performance);
        var model = Assert.Single(study.Models);
        Assert.Equal(("MultVAE", 4), (model.Name, model.Variants.Count));
        Assert.Equal(["intermediate_dim", "dropout"], model.Grid.Keys);
        var points = model.Variants.Select(v => (AdvRec.Neural.Autoencoders.MultVaeOptions)v.Options).Select(o => (o.Hidden, o.Dropout)).ToList();
        Assert.Equal([(300, 0f), (300, 0.5f), (600, 0f), (600, 0.5f)], points);
        Assert.Equal(4, Trials(performance));
        Assert.Contains("model MultiVAE (", log, StringComparison.Ordinal);
    }

    [RealDataFact("ml-1m-implicit-lightgcnpp/train.txt.gz", "ml-1m-implicit-lightgcnpp/valid.txt.gz", "ml-1m-implicit-lightgcnpp/test.txt.gz")]
    public void LightGcnOnAdjacencyFilesWithoutAFormatKey()
    {
        // one epoch in few batches: an epoch of 2048-triple batches over ML-1M takes about 45 s on two cores
        var (study, result, log) = Run("lightgcn.yml", "experiment.models.LightGCN.epochs=1", "experiment.models.LightGCN.batch_size=65536");
        string performance = Path.Combine(result.OutputFolder, "performance");
        AssertResults(study, result, performance);
        Assert.Equal(1, study.Models[0].Meta.Epochs);
        Assert.Contains("train.txt.gz: format chosen: adjacency `user item item ...`", log, StringComparison.Ordinal);
        Assert.Contains("valid.txt.gz: format chosen: adjacency", log, StringComparison.Ordinal);
        Assert.Contains("models.LightGCN.n_fold: ignored", log, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(result.OutputFolder, "recs", "LightGCN.tsv")));
    }

    [RealDataFact("ml-100k/u.data")]
    public void EaseSavesItsSplitWritesElliotsOutputFoldersAndAHierarchyStudyReadsTheSplitBack()
    {
        // through the command line, as a user runs it
        string yml = Stage("ease.yml");
        var (code, output, errors) = CliRunner.Run("run", yml, "--output", _dir.File("out"));
        Assert.True(code == 0, output + errors);
        string results = Path.Combine(_dir.FullPath, "results", "ml-100k");
        string performance = Path.Combine(results, "performance");
        var study = StudyConfigLoader.Load(yml, null, ModelRegistry.SchemasOf(NeuralRegistry.All));
        Assert.Equal(["EASE", "MostPop"], study.Models.Select(m => m.Name));
        foreach (int k in new[] { 10, 50 })
        {
            Assert.True(File.Exists(Path.Combine(performance, $"rec_cutoff_{k}.tsv")));
            var triplets = File.ReadAllLines(Path.Combine(performance, $"triplets_rec_cutoff_{k}.tsv"));
            Assert.Equal("model\tmetric\tvalue", triplets[0]);
            Assert.Equal(2 * 4, triplets.Length - 1);
        }
        Assert.True(File.Exists(Path.Combine(performance, "stat_tests.tsv")));
        Assert.True(File.Exists(Path.Combine(results, "recs", "EASE.tsv")));
        Assert.True(File.Exists(Path.Combine(results, "recs", "MostPop.tsv")));
        Assert.True(File.Exists(Path.Combine(results, "weights", "EASE.bin")));
        Assert.Equal("EASER", BestParams(performance, "EASE").GetProperty("written_as").GetString());
        string log = File.ReadAllText(Directory.GetFiles(_dir.File("out"), "run.log", SearchOption.AllDirectories).Single());
        Assert.Contains("evaluation.complex_metrics: DSC is not computed", log, StringComparison.Ordinal);
        Assert.Contains("models.EASER.neighborhood: ignored", log, StringComparison.Ordinal);
        Assert.Contains($"performance tables go to {Path.GetFullPath(performance)}", log, StringComparison.Ordinal);
        Assert.Contains("split saved to ", log, StringComparison.Ordinal);
        Assert.Contains("device cpu for every model that has one (the study's gpu", log, StringComparison.Ordinal);

        string split = Path.Combine(_dir.FullPath, "data", "ml-100k", "splitting", "0");
        Assert.True(File.Exists(Path.Combine(split, "train.tsv")));
        Assert.True(File.Exists(Path.Combine(split, "test.tsv")));
        var first = StudyRunner.LoadData(study);
        var (again, result, _) = Run("hierarchy.yml");
        Assert.Equal(DataStrategy.Hierarchy, again.Data.Strategy);
        Assert.Equal(first.Report.TrainRows, result.Dataset.Report.TrainRows);
        Assert.Equal(first.Report.TestRows, result.Dataset.Report.TestRows);
        Assert.Equal(first.Train.Count, result.Dataset.Train.Count);
        AssertResults(again, result, Path.Combine(result.OutputFolder, "performance"));
    }

    [Fact]
    public void EveryConfigHereIsInElliotsForm()
    {
        // no AdvRec-only block: hyperparameters sit beside meta, and at least six studies are here
        var files = Directory.GetFiles(ConfigFolder(), "*.yml");
        Assert.True(files.Length >= 6, string.Join(", ", files));
        foreach (string file in files)
        {
            string text = File.ReadAllText(file);
            Assert.DoesNotContain("hyperparameters:", text, StringComparison.Ordinal);
            Assert.DoesNotContain("grid:", text.Replace("hyper_opt_alg: grid", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }
}
