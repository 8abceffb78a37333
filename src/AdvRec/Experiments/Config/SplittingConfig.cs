namespace AdvRec.Experiments.Config;

/// <summary>A splitting strategy (Elliot's <c>test_splitting.strategy</c> names, plus <c>leave_n_out</c>).</summary>
public enum SplitStrategy
{
    /// <summary><c>temporal_hold_out</c>: each user's latest rows, by <c>test_ratio</c> or <c>leave_n_out</c>.</summary>
    TemporalHoldOut,

    /// <summary><c>random_subsampling</c>: random rows per user, by <c>test_ratio</c> or <c>leave_n_out</c>.</summary>
    RandomSubsampling,

    /// <summary><c>leave_n_out</c>: <c>n</c> rows per user (default 1), the latest ones unless <c>by_time: false</c>.</summary>
    LeaveNOut,

    /// <summary><c>random_cross_validation</c>: per-user k-fold with <c>folds</c> folds.</summary>
    RandomCrossValidation,

    /// <summary>
    /// <c>strong_generalization</c> (Liang et al.): <c>held_out_users</c> users (a share in (0, 1), default 0.1, or a
    /// count) are held out; each keeps 1 − <c>test_ratio</c> (default 0.2) of its rows as fold-in input and the rest is
    /// predicted: random rows, or the latest ones with <c>by_time: true</c>. In <c>validation_splitting</c> it draws the
    /// validation users the same way.
    /// </summary>
    StrongGeneralization,
}

/// <summary>
/// One split (<c>test_splitting</c> or <c>validation_splitting</c>). Exactly one of <see cref="TestRatio"/>,
/// <see cref="LeaveNOut"/> is set except for cross-validation, which uses <see cref="Folds"/> only.
/// </summary>
public sealed record SplitConfig
{
    /// <summary><c>strategy</c>: temporal_hold_out, random_subsampling, leave_n_out, random_cross_validation or strong_generalization; required.</summary>
    public SplitStrategy Strategy { get; init; }

    /// <summary><c>test_ratio</c>: the share of each user's rows held out, in (0, 1).</summary>
    public double? TestRatio { get; init; }

    /// <summary><c>leave_n_out</c> (or <c>n</c> with strategy leave_n_out): rows held out per user, at least 1.</summary>
    public int? LeaveNOut { get; init; }

    /// <summary><c>folds</c>: folds of cross-validation (at least 2), or repetitions of random_subsampling (default 1).</summary>
    public int Folds { get; init; } = 1;

    /// <summary><c>held_out_users</c> (strong_generalization): the held-out users, a share in (0, 1) or a count.</summary>
    public double? HeldOutUsers { get; init; }

    /// <summary>Whether the latest rows are held out: true for temporal_hold_out, false for the random strategies; <c>by_time</c> for leave_n_out (default true) and strong_generalization (default false).</summary>
    public bool ByTime { get; init; }

    /// <summary>Where the block starts.</summary>
    public ConfigPosition Position { get; init; }
}

/// <summary>The <c>splitting</c> section (strategy dataset only).</summary>
public sealed record SplittingConfig
{
    /// <summary><c>test_splitting</c>: how test rows are held out; required.</summary>
    public required SplitConfig Test { get; init; }

    /// <summary><c>validation_splitting</c>: how validation rows are carved out of each training part; optional.</summary>
    public SplitConfig? Validation { get; init; }

    /// <summary>
    /// Elliot's <c>save_folder</c> (with <c>save_on_disk: true</c>): the folder the split is written to before training, in
    /// Elliot's layout (<c>0/test.tsv</c> with <c>0/train.tsv</c>, or with <c>0/0/train.tsv</c> and <c>0/0/val.tsv</c>),
    /// which strategy <c>hierarchy</c> reads back; an absolute path, null when the split is not written.
    /// </summary>
    public string? SaveFolder { get; init; }
}
