using System.Globalization;
using AdvRec.Data;
using AdvRec.Data.Features;
using AdvRec.Evaluation;

namespace AdvRec.Experiments.Config;

/// <summary>Turns a checked <see cref="ConfigValue"/> tree into a <see cref="StudyConfig"/>, collecting every error.</summary>
internal sealed class StudyParser
{
    private static readonly string[] MetricNames = ["HR", "nDCG", "Precision", "Recall", "MRR", "MAP", "ElliotMAP", "AUC", "RMSE", "MAE", "HitRate"];

    /// <summary>The one side_information loader AdvRec reads.</summary>
    internal const string VisualAttributeLoader = "VisualAttribute";

    private readonly List<ConfigError> _errors;
    private readonly List<ConfigError> _warnings = [];
    private readonly string _file;
    private readonly string _baseDirectory;
    private readonly IReadOnlyDictionary<string, ModelSchema>? _schemas;

    public StudyParser(string file, string baseDirectory, IReadOnlyDictionary<string, ModelSchema>? schemas, List<ConfigError> errors)
    {
        _file = file;
        _baseDirectory = baseDirectory;
        _schemas = schemas;
        _errors = errors;
    }

    public StudyConfig? Parse(ConfigValue root, string sourcePath)
    {
        if (root.Kind != ConfigValueKind.Mapping)
        {
            _errors.Add(new ConfigError(root.Position, "the config must be a mapping with one key, 'experiment'"));
            return null;
        }
        var top = new Section(root, "(top level)", _errors);
        var expValue = top.Value("experiment");
        top.Finish();
        if (expValue is null || expValue.Kind != ConfigValueKind.Mapping)
        {
            _errors.Add(new ConfigError(expValue?.Position ?? root.Position, "missing 'experiment:' mapping at the top level"));
            return null;
        }
        var exp = new Section(expValue, "", _errors);

        string dataset = exp.Text("dataset", required: true) ?? "";
        var data = ParseData(exp.Child("data_config", required: true), dataset);
        var prefilters = ParsePrefiltering(exp);
        var splitting = ParseSplitting(exp.Child("splitting"));
        float? binarize = ParseBinarize(exp);
        int? topK = exp.Int("top_k", min: 1);
        var evaluation = ParseEvaluation(exp.Child("evaluation"), ref topK);
        ulong seed = exp.ULong("random_seed") ?? 42;
        int threads = exp.Int("threads", min: 0) ?? 0;
        var models = ParseModels(exp, evaluation, dataset);
        exp.Finish();

        if (data is not null)
        {
            if (data.Strategy == DataStrategy.Dataset && splitting is null && exp.Entry("splitting") is null)
                _errors.Add(new ConfigError(exp.Position, "experiment: strategy 'dataset' needs a 'splitting:' section with test_splitting"));
            if (data.Strategy != DataStrategy.Dataset)
            {
                if (exp.Entry("splitting") is { } s) _errors.Add(new ConfigError(s.KeyPosition, "splitting applies only to data_config strategy 'dataset' (synthetic_visual is split leave-one-out by time)"));
                if (exp.Entry("prefiltering") is { } p) _errors.Add(new ConfigError(p.KeyPosition, "prefiltering applies only to data_config strategy 'dataset'"));
            }
        }

        if (data is null) return null;
        return new StudyConfig
        {
            SourcePath = sourcePath,
            Dataset = dataset,
            Data = data,
            Prefiltering = prefilters,
            Splitting = splitting,
            BinarizeThreshold = binarize,
            TopK = topK ?? 10,
            Evaluation = evaluation,
            RandomSeed = seed,
            Threads = threads,
            Models = models,
            Warnings = _warnings,
        };
    }

