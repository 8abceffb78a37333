using AdvRec.Data;
using AdvRec.Evaluation;
using AdvRec.Experiments.Config;
using AdvRec.Models;
using AdvRec.Models.Factorization;
using static AdvRec.Tests.Experiments.Config.ConfigTestSupport;

namespace AdvRec.Tests.Experiments.Config;

public sealed class StudyConfigLoaderTests
{
    [Fact]
    public void HandsOnFixtureParses()
    {
        string path = Path.Combine(FixtureDirectory(), "handson.yml");
        var schemas = new Dictionary<string, ModelSchema>
        {
            ["BPR-MF"] = new(new BprMfOptions()),
        };
        var study = StudyConfigLoader.Load(path);
        Assert.Equal("fixture", study.Dataset);
        Assert.Equal(DataStrategy.Dataset, study.Data.Strategy);
        Assert.Equal(Path.Combine(FixtureDirectory(), "fixture-ratings.tsv"), study.Data.DatasetPath);
        Assert.Equal(DataFormat.Delimited, study.Data.Format);
        Assert.Equal('\t', study.Data.Separator);
        Assert.Equal([new GlobalThresholdPrefilter(null), new IterativeKCorePrefilter(1)], study.Prefiltering);
        var test = study.Splitting!.Test;
        Assert.Equal(SplitStrategy.TemporalHoldOut, test.Strategy);
        Assert.Equal(1, test.LeaveNOut);
        Assert.True(test.ByTime);
        Assert.Equal(SplitStrategy.RandomSubsampling, study.Splitting.Validation!.Strategy);
        Assert.Equal(0.2, study.Splitting.Validation.TestRatio);
        Assert.Null(study.BinarizeThreshold);
        Assert.Equal(50, study.TopK);
        Assert.Equal([10, 50], study.Evaluation.Cutoffs);
        Assert.Equal([RankingMetric.HitRate, RankingMetric.Ndcg, RankingMetric.Precision, RankingMetric.Recall], study.Evaluation.SimpleMetrics);
        Assert.Equal(1f, study.Evaluation.RelevanceThreshold);
        Assert.True(study.Evaluation.PairedTTest);
        Assert.True(study.Evaluation.WilcoxonTest);
        Assert.Equal(42UL, study.RandomSeed);
        Assert.Equal(["BPR-MF", "AMF"], study.Models.Select(m => m.Name));

        var bpr = study.Models[0];
        Assert.Equal(20, bpr.Meta.Epochs);
        Assert.True(bpr.Meta.SaveRecs);
        Assert.Equal(5, bpr.Meta.ValidationRate);
        Assert.Equal(new MetricKey(RankingMetric.Ndcg, 10), bpr.Meta.ValidationMetric);
        Assert.True(bpr.Meta.Verbose);
        Assert.Equal(["factors", "lr", "l_w", "batch_size", "seed"], bpr.Hyperparameters.Keys);
        var options = OptionsBinder.Bind(new BprMfOptions(), bpr.Hyperparameters, BprAliases);
        Assert.Equal(0.05f, options.LearningRate);

        var amf = study.Models[1];
        Assert.True(amf.Meta.EvalPerturbations);
        Assert.Equal(3, amf.Meta.EarlyStopping!.Patience);
        Assert.Equal(new MetricKey(RankingMetric.HitRate, 10), amf.Meta.EarlyStopping.MonitorMetric);
        Assert.Equal("HR@10", amf.Meta.EarlyStopping.Monitor);
        Assert.Equal(new MetricKey(RankingMetric.HitRate, 10), amf.Meta.ValidationMetric); // default: first metric at first cutoff
        Assert.Empty(amf.Variants);

        var read = study.ToReadOptions();
        Assert.Equal(DataFormat.Delimited, read.Format);
        Assert.Equal([10, 50], study.Evaluation.ToEvaluationOptions().Cutoffs);

        // With schemas, an unknown model is an error with the nearest name.
        var ex = Assert.Throws<ConfigException>(() => StudyConfigLoader.Load(path, null, schemas));
        Assert.Contains("unknown model 'AMF'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GridFixtureParsesAndExpands()
    {
        string path = Path.Combine(FixtureDirectory(), "grid-search.yml");
        var study = StudyConfigLoader.Load(path, null, Schemas);
        Assert.Equal(DataStrategy.Fixed, study.Data.Strategy);
        Assert.True(File.Exists(study.Data.TrainPath));
        Assert.Null(study.Splitting);
        Assert.Equal([10], study.Evaluation.Cutoffs);
        Assert.Equal([RankingMetric.Ndcg], study.Evaluation.SimpleMetrics);

        var bpr = study.Models[0];
        Assert.Equal(["factors", "lr"], bpr.Grid.Keys);
        Assert.Equal(6, bpr.Variants.Count);
        Assert.Equal(
            ["factors=32, lr=0.01", "factors=32, lr=0.05", "factors=32, lr=0.1", "factors=64, lr=0.01", "factors=64, lr=0.05", "factors=64, lr=0.1"],
            bpr.Variants.Select(v => v.Description));
        var last = (BprMfOptions)bpr.Variants[^1].Options;
        Assert.Equal(64, last.Factors);
        Assert.Equal(0.1f, last.LearningRate);
        Assert.Equal(256, last.BatchSize);

        var mlp = study.Models[1];
        Assert.Empty(mlp.Grid);
        var options = Assert.Single(mlp.Variants);
        Assert.Equal([600, 200], ((MlpOptions)options.Options).Layers);
        Assert.Equal("", options.Description);
    }

    [Fact]
    public void MinimalStudyUsesDefaults()
    {
        using var dir = new TempDirectory();
        var study = Load(dir, Minimal(dir));
        Assert.Equal(10, study.TopK);
        Assert.Equal([10], study.Evaluation.Cutoffs);
        Assert.Equal(RankingMetrics.All, study.Evaluation.SimpleMetrics);
        Assert.Equal(42UL, study.RandomSeed);
        Assert.Empty(study.Prefiltering);
        Assert.Null(study.Data.ValidationPath);
        Assert.Equal(dir.File("train.tsv"), study.Data.TrainPath);
    }

    [Fact]
    public void UnknownKeyNamesPositionAndSuggestion()
    {
        using var dir = new TempDirectory();
        string yaml = Minimal(dir, extra: "  evaluation:\n    cutofs: [10]\n");
        var ex = LoadFails(dir, yaml);
        var error = Assert.Single(ex.Errors);
        Assert.Equal(8, error.Position.Line);
        Assert.Equal(5, error.Position.Column);
        Assert.EndsWith("study.yml:8:5: unknown key 'cutofs' in evaluation; did you mean 'cutoffs'?", ex.Message, StringComparison.Ordinal);
        Assert.Equal(8, ex.Line);
        Assert.Equal(5, ex.Column);
        Assert.EndsWith("study.yml", ex.File, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownKeyFarFromAnyListsValidKeys()
    {
        using var dir = new TempDirectory();
        var ex = LoadFails(dir, Minimal(dir, extra: "  gpu_device_index: 0\n"));
        Assert.Contains("unknown key 'gpu_device_index' in experiment; valid keys:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("top_k", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelLevelHyperparameterIsElliotsForm()
    {
        using var dir = new TempDirectory();
        var study = Load(dir, Minimal(dir, models: "    BPR-MF:\n      learning_rate: 0.1\n"), schemas: Schemas);
        Assert.Equal(0.1f, ((BprMfOptions)Assert.Single(study.Models[0].Variants).Options).LearningRate);
        var ex = LoadFails(dir, Minimal(dir, models: "    BPR-MF:\n      learnig_rate: 0.1\n"), schemas: Schemas);
        Assert.Contains("study.yml:9:7: unknown hyperparameter 'learnig_rate' for BPR-MF; did you mean 'learning_rate'?", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongTypeNamesExpectedType()
    {
        using var dir = new TempDirectory();
        var ex = LoadFails(dir, Minimal(dir, extra: "  evaluation:\n    cutoffs: ten\n    paired_ttest: maybe\n  random_seed: -1\n"));
        Assert.Equal(3, ex.Errors.Count);
        Assert.Contains("study.yml:8:14: evaluation.cutoffs: expected a positive integer or a list of them, got 'ten'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("study.yml:9:19: evaluation.paired_ttest: expected true or false, got 'maybe'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("study.yml:10:16: random_seed: expected a non-negative integer, got '-1'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ThreadsIsParsedAndZeroWhenAbsent()
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, Load(dir, Minimal(dir)).Threads);
        Assert.Equal(3, Load(dir, Minimal(dir, extra: "  threads: 3\n")).Threads);
        Assert.Equal(0, Load(dir, Minimal(dir, extra: "  threads: 0\n")).Threads);
        Assert.Equal(2, Load(dir, Minimal(dir, extra: "  threads: 3\n"), ["experiment.threads=2"]).Threads);
    }

    [Theory]
    [InlineData("-1", "study.yml:7:12: threads: must be at least 0, got -1")]
    [InlineData("1.5", "study.yml:7:12: threads: expected an integer, got '1.5'")]
    [InlineData("all", "study.yml:7:12: threads: expected an integer, got 'all'")]
    [InlineData("[2]", "study.yml:7:12: threads: expected an integer, got a list")]
    public void ABadThreadsValueIsAnErrorAtItsPosition(string value, string expected)
    {
        using var dir = new TempDirectory();
        var ex = LoadFails(dir, Minimal(dir, extra: $"  threads: {value}\n"));
        var error = Assert.Single(ex.Errors);
        Assert.Equal((7, 12), (error.Position.Line, error.Position.Column));
        Assert.EndsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFileIsReportedAtItsKey()
    {
        using var dir = new TempDirectory();
        string yaml = Minimal(dir).Replace("test_path: test.tsv", "test_path: nowhere/test.tsv", StringComparison.Ordinal);
        var ex = LoadFails(dir, yaml);
        var error = Assert.Single(ex.Errors);
        Assert.Equal((6, 16), (error.Position.Line, error.Position.Column));
        Assert.Contains("data_config.test_path: file not found: " + Path.Combine(dir.FullPath, "nowhere", "test.tsv"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingConfigFileIsAConfigError()
    {
        var ex = Assert.Throws<ConfigException>(() => StudyConfigLoader.Load("/nonexistent/dir/study.yml"));
        Assert.Contains("config file not found", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DatasetPlaceholderIsReplaced()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("tiny"));
        dir.Write(Path.Combine("tiny", "all.tsv"), "u1\ti1\t5\t1\n");
        string yaml = "experiment:\n  dataset: tiny\n  data_config:\n    strategy: dataset\n    dataset_path: '{0}/all.tsv'\n" +
                      "  splitting:\n    test_splitting:\n      strategy: random_cross_validation\n      folds: 5\n" +
                      "  models:\n    BPR-MF:\n";
        var study = Load(dir, yaml);
        Assert.Equal(Path.Combine(dir.FullPath, "tiny", "all.tsv"), study.Data.DatasetPath);
        Assert.Equal(SplitStrategy.RandomCrossValidation, study.Splitting!.Test.Strategy);
        Assert.Equal(5, study.Splitting.Test.Folds);
        Assert.Empty(study.Models[0].Hyperparameters);
    }

    [Fact]
    public void BadMetricNameSuggestsNearest()
    {
        using var dir = new TempDirectory();
        var ex = LoadFails(dir, Minimal(dir, extra: "  evaluation:\n    simple_metrics: [nDCG, Recal, ItemCover]\n"));
        Assert.Equal(2, ex.Errors.Count);
        Assert.Contains("study.yml:8:28: evaluation.simple_metrics: unknown metric 'Recal'; did you mean 'Recall'?", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unknown metric 'ItemCover'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidationMetricMustBeComputed()
    {
        using var dir = new TempDirectory();
        string models = "    BPR-MF:\n      meta:\n        validation_metric: nDCG@20\n    AMF:\n      meta:\n        validation_metric: Recall@10\n        early_stopping:\n          monitor: loss\n";
        var ex = LoadFails(dir, Minimal(dir, models, extra: "  evaluation:\n    cutoffs: [10]\n    simple_metrics: [nDCG]\n"));
        Assert.Contains("models.BPR-MF.meta.validation_metric: cutoff 20 is not among evaluation.cutoffs (10)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("models.AMF.meta.validation_metric: Recall is not among evaluation.simple_metrics", ex.Message, StringComparison.Ordinal);
        Assert.Contains("models.AMF.meta.early_stopping: missing required key 'patience'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EarlyStoppingOnLoss()
    {
        using var dir = new TempDirectory();
        string models = "    AMF:\n      meta:\n        early_stopping:\n          patience: 2\n          monitor: loss\n";
        var study = Load(dir, Minimal(dir, models));
        var es = study.Models[0].Meta.EarlyStopping!;
        Assert.True(es.MonitorsLoss);
        Assert.Null(es.MonitorMetric);
        Assert.Equal(2, es.Patience);
    }

    [Fact]
    public void SeveralErrorsAreReportedAtOnceInFileOrder()
    {
        using var dir = new TempDirectory();
        string yaml = "experiment:\n" +
                      "  dataset: tiny\n" +
                      "  data_config:\n" +
                      "    strategy: fixd\n" +
                      "  top_k: 5\n" +
                      "  evaluation:\n" +
                      "    cutoffs: [10]\n" +
                      "    simple_metric: [nDCG]\n" +
                      "  models:\n" +
                      "    BPR-MF:\n" +
                      "      meta:\n" +
                      "        validation_rate: 0\n" +
                      "      grid:\n" +
                      "        factors: 32\n";
        var ex = LoadFails(dir, yaml);
        string[] lines = ex.Message.Split('\n');
        Assert.Equal(ex.Errors.Count, lines.Length);
        Assert.Equal(5, lines.Length);
        Assert.Contains("study.yml:4:15: data_config.strategy: expected one of fixed, dataset, synthetic_visual, hierarchy, got 'fixd'; did you mean 'fixed'?", lines[0], StringComparison.Ordinal);
        Assert.Contains("study.yml:7:15: evaluation.cutoffs: cutoff 10 exceeds top_k = 5", lines[1], StringComparison.Ordinal);
        Assert.Contains("study.yml:8:5: unknown key 'simple_metric' in evaluation; did you mean 'simple_metrics'?", lines[2], StringComparison.Ordinal);
        Assert.Contains("study.yml:12:26: models.BPR-MF.meta.validation_rate: must be at least 1, got 0", lines[3], StringComparison.Ordinal);
        Assert.Contains("study.yml:14:18: models.BPR-MF.grid.factors: expected a non-empty list of values to try, got '32'", lines[4], StringComparison.Ordinal);
    }

    [Fact]
    public void HyperparameterErrorsAreReportedBeforeTraining()
    {
        using var dir = new TempDirectory();
        string models = "    BPR-MF:\n      hyperparameters:\n        lrr: 0.1\n        factors: 0\n      grid:\n        batch_size: [0, 16]\n";
        var ex = LoadFails(dir, Minimal(dir, models), schemas: Schemas);
        Assert.Contains("study.yml:10:9: unknown hyperparameter 'lrr' for BPR-MF; did you mean 'lr'?", ex.Message, StringComparison.Ordinal);

        string models2 = "    BPR-MF:\n      hyperparameters:\n        factors: 8\n      grid:\n        batch_size: [0, 16]\n";
        ex = LoadFails(dir, Minimal(dir, models2), schemas: Schemas);
        var error = Assert.Single(ex.Errors);
        Assert.Equal((12, 22), (error.Position.Line, error.Position.Column));
        Assert.Contains("batch_size: batch size must be >= 1 (got 0)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StrategyMismatchesAreErrors()
    {
        using var dir = new TempDirectory();
        string extra = "  prefiltering:\n    strategy: user_k_core\n    core: 2\n";
        var ex = LoadFails(dir, Minimal(dir, extra: extra));
        Assert.Contains("prefiltering applies only to data_config strategy 'dataset'", ex.Message, StringComparison.Ordinal);

        dir.Write("all.tsv", "u1\ti1\n");
        string yaml = "experiment:\n  dataset: d\n  data_config:\n    strategy: dataset\n    dataset_path: all.tsv\n    train_path: all.tsv\n  models:\n    X:\n";
        ex = LoadFails(dir, yaml);
        Assert.Contains("data_config.train_path is used only with strategy 'fixed'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("strategy 'dataset' needs a 'splitting:' section", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SplitAndPrefilterVariantsParse()
    {
        using var dir = new TempDirectory();
        dir.Write("all.tsv", "u1\ti1\t5\t1\n");
        string yaml = "experiment:\n  dataset: d\n  data_config:\n    strategy: dataset\n    dataset_path: all.tsv\n" +
                      "  prefiltering:\n    strategy: n_rounds_k_core\n    core: 3\n    rounds: 2\n" +
                      "  binarize: 4\n" +
                      "  splitting:\n    test_splitting:\n      strategy: leave_n_out\n      n: 2\n      by_time: false\n" +
                      "    validation_splitting:\n      strategy: random_subsampling\n      leave_n_out: 1\n      folds: 3\n" +
                      "  models:\n    X:\n";
        var study = Load(dir, yaml);
        Assert.Equal([new IterativeKCorePrefilter(3, 2)], study.Prefiltering);
        Assert.Equal(4f, study.BinarizeThreshold);
        Assert.Equal(new SplitConfig { Strategy = SplitStrategy.LeaveNOut, LeaveNOut = 2, ByTime = false, Position = study.Splitting!.Test.Position }, study.Splitting.Test);
        Assert.Equal(3, study.Splitting.Validation!.Folds);
        Assert.Equal(1, study.Splitting.Validation.LeaveNOut);

        var bad = yaml.Replace("strategy: n_rounds_k_core", "strategy: iterative_kcore", StringComparison.Ordinal)
            .Replace("leave_n_out: 1\n", "leave_n_out: 1\n      test_ratio: 0.2\n", StringComparison.Ordinal)
            .Replace("binarize: 4", "binarize: yes please", StringComparison.Ordinal);
        var ex = LoadFails(dir, bad);
        Assert.Contains("unknown prefiltering strategy 'iterative_kcore'; did you mean 'iterative_k_core'?", ex.Message, StringComparison.Ordinal);
        Assert.Contains("give test_ratio or leave_n_out, not both", ex.Message, StringComparison.Ordinal);
        Assert.Contains("binarize: expected true, false or a rating threshold, got 'yes please'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BinarizeTrueKeepsEveryRating()
    {
        using var dir = new TempDirectory();
        var study = Load(dir, Minimal(dir, extra: "  binarize: True\n"));
        Assert.Equal(float.NegativeInfinity, study.BinarizeThreshold);
    }

    [Fact]
    public void YamlSyntaxErrorHasPosition()
    {
        using var dir = new TempDirectory();
        var ex = LoadFails(dir, "experiment:\n  dataset: [unclosed\n  models: x\n");
        Assert.Contains("YAML syntax error", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.Line >= 2, ex.Message);
    }

    [Fact]
    public void DuplicateKeyIsAnError()
    {
        using var dir = new TempDirectory();
        var ex = LoadFails(dir, Minimal(dir, extra: "  top_k: 10\n  top_k: 20\n"));
        Assert.Contains("study.yml:8:3:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("uplicate key", ex.Message, StringComparison.Ordinal);
    }
}
