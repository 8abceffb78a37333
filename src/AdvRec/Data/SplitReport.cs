namespace AdvRec.Data;

/// <summary>
/// What loading and splitting did to the rows of a <see cref="Dataset"/>, so that nothing is dropped silently.
/// A held-out row is dropped as "unseen user" when its user has no training rows (after binarisation), else as
/// "unseen item" when its item never appears in the training input.
/// </summary>
public sealed record SplitReport
{
    /// <summary>The sizes of <paramref name="train"/>, <paramref name="test"/> and <paramref name="validation"/>; the other counts are 0.</summary>
    public static SplitReport Sizes(Interactions train, Interactions test, Interactions? validation = null) => new()
    {
        TrainRows = train.Count,
        TrainUsers = train.ActiveUsers,
        TrainItems = train.ItemDegrees().Count(d => d > 0),
        TestRows = test.Count,
        TestUsers = test.ActiveUsers,
        ValidationRows = validation?.Count ?? 0,
        ValidationUsers = validation?.ActiveUsers ?? 0,
    };

    /// <summary>Training pairs (after merging duplicates and binarisation).</summary>
    public int TrainRows { get; init; }

    /// <summary>Users with at least one training pair.</summary>
    public int TrainUsers { get; init; }

    /// <summary>Items with at least one training pair.</summary>
    public int TrainItems { get; init; }

    /// <summary>Test pairs kept.</summary>
    public int TestRows { get; init; }

    /// <summary>Users with at least one test pair.</summary>
    public int TestUsers { get; init; }

    /// <summary>Validation pairs kept (0 without validation).</summary>
    public int ValidationRows { get; init; }

    /// <summary>Users with at least one validation pair.</summary>
    public int ValidationUsers { get; init; }

    /// <summary>Test rows dropped because their item never appears in training.</summary>
    public int TestRowsDroppedUnseenItem { get; init; }

    /// <summary>Test rows dropped because their user has no training data.</summary>
    public int TestRowsDroppedUnseenUser { get; init; }

    /// <summary>Validation rows dropped because their item never appears in training.</summary>
    public int ValidationRowsDroppedUnseenItem { get; init; }

    /// <summary>Validation rows dropped because their user has no training data.</summary>
    public int ValidationRowsDroppedUnseenUser { get; init; }

    /// <summary>Test pairs that are also training pairs (kept; the full-ranking protocol cannot recommend them).</summary>
    public int TestPairsAlsoInTrain { get; init; }

    /// <summary>
    /// Duplicated (user, item) rows merged into one, over all parts (latest timestamp wins, else the later row;
    /// see <see cref="Interactions.Build"/>).
    /// </summary>
    public int DuplicatesMerged { get; init; }

    /// <summary>Training rows removed by binarisation (rating below the threshold).</summary>
    public int RowsRemovedByBinarization { get; init; }

    /// <summary>Users kept in training only because a split could hold none of their rows out (0 for fixed splits).</summary>
    public int UsersOnlyInTrain { get; init; }

    /// <summary>How each input file was read, one line per file: "train.txt.gz: format chosen: adjacency `user item item ...` (detected: ...)".</summary>
    public IReadOnlyList<string> Formats { get; init; } = [];
}
