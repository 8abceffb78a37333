using System.Globalization;
using AdvRec.Data;
using AdvRec.Data.Features;
using AdvRec.Evaluation;
using AdvRec.Kernels;
using AdvRec.Models;

namespace AdvRec.Experiments.Config;

/// <summary>Turns a checked <see cref="ConfigValue"/> tree into a <see cref="StudyConfig"/>, collecting every error.</summary>
internal sealed class StudyParser
{
    private static readonly string[] MetricNames = ["HR", "nDCG", "Precision", "Recall", "MRR", "MAP", "ElliotMAP", "AUC", "RMSE", "MAE", "HitRate"];

    /// <summary>The one side_information loader AdvRec reads.</summary>
    internal const string VisualAttributeLoader = "VisualAttribute";

    private readonly List<ConfigError> _errors;
    private readonly List<ConfigError> _warnings;
    private readonly string _file;
    private readonly string _baseDirectory;
    private readonly IReadOnlyDictionary<string, ModelSchema>? _schemas;

    public StudyParser(string file, string baseDirectory, IReadOnlyDictionary<string, ModelSchema>? schemas, List<ConfigError> errors, List<ConfigError>? warnings = null)
    {
        _warnings = warnings ?? [];
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
        var splitting = ParseSplitting(exp.Child("splitting"), dataset);
        float? binarize = ParseBinarize(exp);
        int? topK = exp.Int("top_k", min: 1);
        var evaluation = ParseEvaluation(exp.Child("evaluation"), ref topK);
        ulong seed = exp.ULong("random_seed") ?? StudyConfig.DefaultRandomSeed;
        int threads = exp.Int("threads", min: 0) ?? 0;
        string? device = ParseGpu(exp);
        var outputs = ParseOutputs(exp, dataset);
        bool triplets = exp.Bool("print_results_as_triplets");
        ParseElliotExperimentKeys(exp);
        var models = ParseModels(exp, evaluation, dataset, seed);
        exp.Finish();
        if (evaluation.Attack is { } attack && !models.Any(m => m.Meta.EvalPerturbations))
            _warnings.Add(new ConfigError(attack.Position, "evaluation: eps, nb_iter, eps_iter and projection set the eval_perturbations attack, but no model has meta.eval_perturbations: not used (the robustness sweep takes evaluation.robustness's)"));

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
            TopK = topK ?? StudyConfig.DefaultTopK,
            Evaluation = evaluation,
            RandomSeed = seed,
            Threads = threads,
            Device = device,
            Outputs = outputs,
            PrintResultsAsTriplets = triplets,
            Models = models,
            Warnings = _warnings,
        };
    }

    /// <summary>Elliot's <c>gpu</c>: -1 is the CPU, N ≥ 0 the CUDA device N (Elliot makes it the visible one); null when absent.</summary>
    private static string? ParseGpu(Section exp)
    {
        if (exp.Int("gpu", min: -1) is not int gpu) return null;
        return gpu < 0 ? "cpu" : string.Create(CultureInfo.InvariantCulture, $"cuda:{gpu}");
    }

    /// <summary>Elliot's <c>path_output_rec_result</c>, <c>path_output_rec_weight</c> and <c>path_output_rec_performance</c>: folders ({0} = dataset, relative to the study file).</summary>
    private OutputFolders ParseOutputs(Section exp, string dataset)
    {
        string? Folder(string key) => exp.Value(key) is { } v
            ? v.Kind == ConfigValueKind.Scalar ? ResolvePath(v, dataset) : TypeErrorNull(exp, key, v, "a folder")
            : null;
        return new OutputFolders
        {
            Recommendations = Folder("path_output_rec_result"),
            Weights = Folder("path_output_rec_weight"),
            Performance = Folder("path_output_rec_performance"),
        };
    }

    private static string? TypeErrorNull(Section s, string key, ConfigValue v, string expected)
    {
        s.TypeError(key, v, expected);
        return null;
    }

    /// <summary>
    /// Elliot's experiment keys that AdvRec reads without a use for them (a warning each), or accepts only where they
    /// change nothing (an error otherwise, since they would change the results).
    /// </summary>
    private void ParseElliotExperimentKeys(Section exp)
    {
        if (exp.Value("version") is not null) Warn(exp, "version", "ignored: AdvRec does not check Elliot's version");
        if (exp.Value("path_log_folder") is not null) Warn(exp, "path_log_folder", "ignored: AdvRec writes run.log into the results folder");
        if (exp.Value("path_logger_config") is not null) Warn(exp, "path_logger_config", "ignored: AdvRec writes run.log into the results folder");
        if (exp.Value("external_models_path") is not null) Warn(exp, "external_models_path", "ignored: AdvRec cannot run Elliot's external (Python) models");
        if (exp.Bool("config_test")) Warn(exp, "config_test", "ignored: AdvRec checks the whole study file before it reads any data, without a dry run");
        if (exp.Value("align_side_with_train") is { } align && (!ConfigConvert.TryBool(align, out bool a) || !a))
            exp.Error(align.Position, $"align_side_with_train: {align} is not supported: AdvRec always drops the interactions of items without side information (true only)");
        if (exp.Text("dataloader") is { } loader && !string.Equals(loader, "DataSetLoader", StringComparison.Ordinal))
            exp.Error(exp.Value("dataloader")!.Position, $"dataloader: '{loader}' is not supported: AdvRec reads data_config as Elliot's DataSetLoader does");
        if (exp.Value("negative_sampling") is { } negatives)
            exp.Error(negatives.Position, "negative_sampling is not implemented: AdvRec ranks every item a user has not seen in training; ranking sampled candidates would change every metric");
    }

    private DataConfig? ParseData(Section? s, string dataset)
    {
        if (s is null) return null;
        var strategy = s.Enum<DataStrategy>("strategy", required: true);
        var train = s.Entry("train_path");
        var validation = s.Entry("validation_path");
        var test = s.Entry("test_path");
        var whole = s.Entry("dataset_path");
        var root = s.Entry("root_folder");
        if (s.Text("dataloader") is { } loader && !string.Equals(loader, "DataSetLoader", StringComparison.Ordinal))
            s.Error(s.Value("dataloader")!.Position, $"data_config.dataloader: '{loader}' is not supported: AdvRec reads data_config as Elliot's DataSetLoader does");
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
        if (strategy != DataStrategy.Hierarchy && root is not null)
            s.Error(root.KeyPosition, "data_config.root_folder is used only with strategy 'hierarchy'");
        if (strategy == DataStrategy.Hierarchy)
        {
            foreach (var e in new[] { train, validation, test, whole })
            {
                if (e is not null) s.Error(e.KeyPosition, $"data_config.{e.Key} is not used with strategy 'hierarchy' (the files are under root_folder)");
            }
            (trainPath, validationPath, testPath) = ParseHierarchy(s, root, dataset);
        }
        else if (strategy == DataStrategy.Fixed)
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

    /// <summary>
    /// Elliot's <c>hierarchy</c>: <c>root_folder/0/test.tsv</c> with <c>root_folder/0/train.tsv</c>, or with
    /// <c>root_folder/0/0/train.tsv</c> and <c>root_folder/0/0/val.tsv</c> (the layout <c>splitting.save_folder</c> writes).
    /// AdvRec runs one split per study, the first fold (0); further fold folders are a warning.
    /// </summary>
    private (string? Train, string? Validation, string? Test) ParseHierarchy(Section s, ConfigEntry? root, string dataset)
    {
        if (root?.Value is not { IsNull: false } v)
        {
            s.Error(root?.KeyPosition ?? s.Position, "data_config: missing required key 'root_folder' (strategy 'hierarchy')");
            return default;
        }
        if (v.Kind != ConfigValueKind.Scalar)
        {
            s.TypeError("root_folder", v, "a folder");
            return default;
        }
        string folder = ResolvePath(v, dataset);
        if (!Directory.Exists(folder))
        {
            s.Error(v.Position, $"data_config.root_folder: folder not found: {folder}");
            return default;
        }
        string fold = Path.Combine(folder, "0");
        string test = Path.Combine(fold, "test.tsv");
        if (!File.Exists(test))
        {
            s.Error(v.Position, $"data_config.root_folder: {test} not found (expected <root_folder>/0/test.tsv with 0/train.tsv, or with 0/0/train.tsv and 0/0/val.tsv)");
            return default;
        }
        var folds = Folds(folder);
        if (folds.Count > 1)
            _warnings.Add(new ConfigError(root.KeyPosition, $"data_config.root_folder: {folds.Count} test folds ({string.Join(", ", folds)}); AdvRec runs one split per study, fold 0 (Elliot runs each)"));
        string flat = Path.Combine(fold, "train.tsv");
        if (File.Exists(flat)) return (flat, null, test);
        string inner = Path.Combine(fold, "0");
        string train = Path.Combine(inner, "train.tsv"), validation = Path.Combine(inner, "val.tsv");
        if (!File.Exists(train) || !File.Exists(validation))
        {
            s.Error(v.Position, $"data_config.root_folder: neither {flat} nor {train} with {validation} exists");
            return default;
        }
        var validationFolds = Folds(fold);
        if (validationFolds.Count > 1)
            _warnings.Add(new ConfigError(root.KeyPosition, $"data_config.root_folder: {validationFolds.Count} validation folds under fold 0 ({string.Join(", ", validationFolds)}); AdvRec uses the first, 0/0"));
        return (train, validation, test);
    }

    private static List<string> Folds(string folder) =>
        [.. Directory.GetDirectories(folder).Select(Path.GetFileName).Where(n => n is { Length: > 0 } && n.All(char.IsAsciiDigit)).Select(n => n!).Order(StringComparer.Ordinal)];

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
                case "user_average":
                    step = new UserAveragePrefilter();
                    break;
                case "cold_users":
                    if (s.Int("threshold", min: 1, required: true) is { } most) step = new ColdUsersPrefilter(most);
                    break;
                default:
                    {
                        string[] valid = ["global_threshold", "user_average", "user_k_core", "item_k_core", "iterative_k_core", "n_rounds_k_core", "cold_users"];
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

    private SplittingConfig? ParseSplitting(Section? s, string dataset)
    {
        if (s is null) return null;
        var test = ParseSplit(s.Child("test_splitting", required: true));
        var validation = ParseSplit(s.Child("validation_splitting"));
        bool save = s.Bool("save_on_disk");
        var folderValue = s.Value("save_folder");
        string? folder = null;
        if (folderValue is not null)
        {
            if (folderValue.Kind != ConfigValueKind.Scalar) s.TypeError("save_folder", folderValue, "a folder");
            else if (save) folder = ResolvePath(folderValue, dataset);
            else Warn(s, "save_folder", "ignored: save_on_disk is not true, so the split is not written");
        }
        else if (save) s.Error(s.Entry("save_on_disk")!.KeyPosition, "splitting.save_on_disk: true needs save_folder, the folder the split is written to");
        if (test is { Strategy: SplitStrategy.RandomCrossValidation or SplitStrategy.RandomSubsampling, Folds: > 1 })
            _warnings.Add(new ConfigError(test.Position, $"splitting.test_splitting: {test.Folds} folds; AdvRec runs one split per study, the first fold (Elliot runs each)"));
        s.Finish();
        return test is null ? null : new SplittingConfig { Test = test, Validation = validation, SaveFolder = folder };
    }

    private SplitConfig? ParseSplit(Section? s)
    {
        if (s is null) return null;
        if (s.Value("strategy") is { Kind: ConfigValueKind.Scalar, Text: "fixed_timestamp" })
        {
            s.Error(s.Value("strategy")!.Position, $"{s.PathOf("strategy")}: fixed_timestamp is not implemented: AdvRec splits per user (temporal_hold_out, random_subsampling, leave_n_out, random_cross_validation, strong_generalization); a global cut in time would change the split");
            return null;
        }
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
            topK ??= StudyConfig.DefaultTopK;
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
        topK ??= cutoffs.Count > 0 ? cutoffs.Max(c => c.K) : StudyConfig.DefaultTopK;
        foreach (var (k, pos) in cutoffs)
        {
            if (k > topK) s.Error(pos, string.Create(CultureInfo.InvariantCulture, $"evaluation.cutoffs: cutoff {k} exceeds top_k = {topK}"));
        }

        var metrics = new List<RankingMetric>();
        var metricValue = s.Value("simple_metrics");
        int errorsBefore = s.Errors.Count;
        if (metricValue is not null)
        {
            var items = metricValue.Kind == ConfigValueKind.Sequence ? metricValue.Items : [metricValue];
            foreach (var item in items)
            {
                if (item.Kind != ConfigValueKind.Scalar || !RankingMetricExtensions.TryParse(item.Text, out var m))
                {
                    if (item.Kind == ConfigValueKind.Scalar && ElliotVocabulary.MetricsWithoutCounterpart.Contains(item.Text!))
                    {
                        _warnings.Add(new ConfigError(item.Position, $"evaluation.simple_metrics: {item.Text} is not computed: AdvRec has no counterpart of Elliot's {item.Text}; the other metrics are"));
                        continue;
                    }
                    string hint = item.Kind == ConfigValueKind.Scalar ? NearestName.Hint(item.Text!, MetricNames[..10]) : "";
                    s.Error(item.Position, $"evaluation.simple_metrics: unknown metric {item.Describe()}{hint}");
                    continue;
                }
                if (!metrics.Contains(m)) metrics.Add(m);
            }
            if (metrics.Count == 0 && items.Count > 0 && s.Errors.Count == errorsBefore)
                s.Error(metricValue.Position, "evaluation.simple_metrics: none of these metrics is computed by AdvRec; name at least one of " + string.Join(", ", MetricNames[..10]));
        }
        ParseComplexMetrics(s);
        config = config with
        {
            Cutoffs = cutoffs.Count > 0 ? [.. cutoffs.Select(c => c.K)] : [topK.Value],
            SimpleMetrics = metricValue is null ? RankingMetrics.All : metrics,
            RelevanceThreshold = s.Float("relevance_threshold"),
            GradedNdcg = s.Bool("graded_ndcg"),
            PairedTTest = s.Bool("paired_ttest"),
            WilcoxonTest = s.Bool("wilcoxon_test"),
            Robustness = s.Child("robustness") is { } rs ? ParseRobustness(rs) : null,
            Attack = ParseAttackBudget(s),
        };
        s.Finish();
        return config;
    }

    /// <summary>
    /// The eval_perturbations attack keys of <paramref name="s"/> (<c>evaluation</c> or a model's <c>meta</c>): <c>eps</c> and
    /// <c>eps_iter</c> numbers &gt; 0, <c>nb_iter</c> an integer ≥ 1, <c>projection</c> <c>l2_ball</c> or <c>linf_clip</c>;
    /// null when none is written.
    /// </summary>
    private static AttackBudgetConfig? ParseAttackBudget(Section s)
    {
        string[] keys = ["eps", "nb_iter", "eps_iter", "projection"];
        var written = keys.Select(s.Entry).OfType<ConfigEntry>().ToList();
        if (written.Count == 0) return null;
        return new AttackBudgetConfig
        {
            Epsilon = PositiveFloat(s, "eps"),
            Steps = s.Int("nb_iter", min: 1),
            StepSize = PositiveFloat(s, "eps_iter"),
            Projection = s.Enum<AdvRec.Adversarial.Projection>("projection"),
            Position = written[0].KeyPosition,
        };
    }

    private static float? PositiveFloat(Section s, string key)
    {
        var v = s.Value(key);
        if (v is null) return null;
        if (ConfigConvert.TryFloat(v, out float x) && float.IsFinite(x) && x > 0) return x;
        s.Error(v.Position, $"{s.PathOf(key)}: expected a number > 0, got {v.Describe()}");
        return null;
    }

    /// <summary>Elliot's <c>complex_metrics</c> (metrics with parameters, such as DSC or ExtendedEPC): none is computed, each is a warning.</summary>
    private void ParseComplexMetrics(Section s)
    {
        var v = s.Value("complex_metrics");
        if (v is null) return;
        foreach (var item in v.Kind == ConfigValueKind.Sequence ? v.Items : [v])
        {
            string name = item.Kind == ConfigValueKind.Mapping && item.Find("metric")?.Value is { Kind: ConfigValueKind.Scalar } m ? m.Text! : item.ToString();
            _warnings.Add(new ConfigError(item.Position, $"evaluation.complex_metrics: {name} is not computed: AdvRec has no complex metrics (Elliot's metrics with parameters); the simple ones are"));
        }
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
        // nb_iter, eps_iter and projection are read as eval_perturbations' are, with the same defaults
        var defaults = new AdvRec.Adversarial.AttackOptions();
        var config = new RobustnessConfig
        {
            Epsilons = epsilons,
            Steps = s.Int("nb_iter", min: 1) ?? defaults.Steps,
            StepSize = PositiveFloat(s, "eps_iter"),
            Projection = s.Enum<AdvRec.Adversarial.Projection>("projection") ?? defaults.Projection,
            Targets = ParseTargets(s),
        };
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

    /// <summary>The keys of a model's block that are not hyperparameters (Elliot writes early_stopping beside meta).</summary>
    private static readonly string[] ModelBlockKeys = ["meta", "hyperparameters", "grid", "early_stopping"];

    private List<ModelConfig> ParseModels(Section exp, EvaluationConfig evaluation, string dataset, ulong seed)
    {
        var result = new List<ModelConfig>();
        var s = exp.Child("models", required: true);
        if (s is null) return result;
        if (s.Entries.Count == 0) s.Error(s.Position, "models: no model given");
        var seen = new Dictionary<string, ConfigEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in s.Entries)
        {
            var model = ParseModel(entry, evaluation, dataset, seed, result.Count);
            if (model is null) continue;
            if (seen.TryGetValue(model.Name, out var first))
            {
                _errors.Add(new ConfigError(entry.KeyPosition,
                    $"models.{entry.Key} is {model.Name}, which models.{first.Key} ({first.KeyPosition}) already names; a study trains each model once (a grid tries several configurations)"));
                continue;
            }
            seen[model.Name] = entry;
            result.Add(model);
        }
        // every key of 'models' is a model name: nothing is unknown here
        return result;
    }

    /// <summary>
    /// The AdvRec name and schema of the model a study names: its AdvRec name (any case) or one of its Elliot names. An
    /// <c>external.</c> model, one of Elliot's models without a counterpart and an unknown name are errors (null).
    /// Without schemas nothing is checked: the name is kept as written.
    /// </summary>
    private (string Name, ModelSchema? Schema)? ResolveModel(ConfigEntry entry)
    {
        string written = entry.Key;
        if (_schemas is null) return (written, null);
        string models = "; AdvRec's models: " + string.Join(", ", _schemas.Keys);
        if (written.StartsWith("external.", StringComparison.OrdinalIgnoreCase))
        {
            string inner = written["external.".Length..];
            string near = NearestName.Find(inner, AllModelNames()) is { } n ? $"; the nearest AdvRec model is '{n}'" : "";
            _errors.Add(new ConfigError(entry.KeyPosition,
                $"models.{written}: Elliot's external models are Python classes loaded through external_models_path, which AdvRec cannot run{near}{models}"));
            return null;
        }
        foreach (var (name, schema) in _schemas)
        {
            if (string.Equals(name, written, StringComparison.OrdinalIgnoreCase)) return (name, schema);
        }
        foreach (var (name, schema) in _schemas)
        {
            if (schema.ElliotNames.Contains(written, StringComparer.OrdinalIgnoreCase)) return (name, schema);
        }
        if (ElliotVocabulary.ModelsWithoutCounterpart.Contains(written))
            _errors.Add(new ConfigError(entry.KeyPosition, $"models.{written}: Elliot's model '{written}' has no AdvRec counterpart{models}"));
        else
            _errors.Add(new ConfigError(entry.KeyPosition, $"unknown model '{written}'{NearestName.Hint(written, AllModelNames())}"));
        return null;
    }

    private IEnumerable<string> AllModelNames() => _schemas!.Keys.Concat(_schemas.Values.SelectMany(s => s.ElliotNames));

    /// <summary>A model's fixed hyperparameters and grid as they are read, and an Elliot-style <c>epochs</c> that goes to meta.</summary>
    private sealed class ModelHyperparameters
    {
        public List<ConfigEntry> Fixed { get; } = [];

        /// <summary>Where each fixed value was written: <c>models.M</c> or <c>models.M.hyperparameters</c>.</summary>
        public Dictionary<string, string> Sections { get; } = new(StringComparer.Ordinal);

        public List<KeyValuePair<string, IReadOnlyList<ConfigValue>>> Grid { get; } = [];

        public ConfigEntry? Epochs { get; set; }
    }

    private ModelConfig? ParseModel(ConfigEntry entry, EvaluationConfig evaluation, string dataset, ulong seed, int index)
    {
        string written = entry.Key;
        var value = entry.Value;
        if (value.IsNull) value = ConfigValue.Mapping([], value.Position);
        if (value.Kind != ConfigValueKind.Mapping)
        {
            _errors.Add(new ConfigError(value.Position, $"models.{written}: expected a mapping of meta and hyperparameters, got {value.Describe()}"));
            return null;
        }
        var resolved = ResolveModel(entry);
        string name = resolved?.Name ?? written;
        var schema = resolved?.Schema;
        string label = string.Equals(name, written, StringComparison.Ordinal) ? name : $"{written} ({name})";

        var s = new Section(value, "models." + written, _errors);
        var meta = ParseMeta(s.Child("meta"), evaluation);
        var stopEntry = s.Entry("early_stopping");
        if (s.Child("early_stopping") is { } es)
        {
            // Elliot writes early_stopping beside meta
            var stop = ParseEarlyStopping(es, meta.ValidationMetric, evaluation);
            if (meta.EarlyStopping is not null) s.Error(stopEntry!.KeyPosition, $"models.{written}: early_stopping is given twice, beside meta and in meta; keep one");
            else meta = meta with { EarlyStopping = stop };
        }
        var nestedEntry = s.Entry("hyperparameters");
        var nested = s.Child("hyperparameters");
        var gridSection = s.Child("grid");
        var flat = value.Entries.Where(e => !ModelBlockKeys.Contains(e.Key, StringComparer.Ordinal)).ToList();
        foreach (var e in flat) s.Entry(e.Key);
        s.Finish();
        if (nested is not null && flat.Count > 0)
        {
            _errors.Add(new ConfigError(flat[0].KeyPosition,
                $"models.{written}: '{flat[0].Key}' is a hyperparameter written directly under the model name (Elliot's form), while 'hyperparameters:' ({nestedEntry!.KeyPosition}) holds others; write them all one way"));
        }

        var read = new ModelHyperparameters();
        foreach (var e in nested?.Entries ?? [])
            ReadHyperparameter(e, $"models.{written}.hyperparameters", fromGrid: false, elliotForm: false, schema, name, label, read);
        foreach (var e in flat)
            ReadHyperparameter(e, $"models.{written}", fromGrid: false, elliotForm: true, schema, name, label, read);
        if (gridSection is not null)
        {
            foreach (var e in gridSection.Entries)
            {
                if (e.Value.Kind != ConfigValueKind.Sequence || e.Value.Items.Count == 0)
                {
                    gridSection.Error(e.Value.Position, $"{gridSection.PathOf(e.Key)}: expected a non-empty list of values to try, got {e.Value.Describe()}");
                    continue;
                }
                ReadHyperparameter(e, gridSection.Name, fromGrid: true, elliotForm: false, schema, name, label, read);
            }
        }
        // epochs beside meta is the study's epochs; where the options have an epochs of their own it binds to them too.
        // They are declared once: an options' epochs (fixed or a grid) beside meta.epochs is an error.
        var metaEpochs = s.Child("meta")?.Entry("epochs");
        var epochsEntry = read.Epochs ?? (metaEpochs is null ? read.Fixed.Find(f => f.Key == "epochs") : null);
        if (epochsEntry is not null) meta = MetaEpochs(meta, epochsEntry, s.Child("meta"), written, name);
        if (metaEpochs is not null)
        {
            if (read.Fixed.Find(f => f.Key == "epochs") is { } both && !(ConfigConvert.TryInt(both.Value, out int a) && ConfigConvert.TryInt(metaEpochs.Value, out int b) && a == b))
                _errors.Add(new ConfigError(both.KeyPosition, $"models.{written}: epochs is given twice, here ({both.Value.Text}) and as meta.epochs ({metaEpochs.Value.Text}, {metaEpochs.KeyPosition}); keep one"));
            else if (read.Grid.Exists(g => g.Key == "epochs"))
                _errors.Add(new ConfigError(metaEpochs.KeyPosition, $"models.{written}.meta.epochs: the grid searches epochs too; keep one"));
        }

        IReadOnlyList<GridPoint<object>> variants = [];
        int gridSize = 0;
        if (schema is not null)
        {
            var fixedEntries = read.Fixed.Select(e => new ConfigEntry(e.Key, e.KeyPosition, ResolveModelPath(schema, e.Key, e.Value, read.Sections[e.Key], dataset))).ToList();
            // options with an adversarial schedule count back from the study's epochs: bind them, so that the schedule is checked against them
            if (meta.Epochs is int epochs && OptionsBinder.PropertyOf(schema.Defaults.GetType(), "epochs") is not null && !read.Fixed.Exists(f => f.Key == "epochs"))
            {
                var at = s.Child("meta")?.Entry("epochs")?.Value.Position ?? entry.KeyPosition;
                fixedEntries.Add(new ConfigEntry("epochs", at, ConfigValue.Scalar(epochs.ToString(CultureInfo.InvariantCulture), at)));
            }
            var gridValues = read.Grid.Select(g => new KeyValuePair<string, IReadOnlyList<ConfigValue>>(g.Key,
                [.. g.Value.Select(v => ResolveModelPath(schema, g.Key, v, $"models.{written}.grid", dataset))])).ToList();
            var points = GridExpander.TryExpand(schema.Defaults, fixedEntries, gridValues, schema.Aliases, _errors, entry.KeyPosition, label);
            if (points is not null)
            {
                gridSize = points.Count;
                variants = meta.HyperMaxEvals is int max && max < points.Count ? Sample(points, max, seed, index) : points;
            }
        }
        if (meta.HyperMaxEvals is int evals && read.Grid.Count == 0 && s.Child("meta") is { } metaSection && metaSection.Entry("hyper_max_evals") is { } me)
            Warn(metaSection, "hyper_max_evals", $"ignored: {name} has no grid, so one configuration is trained (hyper_max_evals {evals})");

        var hyper = new OrderedDictionary<string, ConfigValue>(StringComparer.Ordinal);
        foreach (var e in read.Fixed) hyper[e.Key] = e.Value;
        var grid = new OrderedDictionary<string, IReadOnlyList<ConfigValue>>(StringComparer.Ordinal);
        foreach (var (k, v) in read.Grid) grid[k] = v;
        return new ModelConfig
        {
            Name = name,
            WrittenName = written,
            Position = entry.KeyPosition,
            Meta = meta,
            Hyperparameters = hyper,
            Grid = grid,
            Variants = variants,
            GridSize = gridSize,
        };
    }

    /// <summary><paramref name="count"/> of the grid's points drawn at random with the study's seed, kept in grid order (Elliot's hyper_max_evals).</summary>
    private static List<GridPoint<object>> Sample(List<GridPoint<object>> points, int count, ulong seed, int model)
    {
        var order = Enumerable.Range(0, points.Count).ToArray();
        var rng = Xoshiro.Derive(seed, 0x6879706572UL, (ulong)model);
        rng.Shuffle(order.AsSpan());
        return [.. order.Take(count).Order().Select(i => points[i])];
    }

    /// <summary>
    /// Reads one hyperparameter (a fixed value, or a grid's values when <paramref name="fromGrid"/>) into
    /// <paramref name="into"/>: a list value of a scalar hyperparameter is a grid, as in Elliot; a list-typed one takes
    /// a list as its value and a list of lists or of tuple strings "(600,200)" as its grid. Elliot's keys the options
    /// record lacks are applied (<see cref="ModelSchema.ElliotKeys"/>); <c>epochs</c> of a model whose options have none
    /// goes to meta; anything else unknown is an error that names the nearest key or the models that have it.
    /// </summary>
    private void ReadHyperparameter(ConfigEntry e, string section, bool fromGrid, bool elliotForm, ModelSchema? schema, string name, string label, ModelHyperparameters into)
    {
        string path = $"{section}.{e.Key}";
        if (schema is null)
        {
            // no schema: no types are known; a list written Elliot's way is a grid
            if (fromGrid || (elliotForm && e.Value.Kind == ConfigValueKind.Sequence)) AddGrid(into, e, e.Value.Items, path);
            else AddFixed(into, e, path);
            return;
        }
        var type = schema.Defaults.GetType();
        string? property = OptionsBinder.PropertyOf(type, e.Key, schema.Aliases);
        if (property is null)
        {
            if (schema.ElliotKeys.TryGetValue(e.Key, out var elliot)) ApplyElliotKey(e, elliot, path, fromGrid, into);
            else if (e.Key == "epochs" && !fromGrid) into.Epochs = e;
            else if (e.Key is "batch_size" or "seed") _warnings.Add(new ConfigError(e.KeyPosition, $"{path}: ignored: {name} has no {e.Key}"));
            else UnknownHyperparameter(e, name, label, schema, elliotForm);
            return;
        }
        var propertyType = type.GetProperty(property)!.PropertyType;
        bool listTyped = ConfigConvert.ListElement(Nullable.GetUnderlyingType(propertyType) ?? propertyType) is not null;
        if (fromGrid)
        {
            AddGrid(into, e, [.. e.Value.Items.Select(v => listTyped ? TupleAsList(v) : v)], path);
            return;
        }
        if (e.Value.Kind == ConfigValueKind.Sequence)
        {
            if (ElliotVocabulary.IsSearchSpace(e.Value, out string function))
            {
                _errors.Add(new ConfigError(e.Value.Position, $"{path}: {e.Value} is a hyperopt search space ({function}), which Elliot samples with " +
                    "hyper_opt_alg tpe, rand and the like; AdvRec runs grids only: list the values to try, such as [0.001, 0.01]"));
                return;
            }
            if (!listTyped)
            {
                if (e.Value.Items.Count == 0) _errors.Add(new ConfigError(e.Value.Position, $"{path}: an empty list gives a grid with no value to try"));
                else AddGrid(into, e, e.Value.Items, path);
                return;
            }
            if (e.Value.Items.Any(i => i.Kind == ConfigValueKind.Sequence || IsTuple(i)))
            {
                AddGrid(into, e, [.. e.Value.Items.Select(TupleAsList)], path);
                return;
            }
        }
        AddFixed(into, listTyped ? e with { Value = TupleAsList(e.Value) } : e, path);
    }

    private void AddFixed(ModelHyperparameters into, ConfigEntry e, string path)
    {
        if (into.Grid.Exists(g => string.Equals(g.Key, e.Key, StringComparison.Ordinal)) || into.Fixed.Exists(f => string.Equals(f.Key, e.Key, StringComparison.Ordinal)))
        {
            _errors.Add(new ConfigError(e.KeyPosition, $"{path}: '{e.Key}' is given twice (a fixed value and a grid, or in two places)"));
            return;
        }
        into.Fixed.Add(e);
        into.Sections[e.Key] = path[..path.LastIndexOf('.')];
    }

    private void AddGrid(ModelHyperparameters into, ConfigEntry e, IReadOnlyList<ConfigValue> values, string path)
    {
        if (into.Fixed.Exists(f => string.Equals(f.Key, e.Key, StringComparison.Ordinal)))
        {
            _errors.Add(new ConfigError(e.KeyPosition, $"{path}: '{e.Key}' is both a fixed hyperparameter and a grid key"));
            return;
        }
        if (into.Grid.Exists(g => string.Equals(g.Key, e.Key, StringComparison.Ordinal)))
        {
            _errors.Add(new ConfigError(e.KeyPosition, $"{path}: '{e.Key}' has two grids; give its values once"));
            return;
        }
        into.Grid.Add(new(e.Key, values));
    }

    /// <summary>Applies an Elliot key the options record lacks: a warning, a check against the one value AdvRec has, or a conversion.</summary>
    private void ApplyElliotKey(ConfigEntry e, ElliotKey elliot, string path, bool fromGrid, ModelHyperparameters into)
    {
        var values = e.Value.Kind == ConfigValueKind.Sequence ? e.Value.Items : [e.Value];
        switch (elliot.Kind)
        {
            case ElliotKeyKind.Ignored:
                _warnings.Add(new ConfigError(e.KeyPosition, $"{path}: ignored: {elliot.Reason}"));
                break;
            case ElliotKeyKind.Fixed:
                foreach (var v in values)
                {
                    if (!SameValue(v, elliot.Value!))
                        _errors.Add(new ConfigError(v.Position, $"{path}: {v} is not supported: {elliot.Reason} ({e.Key}: {elliot.Value} only)"));
                }
                break;
            default:
                {
                    var converted = new List<ConfigValue>();
                    foreach (var v in values)
                    {
                        if (ConfigConvert.TryDouble(v, out double d) && double.IsFinite(d))
                            converted.Add(ConfigValue.Scalar(elliot.Convert!(d).ToString("R", CultureInfo.InvariantCulture), v.Position));
                        else _errors.Add(new ConfigError(v.Position, $"{path}: expected a number, got {v.Describe()}"));
                    }
                    if (converted.Count != values.Count) break;
                    var target = e with { Key = ConfigConvert.SnakeCase(elliot.Property!) };
                    if (fromGrid || e.Value.Kind == ConfigValueKind.Sequence) AddGrid(into, target, converted, path);
                    else AddFixed(into, target with { Value = converted[0] }, path);
                    break;
                }
        }
    }

    private static bool SameValue(ConfigValue v, string expected)
    {
        if (v.Kind != ConfigValueKind.Scalar) return false;
        var e = ConfigValue.Scalar(expected, v.Position);
        if (ConfigConvert.TryBool(e, out bool eb)) return ConfigConvert.TryBool(v, out bool vb) && vb == eb;
        if (ConfigConvert.TryDouble(e, out double ed)) return ConfigConvert.TryDouble(v, out double vd) && vd == ed;
        return string.Equals(v.Text, expected, StringComparison.OrdinalIgnoreCase);
    }

    private void UnknownHyperparameter(ConfigEntry e, string name, string label, ModelSchema schema, bool elliotForm)
    {
        var others = _schemas!.Where(kv => !string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase) && Accepts(kv.Value, e.Key)).Select(kv => kv.Key).ToList();
        string message;
        if (others.Count > 0)
        {
            message = $"unknown hyperparameter '{e.Key}' for {label}: it is a hyperparameter of {string.Join(", ", others)}, not of {name}";
        }
        else
        {
            var keys = OptionsBinder.Keys(schema.Defaults.GetType(), schema.Aliases).Concat(schema.ElliotKeys.Keys).Append("epochs");
            if (elliotForm) keys = keys.Concat(ModelBlockKeys);
            message = $"unknown hyperparameter '{e.Key}' for {label}{NearestName.Hint(e.Key, keys)}";
        }
        _errors.Add(new ConfigError(e.KeyPosition, message));
    }

    private static bool Accepts(ModelSchema schema, string key) =>
        OptionsBinder.PropertyOf(schema.Defaults.GetType(), key, schema.Aliases) is not null || schema.ElliotKeys.ContainsKey(key);

    /// <summary>Elliot's tuple string "(600, 200)" (or "(600,)") as a list; any other value as it is.</summary>
    private static ConfigValue TupleAsList(ConfigValue v)
    {
        if (!IsTuple(v)) return v;
        string inner = v.Text!.Trim()[1..^1];
        var parts = inner.Split(',').Select(p => p.Trim()).ToList();
        if (parts.Count > 0 && parts[^1].Length == 0) parts.RemoveAt(parts.Count - 1);
        return ConfigValue.Sequence(parts.Select(p => ConfigValue.Scalar(p, v.Position)), v.Position);
    }

    private static bool IsTuple(ConfigValue v) =>
        v.Kind == ConfigValueKind.Scalar && v.Text!.Trim() is { Length: >= 2 } t && t[0] == '(' && t[^1] == ')';

    /// <summary>Elliot's <c>epochs</c> beside meta: the study's meta.epochs (for a model whose options have an epochs too, only when meta gives none).</summary>
    private ModelMeta MetaEpochs(ModelMeta meta, ConfigEntry e, Section? metaSection, string written, string name)
    {
        string path = $"models.{written}.epochs";
        if (e.Value.Kind == ConfigValueKind.Sequence)
        {
            _errors.Add(new ConfigError(e.Value.Position, $"{path}: a list of epochs would be a grid, but {name}'s options have no epochs (the study trains it for meta.epochs); give one number"));
            return meta;
        }
        if (!ConfigConvert.TryInt(e.Value, out int epochs) || epochs < 1)
        {
            _errors.Add(new ConfigError(e.Value.Position, $"{path}: expected an integer of at least 1, got {e.Value.Describe()}"));
            return meta;
        }
        if (meta.Epochs is not null && metaSection?.Entry("epochs") is { } other)
        {
            _errors.Add(new ConfigError(e.KeyPosition, $"{path}: epochs is given twice, here and as meta.epochs ({other.KeyPosition}); keep one"));
            return meta;
        }
        if (meta.ValidationRate > epochs && metaSection?.Entry("validation_rate") is { } rate)
            _errors.Add(new ConfigError(rate.Value.Position, string.Create(CultureInfo.InvariantCulture, $"models.{written}.meta.validation_rate: {meta.ValidationRate} exceeds epochs = {epochs}")));
        return meta with { Epochs = epochs };
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
            HyperMaxEvals = s.Int("hyper_max_evals", min: 1),
            Attack = ParseAttackBudget(s),
        };
        var vm = s.Value("validation_metric");
        MetricKey? validation = vm is null ? fallback : ParseMetricKey(s, "validation_metric", vm, evaluation);
        meta = meta with { ValidationMetric = validation };
        if (meta.Epochs is { } epochs && meta.ValidationRate > epochs && s.Value("validation_rate") is { } vr)
            s.Error(vr.Position, string.Create(CultureInfo.InvariantCulture, $"{s.PathOf("validation_rate")}: {meta.ValidationRate} exceeds epochs = {epochs}"));
        if (s.Text("hyper_opt_alg") is { } algorithm && !string.Equals(algorithm, "grid", StringComparison.OrdinalIgnoreCase))
        {
            var at = s.Value("hyper_opt_alg")!.Position;
            if (ElliotVocabulary.SearchAlgorithms.Contains(algorithm, StringComparer.OrdinalIgnoreCase))
                s.Error(at, $"{s.PathOf("hyper_opt_alg")}: '{algorithm}' (hyperopt's search) is not implemented: AdvRec runs grids (hyper_opt_alg: grid), every point or a seeded random subset of hyper_max_evals points");
            else
                s.Error(at, $"{s.PathOf("hyper_opt_alg")}: unknown search algorithm '{algorithm}'{NearestName.Hint(algorithm, ElliotVocabulary.SearchAlgorithms)}; AdvRec runs grid");
        }
        if (s.Value("restore") is { } restore && (!ConfigConvert.TryBool(restore, out bool r) || r))
            s.Error(restore.Position, $"{s.PathOf("restore")}: {restore} is not supported: AdvRec trains every model and does not restore saved weights to evaluate them (AMR's pretrained: starts from a saved VBPR); use false or drop it");
        if (s.Value("optimize_internal_loss") is { } internalLoss && (!ConfigConvert.TryBool(internalLoss, out bool l) || l))
            s.Error(internalLoss.Position, $"{s.PathOf("optimize_internal_loss")}: {internalLoss} is not supported: AdvRec selects on the validation metric (early_stopping with monitor: loss stops on the training loss); use false or drop it");

        if (s.Child("early_stopping") is { } es) meta = meta with { EarlyStopping = ParseEarlyStopping(es, validation, evaluation) };
        if (meta.Attack is { } attack && !meta.EvalPerturbations)
            _warnings.Add(new ConfigError(attack.Position, $"{s.Name}: eps, nb_iter, eps_iter and projection set the eval_perturbations attack, which is off for this model: not used"));
        s.Finish();
        return meta;
    }

    /// <summary>
    /// An early_stopping block: <c>patience</c> and <c>monitor</c> (a metric, or <c>loss</c>), and Elliot's other keys where
    /// they change nothing (<c>mode</c> that agrees with the monitor, <c>min_delta</c>, <c>rel_delta</c> and <c>baseline</c> at
    /// 0; <c>verbose</c> is ignored with a warning); null when the block has errors.
    /// </summary>
    private EarlyStoppingConfig? ParseEarlyStopping(Section es, MetricKey? validation, EvaluationConfig evaluation)
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
        if (es.Text("mode") is { } mode && !string.Equals(mode, "auto", StringComparison.OrdinalIgnoreCase))
        {
            bool lower = monitorMetric is null || !monitorMetric.Value.Metric.HigherIsBetter();
            string wanted = lower ? "min" : "max";
            if (!string.Equals(mode, wanted, StringComparison.OrdinalIgnoreCase))
                es.Error(es.Value("mode")!.Position, $"{es.PathOf("mode")}: '{mode}' contradicts the monitor {monitor ?? "loss"}, for which {wanted} is better (AdvRec takes the direction from the monitor; auto or {wanted} only)");
        }
        foreach (string key in new[] { "min_delta", "rel_delta", "baseline" })
        {
            if (es.Double(key) is { } d && d != 0)
                es.Error(es.Value(key)!.Position, string.Create(CultureInfo.InvariantCulture, $"{es.PathOf(key)}: {d} is not supported: AdvRec stops after patience validations without any improvement (0 only); it would change when training stops"));
        }
        if (es.Value("verbose") is not null) Warn(es, "verbose", "ignored: run.log and the report say when training stopped early");
        es.Finish();
        return patience is { } p ? new EarlyStoppingConfig { Patience = p, Monitor = monitor, MonitorMetric = monitorMetric } : null;
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
