using AdvRec.Data;
using AdvRec.Data.Features;

namespace AdvRec.Experiments.Config;

/// <summary>How the data are given (Elliot's <c>data_config.strategy</c>).</summary>
public enum DataStrategy
{
    /// <summary><c>fixed</c>: ready-made train, test and optional validation files.</summary>
    Fixed,

    /// <summary><c>dataset</c>: one file, prefiltered and split by the study.</summary>
    Dataset,

    /// <summary><c>synthetic_visual</c>: the seeded synthetic visual dataset (interactions and item features, split leave-one-out by time).</summary>
    SyntheticVisual,

    /// <summary>
    /// <c>hierarchy</c> (Elliot's): a <c>root_folder</c> of split folders, <c>0/test.tsv</c> with <c>0/train.tsv</c> or with
    /// <c>0/0/train.tsv</c> and <c>0/0/val.tsv</c>; read as fixed files (<see cref="DataConfig.TrainPath"/> and the others).
    /// </summary>
    Hierarchy,
}

/// <summary>One <c>side_information</c> block: a loader name and its settings, kept as written.</summary>
/// <param name="Loader">The <c>dataloader</c> value, such as <c>VisualAttribute</c>.</param>
/// <param name="Settings">The other keys of the block, in written order.</param>
/// <param name="Position">Where the block starts.</param>
public sealed record SideInformationConfig(string Loader, IReadOnlyDictionary<string, ConfigValue> Settings, ConfigPosition Position);

/// <summary>The <c>data_config</c> section: where the interaction files are and how to read them.</summary>
public sealed record DataConfig
{
    /// <summary><c>strategy</c>: <c>fixed</c> (train/test files) or <c>dataset</c> (one file split by the study); required.</summary>
    public DataStrategy Strategy { get; init; }

    /// <summary><c>train_path</c>: the training file (strategy fixed; required there), an absolute path.</summary>
    public string? TrainPath { get; init; }

    /// <summary><c>validation_path</c>: the validation file (strategy fixed; optional), an absolute path.</summary>
    public string? ValidationPath { get; init; }

    /// <summary><c>test_path</c>: the test file (strategy fixed; required there), an absolute path.</summary>
    public string? TestPath { get; init; }

    /// <summary><c>dataset_path</c>: the whole data file (strategy dataset; required there), an absolute path.</summary>
    public string? DatasetPath { get; init; }

    /// <summary><c>format</c>: auto, delimited, movielens or adjacency; default auto.</summary>
    public DataFormat Format { get; init; } = DataFormat.Auto;

    /// <summary><c>separator</c>: one character, or tab/comma/space/semicolon/pipe; default: detected from the file.</summary>
    public char? Separator { get; init; }

    /// <summary>
    /// The item feature vectors, or null: <c>item_features</c> (path, format, ids, normalization, include_year), or the
    /// folder of a <c>side_information</c> VisualAttribute block read as format npy_folder with no normalisation.
    /// </summary>
    public ItemFeatureOptions? ItemFeatures { get; init; }

    /// <summary><c>synthetic</c>: the shape of the synthetic visual dataset (strategy synthetic_visual); null = the defaults.</summary>
    public SyntheticVisualOptions? Synthetic { get; init; }

    /// <summary><c>side_information</c>: the loader blocks (<c>dataloader: Name</c> plus its keys) as written; only VisualAttribute is accepted, and it sets <see cref="ItemFeatures"/>.</summary>
    public IReadOnlyList<SideInformationConfig> SideInformation { get; init; } = [];
}