    private DataConfig? ParseData(Section? s, string dataset)
    {
        if (s is null) return null;
        var strategy = s.Enum<DataStrategy>("strategy", required: true);
        var train = s.Entry("train_path");
        var validation = s.Entry("validation_path");
        var test = s.Entry("test_path");
        var whole = s.Entry("dataset_path");
        var format = s.Enum<DataFormat>("format") ?? DataFormat.Auto;
        char? separator = ParseSeparator(s);
        var (side, visual, visualAt) = ParseSideInformation(s, dataset);
        var features = s.Child("item_features") is { } fs ? ParseItemFeatures(fs, dataset) : null;
        var synthetic = s.Child("synthetic") is { } ss ? ParseSynthetic(ss) : null;
        s.Finish();
        if (strategy is null) return null;
        if (strategy != DataStrategy.SyntheticVisual && s.Entry("synthetic") is { } se)
            s.Error(se.KeyPosition, "data_config.synthetic is used only with strategy 'synthetic_visual'");

        string? trainPath = null, validationPath = null, testPath = null, datasetPath = null;
        if (strategy == DataStrategy.Fixed)
        {
            trainPath = FilePath(s, "train_path", train, dataset, required: true);
            testPath = FilePath(s, "test_path", test, dataset, required: true);
            validationPath = FilePath(s, "validation_path", validation, dataset, required: false);
            if (whole is not null) s.Error(whole.KeyPosition, "data_config.dataset_path is used only with strategy 'dataset'");
        }
        else if (strategy == DataStrategy.SyntheticVisual)
        {
            foreach (var e in new[] { train, validation, test, whole })
            {
                if (e is not null) s.Error(e.KeyPosition, $"data_config.{e.Key} is not used with strategy 'synthetic_visual' (the data are generated)");
            }
            if (s.Entry("item_features") is { } fe) s.Error(fe.KeyPosition, "data_config.item_features is not used with strategy 'synthetic_visual' (the features are generated)");
            if (visualAt is { } va) s.Error(va, $"data_config.side_information: a {VisualAttributeLoader} block is not used with strategy 'synthetic_visual' (the features are generated)");
        }
        else
        {
            datasetPath = FilePath(s, "dataset_path", whole, dataset, required: true);
            foreach (var e in new[] { train, validation, test })
            {
                if (e is not null) s.Error(e.KeyPosition, $"data_config.{e.Key} is used only with strategy 'fixed'");
            }
        }
        if (visualAt is { } at && s.Entry("item_features") is { } both)
        {
            s.Error(at, $"data_config: item features given twice, by item_features ({both.KeyPosition}) and by the side_information {VisualAttributeLoader} block ({at}); keep one");
            visual = null;
        }
        return new DataConfig
        {
            Strategy = strategy.Value,
            TrainPath = trainPath,
            ValidationPath = validationPath,
            TestPath = testPath,
            DatasetPath = datasetPath,
            Format = format,
            Separator = separator,
            SideInformation = side,
            ItemFeatures = features ?? visual,
            Synthetic = synthetic,
        };
    }

    private ItemFeatureOptions? ParseItemFeatures(Section s, string dataset)
    {
        var format = s.Enum<ItemFeatureFormat>("format") ?? ItemFeatureFormat.NpyFolder;
        var pathValue = s.Required("path");
        var idsValue = s.Value("ids");
        var normalization = s.Enum<FeatureNormalization>("normalization") ?? FeatureNormalization.None;
        bool includeYear = s.Bool("include_year", true);
        s.Finish();
        string? path = null, ids = null;
        if (pathValue is not null)
        {
            if (pathValue.Kind != ConfigValueKind.Scalar) s.TypeError("path", pathValue, "a file or folder path");
            else
            {
                path = ResolvePath(pathValue, dataset);
                bool folder = format == ItemFeatureFormat.NpyFolder;
                if (folder ? !Directory.Exists(path) : !File.Exists(path))
                {
                    s.Error(pathValue.Position, $"{s.PathOf("path")}: {(folder ? "folder" : "file")} not found: {path}");
                    path = null;
                }
            }
        }
        if (idsValue is not null)
        {
            if (format != ItemFeatureFormat.NpyMatrix) s.Error(idsValue.Position, $"{s.PathOf("ids")}: an id list is used only with format npy_matrix");
            else if (idsValue.Kind != ConfigValueKind.Scalar) s.TypeError("ids", idsValue, "a file path");
            else if (!File.Exists(ids = ResolvePath(idsValue, dataset)))
            {
                s.Error(idsValue.Position, $"{s.PathOf("ids")}: file not found: {ids}");
                ids = null;
            }
        }
        else if (format == ItemFeatureFormat.NpyMatrix) s.Error(s.Position, $"{s.Name}: format npy_matrix needs 'ids', a file with one item id per matrix row");
        if (path is null || (format == ItemFeatureFormat.NpyMatrix && ids is null)) return null;
        return new ItemFeatureOptions { Path = path, Format = format, IdsPath = ids, Normalization = normalization, IncludeYear = includeYear };
    }

