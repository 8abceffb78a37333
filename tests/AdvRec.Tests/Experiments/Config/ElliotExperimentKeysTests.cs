using AdvRec.Data;
using AdvRec.Experiments.Config;
using static AdvRec.Tests.Experiments.Config.ConfigTestSupport;

namespace AdvRec.Tests.Experiments.Config;

/// <summary>Elliot's experiment-level keys: data_config variants, splitting on disk, prefiltering, evaluation, gpu and output paths.</summary>
public sealed class ElliotExperimentKeysTests
{
    private static string Study(string data, string extra = "") =>
        "experiment:\n  dataset: tiny\n  data_config:\n" + data + extra + "  models:\n    BPR-MF:\n";

    [Fact]
    public void GpuIsTheDeviceOfEveryModel()
    {
        using var dir = new TempDirectory();
        Assert.Null(Load(dir, Minimal(dir)).Device);
        Assert.Equal("cpu", Load(dir, Minimal(dir, extra: "  gpu: -1\n")).Device);
        Assert.Equal("cuda:0", Load(dir, Minimal(dir, extra: "  gpu: 0\n")).Device);
        Assert.Equal("cuda:1", Load(dir, Minimal(dir, extra: "  gpu: 1\n")).Device);
        var ex = LoadFails(dir, Minimal(dir, extra: "  gpu: -2\n"));
        Assert.Equal("study.yml:7:8: gpu: must be at least -1, got -2", Assert.Single(ex.Errors).Short());
    }

    [Fact]
    public void OutputPathsResolveLikeElliotsAndDefaultToTheRunFolder()
    {
        using var dir = new TempDirectory();
        Assert.Equal(new OutputFolders(), Load(dir, Minimal(dir)).Outputs);
        var study = Load(dir, Minimal(dir, extra: "  path_output_rec_result: ../results/{0}/recs/\n  path_output_rec_weight: out/weights\n  path_output_rec_performance: /tmp/perf\n"));
        Assert.Equal(Path.GetFullPath(Path.Combine(dir.FullPath, "..", "results", "tiny", "recs")) + Path.DirectorySeparatorChar, study.Outputs.Recommendations);
        Assert.Equal(Path.Combine(dir.FullPath, "out", "weights"), study.Outputs.Weights);
        Assert.Equal("/tmp/perf", study.Outputs.Performance);
        Assert.True(Load(dir, Minimal(dir, extra: "  print_results_as_triplets: True\n")).PrintResultsAsTriplets);
    }

    [Fact]
    public void KeysWithoutAUseAreWarningsWithTheirPosition()
    {
        using var dir = new TempDirectory();
        var study = Load(dir, Minimal(dir, extra: "  version: 0.3.1\n  path_log_folder: ../log/\n  path_logger_config: ./config/logger.yml\n" +
                                                  "  external_models_path: ../external/models/__init__.py\n  config_test: True\n  align_side_with_train: True\n  dataloader: DataSetLoader\n"));
        Assert.Equal(
        [
            "study.yml:7:3: version: ignored: AdvRec does not check Elliot's version",
            "study.yml:8:3: path_log_folder: ignored: AdvRec writes run.log into the results folder",
            "study.yml:9:3: path_logger_config: ignored: AdvRec writes run.log into the results folder",
            "study.yml:10:3: external_models_path: ignored: AdvRec cannot run Elliot's external (Python) models",
            "study.yml:11:3: config_test: ignored: AdvRec checks the whole study file before it reads any data, without a dry run",
        ], study.Warnings.Select(w => w.Short()));
        Assert.Empty(Load(dir, Minimal(dir, extra: "  config_test: False\n")).Warnings);
    }

    [Fact]
    public void KeysThatWouldChangeResultsAreErrors()
    {
        using var dir = new TempDirectory();
        var ex = LoadFails(dir, Minimal(dir, extra: "  align_side_with_train: False\n  dataloader: KGLoader\n  negative_sampling:\n    strategy: random\n    num_items: 99\n"));
        Assert.Equal(
        [
            "study.yml:7:26: align_side_with_train: False is not supported: AdvRec always drops the interactions of items without side information (true only)",
            "study.yml:8:15: dataloader: 'KGLoader' is not supported: AdvRec reads data_config as Elliot's DataSetLoader does",
            "study.yml:10:5: negative_sampling is not implemented: AdvRec ranks every item a user has not seen in training; ranking sampled candidates would change every metric",
        ], ex.Errors.Select(e => e.Short()));
    }

    [Fact]
    public void ComplexMetricsAndElliotsOtherMetricsAreWarningsNamingThem()
    {
        using var dir = new TempDirectory();
        var study = Load(dir, Minimal(dir, extra: "  evaluation:\n    simple_metrics: [nDCG, ItemCoverage, Gini]\n    complex_metrics:\n" +
                                                  "      - metric: DSC\n        beta: 2\n      - metric: ExtendedEPC\n"));
        Assert.Equal([AdvRec.Evaluation.RankingMetric.Ndcg], study.Evaluation.SimpleMetrics);
        Assert.Equal(
        [
            "study.yml:8:28: evaluation.simple_metrics: ItemCoverage is not computed: AdvRec has no counterpart of Elliot's ItemCoverage; the other metrics are",
            "study.yml:8:42: evaluation.simple_metrics: Gini is not computed: AdvRec has no counterpart of Elliot's Gini; the other metrics are",
            "study.yml:10:9: evaluation.complex_metrics: DSC is not computed: AdvRec has no complex metrics (Elliot's metrics with parameters); the simple ones are",
            "study.yml:12:9: evaluation.complex_metrics: ExtendedEPC is not computed: AdvRec has no complex metrics (Elliot's metrics with parameters); the simple ones are",
        ], study.Warnings.Select(w => w.Short()));
        var ex = LoadFails(dir, Minimal(dir, extra: "  evaluation:\n    simple_metrics: [Gini]\n"));
        Assert.StartsWith("study.yml:8:21: evaluation.simple_metrics: none of these metrics is computed by AdvRec", Assert.Single(ex.Errors).Short(), StringComparison.Ordinal);
    }

