using AdvRec.Data;

namespace AdvRec.Experiments.Config;

/// <summary>
/// A study: Elliot's <c>experiment:</c> block, typed and checked by <see cref="StudyConfigLoader"/>. Paths are
/// absolute (relative ones resolve against the YAML file's folder; <c>{0}</c> is replaced by the dataset name).
/// </summary>
public sealed record StudyConfig
{
    /// <summary>The YAML file the study was read from (absolute path).</summary>
    public required string SourcePath { get; init; }

    /// <summary><c>dataset</c>: the dataset's name (names the output folder); required.</summary>
    public required string Dataset { get; init; }

    /// <summary><c>data_config</c>: where the data are; required.</summary>
    public required DataConfig Data { get; init; }

    /// <summary><c>prefiltering</c>: one step or a list, applied in order before splitting (strategy dataset only).</summary>
    public IReadOnlyList<PrefilterStep> Prefiltering { get; init; } = [];

    /// <summary><c>splitting</c>: how the dataset is split (required for strategy dataset, absent for fixed).</summary>
    public SplittingConfig? Splitting { get; init; }

    /// <summary><c>binarize</c>: true (every rating becomes a positive, threshold −∞), false (default, null) or a rating threshold.</summary>
    public float? BinarizeThreshold { get; init; }

    /// <summary>The list length when neither <c>top_k</c> nor a cutoff is written.</summary>
    public const int DefaultTopK = 10;

    /// <summary>The seed when <c>random_seed</c> is not written (every model's own default seed too).</summary>
    public const ulong DefaultRandomSeed = 42;

    /// <summary><c>top_k</c>: the recommendation list length (at least every cutoff); default the largest cutoff, or <see cref="DefaultTopK"/>.</summary>
    public int TopK { get; init; } = DefaultTopK;

    /// <summary><c>evaluation</c>: cutoffs, metrics and tests.</summary>
    public EvaluationConfig Evaluation { get; init; } = new();

    /// <summary><c>random_seed</c>: seed of the splitter and of models without their own; default 42.</summary>
    public ulong RandomSeed { get; init; } = DefaultRandomSeed;

    /// <summary>
    /// <c>threads</c>: the most threads the study uses (0, the default, = all cores): every model with a <c>threads</c>
    /// hyperparameter that its config does not set gets it, evaluation runs on at most that many threads, and the native
    /// engines of the study's models (<see cref="Models.ModelDefinition.EngineThreads"/>, such as libtorch's intra-op threads)
    /// are capped for the run.
    /// <see cref="StudyRunOptions.Threads"/> overrides it.
    /// </summary>
    public int Threads { get; init; }

    /// <summary>
    /// Elliot's <c>gpu</c> as a device for every model that has one: -1 is <c>cpu</c>, N ≥ 0 is <c>cuda:N</c>; null when the
    /// study does not say (the models keep their own). <see cref="StudyRunOptions.Device"/> (<c>advrec run --device</c>) overrides it.
    /// </summary>
    public string? Device { get; init; }

    /// <summary>Elliot's <c>path_output_rec_*</c>: where recommendation lists, weights and performance tables go instead of the run's folder.</summary>
    public OutputFolders Outputs { get; init; } = new();

    /// <summary>Elliot's <c>print_results_as_triplets</c>: also write each cutoff's test results as (model, metric, value) rows.</summary>
    public bool PrintResultsAsTriplets { get; init; }

    /// <summary><c>models</c>: the models in written order; at least one.</summary>
    public IReadOnlyList<ModelConfig> Models { get; init; } = [];

    /// <summary>
    /// Keys that were read but are not used (such as a VisualAttribute block's <c>images_src_folder</c>), each with its
    /// position; they do not stop the study, and <see cref="StudyRunner"/> writes them to run.log.
    /// </summary>
    public IReadOnlyList<ConfigError> Warnings { get; init; } = [];

    /// <summary>The read options of the data files: <see cref="DataConfig.Format"/>, separator and binarisation.</summary>
    public ReadOptions ToReadOptions() => new()
    {
        Format = Data.Format,
        Separator = Data.Separator,
        BinarizeThreshold = BinarizeThreshold,
    };
}

/// <summary>
/// Folders that replace the run folder's own for some outputs (Elliot's <c>path_output_rec_result</c>,
/// <c>path_output_rec_weight</c>, <c>path_output_rec_performance</c>); absolute paths, null for the run folder's.
/// </summary>
public sealed record OutputFolders
{
    /// <summary><c>path_output_rec_result</c>: the recommendation lists (meta.save_recs); default <c>recs/</c> of the run folder.</summary>
    public string? Recommendations { get; init; }

    /// <summary><c>path_output_rec_weight</c>: the trained weights (meta.save_weights); default <c>weights/</c> of the run folder.</summary>
    public string? Weights { get; init; }

    /// <summary><c>path_output_rec_performance</c>: the performance tables; default <c>performance/</c> of the run folder.</summary>
    public string? Performance { get; init; }
}