    private static SyntheticVisualOptions ParseSynthetic(Section s)
    {
        var d = new SyntheticVisualOptions();
        var options = d with
        {
            Users = s.Int("users", min: 2) ?? d.Users,
            Items = s.Int("items", min: 4) ?? d.Items,
            FeatureDimension = s.Int("feature_dimension", min: 1) ?? d.FeatureDimension,
            LatentDimension = s.Int("latent_dimension", min: 1) ?? d.LatentDimension,
            VisualWeight = s.Double("visual_weight") ?? d.VisualWeight,
            FeatureNoise = s.Double("feature_noise") ?? d.FeatureNoise,
            MinInteractions = s.Int("min_interactions", min: 2) ?? d.MinInteractions,
            MaxInteractions = s.Int("max_interactions", min: 2) ?? d.MaxInteractions,
            Temperature = s.Double("temperature") ?? d.Temperature,
        };
        s.Finish();
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            s.Error(s.Position, $"{s.Name}: {ConfigConvert.SnakeCase(e.ParamName ?? "value")} out of range: {e.Message.Split(Environment.NewLine)[0]}");
        }
        return options;
    }

    private string? FilePath(Section s, string key, ConfigEntry? entry, string dataset, bool required)
    {
        var v = entry?.Value;
        if (v is null || v.IsNull)
        {
            if (required) s.Error(entry?.KeyPosition ?? s.Position, $"data_config: missing required key '{key}'");
            return null;
        }
        if (v.Kind != ConfigValueKind.Scalar)
        {
            s.TypeError(key, v, "a file path");
            return null;
        }
        string full = ResolvePath(v, dataset);
        if (!File.Exists(full))
        {
            s.Error(v.Position, $"data_config.{key}: file not found: {full}");
            return null;
        }
        return full;
    }

    /// <summary>Replaces {0} by the dataset name; a relative path resolves against the YAML file's folder (an override's against the working folder).</summary>
    private string ResolvePath(ConfigValue v, string dataset)
    {
        string path = v.Text!.Replace("{0}", dataset, StringComparison.Ordinal);
        if (Path.IsPathRooted(path)) return Path.GetFullPath(path);
        return string.Equals(v.File, _file, StringComparison.Ordinal)
            ? Path.GetFullPath(Path.Combine(_baseDirectory, path))
            : Path.GetFullPath(path);
    }

    private static char? ParseSeparator(Section s)
    {
        var v = s.Value("separator");
        if (v is null) return null;
        if (v.Kind == ConfigValueKind.Scalar)
        {
            string t = v.Text!;
            if (t.Length == 1) return t[0];
            switch (t.ToLowerInvariant())
            {
                case "tab" or "\\t": return '\t';
                case "comma": return ',';
                case "space": return ' ';
                case "semicolon": return ';';
                case "pipe": return '|';
            }
        }
        s.TypeError("separator", v, "one character or tab, comma, space, semicolon, pipe");
        return null;
    }

    /// <summary>
    /// The side_information blocks as written, and the item features of its VisualAttribute block with where that block
    /// is (null without one). Any other loader is an error: no AdvRec model reads item attributes or knowledge graphs.
    /// </summary>
    private (List<SideInformationConfig> Blocks, ItemFeatureOptions? Visual, ConfigPosition? VisualAt) ParseSideInformation(Section s, string dataset)
    {
        var result = new List<SideInformationConfig>();
        ItemFeatureOptions? visual = null;
        ConfigPosition? visualAt = null;
        var v = s.Value("side_information");
        if (v is null) return (result, null, null);
        var blocks = v.Kind == ConfigValueKind.Sequence ? v.Items : [v];
        for (int k = 0; k < blocks.Count; k++)
        {
            var block = blocks[k];
            string name = v.Kind == ConfigValueKind.Sequence ? $"data_config.side_information[{k}]" : "data_config.side_information";
            if (block.Kind != ConfigValueKind.Mapping)
            {
                s.TypeError("side_information", block, "a mapping with 'dataloader' (or a list of them)");
                continue;
            }
            var loader = block.Find("dataloader");
            if (loader?.Value is not { Kind: ConfigValueKind.Scalar } loaderName)
            {
                s.Error(block.Position, $"{name}: each block needs 'dataloader: Name' (AdvRec reads '{VisualAttributeLoader}')");
                continue;
            }
            var settings = new OrderedDictionary<string, ConfigValue>(StringComparer.Ordinal);
            foreach (var e in block.Entries)
            {
                if (e.Key != "dataloader") settings[e.Key] = e.Value;
            }
            result.Add(new SideInformationConfig(loaderName.Text!, settings, block.Position));
            if (!string.Equals(loaderName.Text, VisualAttributeLoader, StringComparison.Ordinal))
            {
                string hint = NearestName.Find(loaderName.Text!, [VisualAttributeLoader]) is { } near ? $"; did you mean '{near}'?" : "";
                s.Error(loaderName.Position, $"{name}: dataloader '{loaderName.Text}' is not supported{hint}; AdvRec reads only '{VisualAttributeLoader}' " +
                    "(item feature vectors for VBPR and AMR), and no AdvRec model uses other side information: remove the block");
                continue;
            }
            if (visualAt is { } first)
            {
                s.Error(block.Position, $"{name}: a second {VisualAttributeLoader} block (the first is at {first}); VBPR and AMR read one feature set");
                continue;
            }
            visualAt = block.Position;
            visual = ParseVisualAttribute(new Section(block, name, _errors), dataset);
        }
        return (result, visual, visualAt);
    }

    /// <summary>
    /// Elliot's VisualAttribute block as <c>item_features</c> with the npy_folder layout: <c>visual_features</c> is the
    /// folder (or <c>visual_pca_features</c> when it is given alone). The keys AdvRec has no use for are warnings.
    /// </summary>
    private ItemFeatureOptions? ParseVisualAttribute(Section s, string dataset)
    {
        s.Entry("dataloader");
        var features = s.Value("visual_features");
        var pca = s.Value("visual_pca_features");
        if (features is not null && pca is not null)
            Warn(s, "visual_pca_features", $"not read: VBPR and AMR use one feature set, the folder of visual_features; give visual_pca_features alone to use the PCA vectors");
        foreach (var (key, what) in new[] { ("visual_feat_map_features", "CNN feature maps"), ("images_src_folder", "images"), ("output_image_size", "images") })
        {
            if (s.Value(key) is not null) Warn(s, key, $"ignored: no AdvRec model reads {what}");
        }
        s.Finish();
        string folderKey = features is not null ? "visual_features" : "visual_pca_features";
        var folder = features ?? pca;
        if (folder is null)
        {
            s.Error(s.Position, $"{s.Name}: a {VisualAttributeLoader} block needs visual_features, a folder of <itemId>.npy files");
            return null;
        }
        if (folder.Kind != ConfigValueKind.Scalar)
        {
            s.TypeError(folderKey, folder, "a folder of <itemId>.npy files");
            return null;
        }
        string path = ResolvePath(folder, dataset);
        if (!Directory.Exists(path))
        {
            s.Error(folder.Position, $"{s.PathOf(folderKey)}: folder not found: {path}");
            return null;
        }
        return new ItemFeatureOptions { Path = path, Format = ItemFeatureFormat.NpyFolder };
    }

    private void Warn(Section s, string key, string message) =>
        _warnings.Add(new ConfigError(s.Entry(key)!.KeyPosition, $"{s.PathOf(key)}: {message}"));

    private List<PrefilterStep> ParsePrefiltering(Section exp)
    {
        var result = new List<PrefilterStep>();
        var v = exp.Value("prefiltering");
        if (v is null) return result;
        var blocks = v.Kind == ConfigValueKind.Sequence ? v.Items : [v];
        for (int k = 0; k < blocks.Count; k++)
        {
            var block = blocks[k];
            string name = v.Kind == ConfigValueKind.Sequence ? $"prefiltering[{k}]" : "prefiltering";
            if (block.Kind != ConfigValueKind.Mapping)
            {
                _errors.Add(new ConfigError(block.Position, $"{name}: expected a mapping with 'strategy' (or a list of them), got {block.Describe()}"));
                continue;
            }
            var s = new Section(block, name, _errors);
            var strategy = s.Text("strategy", required: true);
            PrefilterStep? step = null;
            switch (strategy)
            {
                case null:
                    continue;
                case "global_threshold":
                    {
                        var t = s.Required("threshold");
                        if (t is null) break;
                        if (t.Kind == ConfigValueKind.Scalar && string.Equals(t.Text, "average", StringComparison.OrdinalIgnoreCase))
                            step = new GlobalThresholdPrefilter(null);
                        else if (ConfigConvert.TryFloat(t, out float f) && float.IsFinite(f))
                            step = new GlobalThresholdPrefilter(f);
                        else s.TypeError("threshold", t, "a number or 'average'");
                        break;
                    }
                case "user_k_core":
                    if (s.Int("core", min: 1, required: true) is { } uc) step = new UserKCorePrefilter(uc);
                    break;
                case "item_k_core":
                    if (s.Int("core", min: 1, required: true) is { } ic) step = new ItemKCorePrefilter(ic);
                    break;
                case "iterative_k_core":
                    {
                        var core = s.Int("core", min: 1, required: true);
                        int rounds = s.Int("max_rounds", min: 1) ?? 100;
                        if (core is { } c) step = new IterativeKCorePrefilter(c, rounds);
                        break;
                    }
                case "n_rounds_k_core":
                    {
                        var core = s.Int("core", min: 1, required: true);
                        var rounds = s.Int("rounds", min: 1, required: true);
                        if (core is { } c && rounds is { } r) step = new IterativeKCorePrefilter(c, r);
                        break;
                    }
                default:
                    {
                        string[] valid = ["global_threshold", "user_k_core", "item_k_core", "iterative_k_core", "n_rounds_k_core"];
                        var pos = s.Value("strategy")!.Position;
                        _errors.Add(new ConfigError(pos, $"{name}.strategy: unknown prefiltering strategy '{strategy}'{NearestName.Hint(strategy, valid)}"));
                        continue;
                    }
            }
            s.Finish();
            if (step is not null) result.Add(step);
        }
        return result;
    }

    private SplittingConfig? ParseSplitting(Section? s)
    {
        if (s is null) return null;
        var test = ParseSplit(s.Child("test_splitting", required: true));
        var validation = ParseSplit(s.Child("validation_splitting"));
        s.Finish();
        return test is null ? null : new SplittingConfig { Test = test, Validation = validation };
    }

    private SplitConfig? ParseSplit(Section? s)
    {
        if (s is null) return null;
        var strategy = s.Enum<SplitStrategy>("strategy", required: true);
        if (strategy is null) return null;
        SplitConfig? result = null;
        switch (strategy.Value)
        {
            case SplitStrategy.TemporalHoldOut:
            case SplitStrategy.RandomSubsampling:
                {
                    var ratio = s.Double("test_ratio");
                    var n = s.Int("leave_n_out", min: 1);
                    int folds = strategy == SplitStrategy.RandomSubsampling ? s.Int("folds", min: 1) ?? 1 : 1;
                    if (ratio is { } r && !(r > 0 && r < 1))
                    {
                        s.Error(s.Value("test_ratio")!.Position, string.Create(CultureInfo.InvariantCulture, $"{s.PathOf("test_ratio")}: must lie strictly between 0 and 1, got {r}"));
                        break;
                    }
                    if ((ratio is null) == (n is null))
                    {
                        if (s.Value("test_ratio") is null && s.Value("leave_n_out") is null)
                            s.Error(s.Position, $"{s.Name}: {ConfigConvert.SnakeCase(strategy.Value.ToString())} needs either test_ratio or leave_n_out");
                        else if (ratio is not null)
                            s.Error(s.Value("leave_n_out")!.Position, $"{s.Name}: give test_ratio or leave_n_out, not both");
                        break;
                    }
                    result = new SplitConfig { Strategy = strategy.Value, TestRatio = ratio, LeaveNOut = n, Folds = folds, ByTime = strategy == SplitStrategy.TemporalHoldOut };
                    break;
                }
            case SplitStrategy.LeaveNOut:
                {
                    int n = s.Int("n", min: 1) ?? 1;
                    bool byTime = s.Bool("by_time", true);
                    result = new SplitConfig { Strategy = strategy.Value, LeaveNOut = n, ByTime = byTime };
                    break;
                }
            case SplitStrategy.StrongGeneralization:
                {
                    double users = s.Double("held_out_users") ?? 0.1;
                    double ratio = s.Double("test_ratio") ?? 0.2;
                    bool byTime = s.Bool("by_time", false);
                    if (!(users > 0) || !double.IsFinite(users) || (users >= 1 && users != Math.Floor(users)))
                    {
                        s.Error(s.Value("held_out_users")!.Position, string.Create(CultureInfo.InvariantCulture, $"{s.PathOf("held_out_users")}: expected a share of the users in (0, 1) or a whole count of at least 1, got {users}"));
                        break;
                    }
                    if (!(ratio > 0 && ratio < 1))
                    {
                        s.Error(s.Value("test_ratio")!.Position, string.Create(CultureInfo.InvariantCulture, $"{s.PathOf("test_ratio")}: must lie strictly between 0 and 1, got {ratio}"));
                        break;
                    }
                    result = new SplitConfig { Strategy = strategy.Value, HeldOutUsers = users, TestRatio = ratio, ByTime = byTime };
                    break;
                }
            case SplitStrategy.RandomCrossValidation:
                {
                    var folds = s.Int("folds", min: 2, required: true);
                    if (folds is { } f) result = new SplitConfig { Strategy = strategy.Value, Folds = f };
                    break;
                }
        }
        s.Finish();
        return result is null ? null : result with { Position = s.Position };
    }

    private float? ParseBinarize(Section exp)
    {
        var v = exp.Value("binarize");
        if (v is null) return null;
        if (ConfigConvert.TryBool(v, out bool b)) return b ? float.NegativeInfinity : null;
        if (ConfigConvert.TryFloat(v, out float t) && float.IsFinite(t)) return t;
        exp.TypeError("binarize", v, "true, false or a rating threshold");
        return null;
    }

    private EvaluationConfig ParseEvaluation(Section? s, ref int? topK)
    {
        var config = new EvaluationConfig();
        if (s is null)
        {
            topK ??= 10;
            return config with { Cutoffs = [topK.Value] };
        }
        var cutoffValue = s.Value("cutoffs");
        List<(int K, ConfigPosition Pos)> cutoffs = [];
        if (cutoffValue is not null)
        {
            var items = cutoffValue.Kind == ConfigValueKind.Sequence ? cutoffValue.Items : [cutoffValue];
            foreach (var item in items)
            {
                if (!ConfigConvert.TryInt(item, out int k) || k < 1)
                {
                    s.Error(item.Position, $"evaluation.cutoffs: expected a positive integer or a list of them, got {item.Describe()}");
                    continue;
                }
                if (!cutoffs.Exists(c => c.K == k)) cutoffs.Add((k, item.Position));
            }
        }
        topK ??= cutoffs.Count > 0 ? cutoffs.Max(c => c.K) : 10;
        foreach (var (k, pos) in cutoffs)
        {
            if (k > topK) s.Error(pos, string.Create(CultureInfo.InvariantCulture, $"evaluation.cutoffs: cutoff {k} exceeds top_k = {topK}"));
        }

        var metrics = new List<RankingMetric>();
        var metricValue = s.Value("simple_metrics");
        if (metricValue is not null)
        {
            var items = metricValue.Kind == ConfigValueKind.Sequence ? metricValue.Items : [metricValue];
            foreach (var item in items)
            {
                if (item.Kind != ConfigValueKind.Scalar || !RankingMetricExtensions.TryParse(item.Text, out var m))
                {
                    string hint = item.Kind == ConfigValueKind.Scalar ? NearestName.Hint(item.Text!, MetricNames[..10]) : "";
                    s.Error(item.Position, $"evaluation.simple_metrics: unknown metric {item.Describe()}{hint}");
                    continue;
                }
                if (!metrics.Contains(m)) metrics.Add(m);
            }
        }
        config = config with
        {
            Cutoffs = cutoffs.Count > 0 ? [.. cutoffs.Select(c => c.K)] : [topK.Value],
            SimpleMetrics = metricValue is null ? RankingMetrics.All : metrics,
            RelevanceThreshold = s.Float("relevance_threshold"),
            GradedNdcg = s.Bool("graded_ndcg"),
            PairedTTest = s.Bool("paired_ttest"),
            WilcoxonTest = s.Bool("wilcoxon_test"),
            Robustness = s.Child("robustness") is { } rs ? ParseRobustness(rs) : null,
        };
        s.Finish();
        return config;
    }

    private static RobustnessConfig ParseRobustness(Section s)
    {
        var epsilons = new List<float>();
        if (s.Required("eps") is { } eps)
        {
            foreach (var item in eps.Kind == ConfigValueKind.Sequence ? eps.Items : [eps])
            {
                if (item.Kind == ConfigValueKind.Scalar && float.TryParse(item.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out float e) && e > 0 && float.IsFinite(e))
                    epsilons.Add(e);
                else s.Error(item.Position, $"{s.PathOf("eps")}: expected numbers > 0, got {item.Describe()}");
            }
        }
        var config = new RobustnessConfig
        {
            Epsilons = epsilons,
            Steps = s.Int("nb_iter", min: 1) ?? 1,
            StepSize = s.Float("eps_iter"),
            Projection = s.Enum<AdvRec.Adversarial.Projection>("projection") ?? AdvRec.Adversarial.Projection.L2Ball,
            Targets = ParseTargets(s),
        };
        if (config.StepSize is { } step && !(step > 0) && s.Value("eps_iter") is { } v) s.Error(v.Position, $"{s.PathOf("eps_iter")}: must be > 0");
        s.Finish();
        return config;
    }

    private static List<string>? ParseTargets(Section s)
    {
        var v = s.Value("targets");
        if (v is null) return null;
        var names = new List<string>();
        foreach (var item in v.Kind == ConfigValueKind.Sequence ? v.Items : [v])
        {
            if (item.Kind == ConfigValueKind.Scalar && item.Text!.Length > 0) names.Add(item.Text);
            else s.Error(item.Position, $"{s.PathOf("targets")}: expected target names such as item_features, got {item.Describe()}");
        }
        return names;
    }

    private List<ModelConfig> ParseModels(Section exp, EvaluationConfig evaluation, string dataset)
    {
        var result = new List<ModelConfig>();
        var s = exp.Child("models", required: true);
        if (s is null) return result;
        if (s.Entries.Count == 0) s.Error(s.Position, "models: no model given");
        foreach (var entry in s.Entries)
        {
            var model = ParseModel(entry, evaluation, dataset);
            if (model is not null) result.Add(model);
        }
        // every key of 'models' is a model name: nothing is unknown here
        return result;
    }

    private ModelConfig? ParseModel(ConfigEntry entry, EvaluationConfig evaluation, string dataset)
    {
        string name = entry.Key;
        var value = entry.Value;
        if (value.IsNull) value = ConfigValue.Mapping([], value.Position);
        if (value.Kind != ConfigValueKind.Mapping)
        {
            _errors.Add(new ConfigError(value.Position, $"models.{name}: expected a mapping with meta, hyperparameters and grid, got {value.Describe()}"));
            return null;
        }
        var s = new Section(value, "models." + name, _errors);
        var meta = ParseMeta(s.Child("meta"), evaluation);

        var hyper = new OrderedDictionary<string, ConfigValue>(StringComparer.Ordinal);
        var hyperEntries = new List<ConfigEntry>();
        if (s.Child("hyperparameters") is { } h)
        {
            foreach (var e in h.Entries)
            {
                hyper[e.Key] = e.Value;
                hyperEntries.Add(e);
            }
        }

        var grid = new OrderedDictionary<string, IReadOnlyList<ConfigValue>>(StringComparer.Ordinal);
        if (s.Child("grid") is { } g)
        {
            foreach (var e in g.Entries)
            {
                if (e.Value.Kind != ConfigValueKind.Sequence || e.Value.Items.Count == 0)
                {
                    g.Error(e.Value.Position, $"{g.PathOf(e.Key)}: expected a non-empty list of values to try, got {e.Value.Describe()}");
                    continue;
                }
                if (hyper.ContainsKey(e.Key))
                {
                    g.Error(e.KeyPosition, $"{g.PathOf(e.Key)}: '{e.Key}' is both a fixed hyperparameter and a grid key");
                    continue;
                }
                grid[e.Key] = e.Value.Items;
            }
        }
        s.Finish("; a model has meta, hyperparameters and grid (hyperparameters go under 'hyperparameters:')");

        IReadOnlyList<GridPoint<object>> variants = [];
        if (_schemas is not null)
        {
            if (!_schemas.TryGetValue(name, out var schema))
            {
                _errors.Add(new ConfigError(entry.KeyPosition, $"unknown model '{name}'{NearestName.Hint(name, _schemas.Keys)}"));
            }
            else
            {
                var fixedEntries = hyperEntries.Select(e => new ConfigEntry(e.Key, e.KeyPosition, ResolveModelPath(schema, e.Key, e.Value, $"models.{name}.hyperparameters", dataset))).ToList();
                var gridValues = grid.Select(g => new KeyValuePair<string, IReadOnlyList<ConfigValue>>(g.Key,
                    [.. g.Value.Select(v => ResolveModelPath(schema, g.Key, v, $"models.{name}.grid", dataset))])).ToList();
                var points = GridExpander.TryExpand(schema.Defaults, fixedEntries, gridValues, schema.Aliases, _errors, entry.KeyPosition, name);
                if (points is not null) variants = points;
            }
        }

        return new ModelConfig
        {
            Name = name,
            Position = entry.KeyPosition,
            Meta = meta,
            Hyperparameters = hyper,
            Grid = grid,
            Variants = variants,
        };
    }

    /// <summary>
    /// A hyperparameter that names one of the schema's <see cref="ModelSchema.Paths"/>, resolved as data paths are and
    /// checked to exist (an error at the value otherwise); any other value as written.
    /// </summary>
    private ConfigValue ResolveModelPath(ModelSchema schema, string key, ConfigValue value, string section, string dataset)
    {
        if (schema.Paths is not { Count: > 0 } paths || value.Kind != ConfigValueKind.Scalar) return value;
        string property = schema.Aliases?.FirstOrDefault(a => string.Equals(a.Key, key, StringComparison.OrdinalIgnoreCase)).Value ?? key;
        if (!paths.Any(p => ConfigConvert.Normalize(p) == ConfigConvert.Normalize(property))) return value;
        string full = ResolvePath(value, dataset);
        if (!File.Exists(full)) _errors.Add(new ConfigError(value.Position, $"{section}.{key}: file not found: {full}"));
        return ConfigValue.Scalar(full, value.Position, quoted: true);
    }

    private ModelMeta ParseMeta(Section? s, EvaluationConfig evaluation)
    {
        MetricKey? fallback = evaluation.SimpleMetrics.Count > 0 && evaluation.Cutoffs.Count > 0
            ? new MetricKey(evaluation.SimpleMetrics[0], evaluation.SimpleMetrics[0].HasCutoff() ? evaluation.Cutoffs[0] : 0)
            : null;
        if (s is null) return new ModelMeta { ValidationMetric = fallback };
        var meta = new ModelMeta
        {
            Epochs = s.Int("epochs", min: 1),
            SaveRecs = s.Bool("save_recs"),
            SaveWeights = s.Bool("save_weights"),
            ValidationRate = s.Int("validation_rate", min: 1) ?? 1,
            Verbose = s.Bool("verbose"),
            EvalPerturbations = s.Bool("eval_perturbations"),
        };
        var vm = s.Value("validation_metric");
        MetricKey? validation = vm is null ? fallback : ParseMetricKey(s, "validation_metric", vm, evaluation);
        meta = meta with { ValidationMetric = validation };
        if (meta.Epochs is { } epochs && meta.ValidationRate > epochs && s.Value("validation_rate") is { } vr)
            s.Error(vr.Position, string.Create(CultureInfo.InvariantCulture, $"{s.PathOf("validation_rate")}: {meta.ValidationRate} exceeds epochs = {epochs}"));

        if (s.Child("early_stopping") is { } es)
        {
            var patience = es.Int("patience", min: 1, required: true);
            var monitorValue = es.Value("monitor");
            string? monitor = validation?.ToString();
            MetricKey? monitorMetric = validation;
            if (monitorValue is not null)
            {
                if (monitorValue.Kind == ConfigValueKind.Scalar && string.Equals(monitorValue.Text, "loss", StringComparison.OrdinalIgnoreCase))
                {
                    monitor = "loss";
                    monitorMetric = null;
                }
                else
                {
                    monitorMetric = ParseMetricKey(es, "monitor", monitorValue, evaluation);
                    monitor = monitorMetric?.ToString();
                }
            }
            es.Finish();
            if (patience is { } p) meta = meta with { EarlyStopping = new EarlyStoppingConfig { Patience = p, Monitor = monitor, MonitorMetric = monitorMetric } };
        }
        s.Finish();
        return meta;
    }

    /// <summary>Parses "nDCG@10" (or "AUC"): a metric of simple_metrics at a cutoff of cutoffs, as Elliot requires.</summary>
    private static MetricKey? ParseMetricKey(Section s, string key, ConfigValue v, EvaluationConfig evaluation)
    {
        if (v.Kind != ConfigValueKind.Scalar)
        {
            s.TypeError(key, v, "a metric such as nDCG@10");
            return null;
        }
        string text = v.Text!;
        int at = text.IndexOf('@', StringComparison.Ordinal);
        string name = at >= 0 ? text[..at] : text;
        if (!RankingMetricExtensions.TryParse(name, out var metric))
        {
            s.Error(v.Position, $"{s.PathOf(key)}: unknown metric '{name}'{NearestName.Hint(name, MetricNames[..10])}");
            return null;
        }
        int cutoff = 0;
        if (metric.HasCutoff())
        {
            if (at < 0 || !int.TryParse(text[(at + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out cutoff) || cutoff < 1)
            {
                s.Error(v.Position, $"{s.PathOf(key)}: expected a metric at a cutoff such as {metric.Name()}@10, got '{text}'");
                return null;
            }
            if (!evaluation.Cutoffs.Contains(cutoff))
            {
                s.Error(v.Position, string.Create(CultureInfo.InvariantCulture, $"{s.PathOf(key)}: cutoff {cutoff} is not among evaluation.cutoffs ({string.Join(", ", evaluation.Cutoffs)})"));
                return null;
            }
        }
        else if (at >= 0)
        {
            s.Error(v.Position, $"{s.PathOf(key)}: {metric.Name()} has no cutoff, got '{text}'");
            return null;
        }
        if (!evaluation.SimpleMetrics.Contains(metric))
        {
            s.Error(v.Position, $"{s.PathOf(key)}: {metric.Name()} is not among evaluation.simple_metrics");
            return null;
        }
        return new MetricKey(metric, cutoff);
    }
}