    [Fact]
    public void HierarchyReadsTheFirstFoldOfARootFolder()
    {
        using var dir = new TempDirectory();
        dir.Write("split/0/train.tsv", "u1\ti1\n");
        dir.Write("split/0/test.tsv", "u1\ti2\n");
        var study = Load(dir, Study("    strategy: hierarchy\n    root_folder: split\n"));
        Assert.Equal(DataStrategy.Hierarchy, study.Data.Strategy);
        Assert.Equal((dir.File("split/0/train.tsv"), null, dir.File("split/0/test.tsv")), (study.Data.TrainPath, study.Data.ValidationPath, study.Data.TestPath));
        Assert.Empty(study.Warnings);

        dir.Write("folds/0/test.tsv", "u1\ti2\n");
        dir.Write("folds/0/0/train.tsv", "u1\ti1\n");
        dir.Write("folds/0/0/val.tsv", "u1\ti3\n");
        dir.Write("folds/1/test.tsv", "u1\ti2\n");
        study = Load(dir, Study("    strategy: hierarchy\n    root_folder: folds\n"));
        Assert.Equal((dir.File("folds/0/0/train.tsv"), dir.File("folds/0/0/val.tsv")), (study.Data.TrainPath, study.Data.ValidationPath));
        Assert.Equal("study.yml:5:5: data_config.root_folder: 2 test folds (0, 1); AdvRec runs one split per study, fold 0 (Elliot runs each)", Assert.Single(study.Warnings).Short());

        var ex = LoadFails(dir, Study("    strategy: hierarchy\n    root_folder: nowhere\n    train_path: split/0/train.tsv\n"));
        Assert.Equal(2, ex.Errors.Count);
        Assert.Contains("study.yml:6:5: data_config.train_path is not used with strategy 'hierarchy'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("study.yml:5:18: data_config.root_folder: folder not found: " + dir.File("nowhere"), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DatasetStrategySplitsOnDiskAndRejectsATimestampCut()
    {
        using var dir = new TempDirectory();
        dir.Write("all.tsv", "u1\ti1\t5\t1\n");
        string data = "    strategy: dataset\n    dataset_path: all.tsv\n";
        string split = "  splitting:\n    save_on_disk: True\n    save_folder: ../splits/{0}\n    test_splitting:\n      strategy: random_subsampling\n      test_ratio: 0.2\n";
        var study = Load(dir, Study(data, split));
        Assert.Equal(Path.GetFullPath(Path.Combine(dir.FullPath, "..", "splits", "tiny")), study.Splitting!.SaveFolder);

        study = Load(dir, Study(data, split.Replace("save_on_disk: True", "save_on_disk: False", StringComparison.Ordinal)));
        Assert.Null(study.Splitting!.SaveFolder);
        Assert.Equal("study.yml:8:5: splitting.save_folder: ignored: save_on_disk is not true, so the split is not written", Assert.Single(study.Warnings).Short());

        var ex = LoadFails(dir, Study(data, "  splitting:\n    save_on_disk: True\n    test_splitting:\n      strategy: fixed_timestamp\n      timestamp: 1000\n"));
        Assert.Equal(2, ex.Errors.Count);
        Assert.Equal("study.yml:7:5: splitting.save_on_disk: true needs save_folder, the folder the split is written to", ex.Errors[0].Short());
        Assert.StartsWith("study.yml:9:17: splitting.test_splitting.strategy: fixed_timestamp is not implemented", ex.Errors[1].Short(), StringComparison.Ordinal);

        study = Load(dir, Study(data, "  splitting:\n    test_splitting:\n      strategy: random_cross_validation\n      folds: 5\n"));
        Assert.Equal("study.yml:8:7: splitting.test_splitting: 5 folds; AdvRec runs one split per study, the first fold (Elliot runs each)", Assert.Single(study.Warnings).Short());
    }

    [Fact]
    public void PrefilteringTakesElliotsListWithUserAverageAndColdUsers()
    {
        using var dir = new TempDirectory();
        dir.Write("all.tsv", "u1\ti1\t5\t1\n");
        var study = Load(dir, Study("    strategy: dataset\n    dataset_path: all.tsv\n",
            "  prefiltering:\n    - strategy: global_threshold\n      threshold: average\n    - strategy: user_average\n    - strategy: cold_users\n      threshold: 3\n" +
            "    - strategy: iterative_k_core\n      core: 2\n  splitting:\n    test_splitting:\n      strategy: random_subsampling\n      test_ratio: 0.2\n"));
        Assert.Equal([new GlobalThresholdPrefilter(null), new UserAveragePrefilter(), new ColdUsersPrefilter(3), new IterativeKCorePrefilter(2)], study.Prefiltering);
    }
}
