using AdvRec.Evaluation;

namespace AdvRec.Experiments.Config;

/// <summary>A model's <c>meta.early_stopping</c> block.</summary>
public sealed record EarlyStoppingConfig
{
    /// <summary><c>patience</c>: validations without improvement before training stops (at least 1); required.</summary>
    public int Patience { get; init; }

    /// <summary><c>monitor</c>: the monitored value, a metric such as <c>nDCG@10</c> or <c>loss</c>; default the validation metric.</summary>
    public string? Monitor { get; init; }

    /// <summary>The monitored metric parsed from <see cref="Monitor"/>; null when it is <c>loss</c> or not given.</summary>
    public MetricKey? MonitorMetric { get; init; }

    /// <summary>Whether the training loss is monitored (<c>monitor: loss</c>; lower is better).</summary>
    public bool MonitorsLoss => string.Equals(Monitor, "loss", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A model's <c>meta</c> block: what the training loop does around the model.</summary>
public sealed record ModelMeta
{
    /// <summary><c>epochs</c>: training epochs (at least 1); default null, the runner's default.</summary>
    public int? Epochs { get; init; }

    /// <summary><c>save_recs</c>: write the top-k lists; default false.</summary>
    public bool SaveRecs { get; init; }

    /// <summary><c>save_weights</c>: write the trained weights; default false.</summary>
    public bool SaveWeights { get; init; }

    /// <summary><c>validation_rate</c>: evaluate every N epochs (at least 1); default 1.</summary>
    public int ValidationRate { get; init; } = 1;

    /// <summary><c>validation_metric</c>: the selection metric, such as <c>nDCG@10</c> (metric in simple_metrics, cutoff in cutoffs); default the first metric at the first cutoff.</summary>
    public MetricKey? ValidationMetric { get; init; }

    /// <summary><c>verbose</c>: report every epoch; default false.</summary>
    public bool Verbose { get; init; }

    /// <summary><c>eval_perturbations</c>: also evaluate under adversarial perturbations (adversarial models); default false.</summary>
    public bool EvalPerturbations { get; init; }

    /// <summary>
    /// <c>eps</c>, <c>nb_iter</c>, <c>eps_iter</c>, <c>projection</c>: this model's eval_perturbations attack, over
    /// evaluation's key by key; null when none is written here.
    /// </summary>
    public AttackBudgetConfig? Attack { get; init; }

    /// <summary><c>early_stopping</c>: stop when the monitored value stops improving; default none.</summary>
    public EarlyStoppingConfig? EarlyStopping { get; init; }

    /// <summary>
    /// <c>hyper_max_evals</c> (Elliot's): train at most this many points of the grid, a random subset drawn with the
    /// study's seed (in grid order); null, the default, trains every point.
    /// </summary>
    public int? HyperMaxEvals { get; init; }
}

/// <summary>
/// One entry of <c>models</c>: <c>Name: { meta: {...}, hyperparameters: {...}, grid: {...} }</c>, or Elliot's form with the
/// hyperparameters directly under the name beside <c>meta</c>. A list value of a scalar hyperparameter is a grid
/// (Elliot's rule); a list-typed hyperparameter (such as layer sizes) takes a list as its value, and a list of lists
/// or of tuple strings <c>"(600,200)"</c> is its grid; <c>grid:</c> lists the values to try explicitly.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>
    /// The model's AdvRec name, such as <c>BPR-MF</c> or <c>AMF</c> (when the study was checked against model schemas; the
    /// key as written otherwise). Outputs use it.
    /// </summary>
    public required string Name { get; init; }

    /// <summary>The model's key as written: <see cref="Name"/>, or an Elliot name of the model such as <c>BPRMF</c>.</summary>
    public string WrittenName { get; init; } = "";

    /// <summary>Whether the key was an Elliot name of the model (an alias of <see cref="Name"/>).</summary>
    public bool IsAlias => WrittenName.Length > 0 && !string.Equals(WrittenName, Name, StringComparison.Ordinal);

    /// <summary>Where the model's key is.</summary>
    public ConfigPosition Position { get; init; }

    /// <summary><c>meta</c>: training-loop settings.</summary>
    public ModelMeta Meta { get; init; } = new();

    /// <summary>
    /// The fixed hyperparameters: name → value, in written order (bound onto the model's options record), from
    /// <c>hyperparameters:</c> or from beside <c>meta</c>.
    /// </summary>
    public IReadOnlyDictionary<string, ConfigValue> Hyperparameters { get; init; } = new Dictionary<string, ConfigValue>();

    /// <summary>
    /// The grid: name → the values tried, in written order; the search is their Cartesian product. It holds <c>grid:</c>
    /// and the list values that are grids by Elliot's rule.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ConfigValue>> Grid { get; init; } = new Dictionary<string, IReadOnlyList<ConfigValue>>();

    /// <summary>
    /// The bound options of every grid point (one when there is no grid), in <see cref="GridExpander"/> order, when
    /// the loader was given a schema for this model; empty otherwise.
    /// </summary>
    public IReadOnlyList<GridPoint<object>> Variants { get; init; } = [];

    /// <summary>The number of grid points before <see cref="ModelMeta.HyperMaxEvals"/> chose among them (the count of <see cref="Variants"/> otherwise).</summary>
    public int GridSize { get; init; }
}
