namespace AdvRec.Data;

/// <summary>
/// A raw interaction log as read from a file (or generated): one row per input row, in input order, with user
/// and item indices into this log's own <see cref="IdMap"/>s (ids in order of first appearance), and ratings and
/// timestamps where the source had them. Duplicated (user, item) rows are kept here; they are merged when a
/// <see cref="Dataset"/> is built. This is the input of the splitters.
/// </summary>
public sealed class InteractionLog
{
    private readonly int[] _users;
    private readonly int[] _items;
    private readonly float[]? _ratings;
    private readonly long[]? _timestamps;

    /// <summary>
    /// Creates a log over the given arrays, which are taken over (not copied). <paramref name="ratings"/> and
    /// <paramref name="timestamps"/> are null when the source has none; otherwise they align with the rows.
    /// Ids in the maps that no row uses are users (or items) without interactions.
    /// </summary>
    public InteractionLog(string source, IdMap users, IdMap items, int[] userIndices, int[] itemIndices,
        float[]? ratings = null, long[]? timestamps = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(userIndices);
        ArgumentNullException.ThrowIfNull(itemIndices);
        int n = userIndices.Length;
        if (itemIndices.Length != n) throw new ArgumentException("item indices differ in length from user indices", nameof(itemIndices));
        if (ratings is not null && ratings.Length != n) throw new ArgumentException("ratings differ in length from user indices", nameof(ratings));
        if (timestamps is not null && timestamps.Length != n) throw new ArgumentException("timestamps differ in length from user indices", nameof(timestamps));
        for (int k = 0; k < n; k++)
        {
            if ((uint)userIndices[k] >= (uint)users.Count) throw new ArgumentOutOfRangeException(nameof(userIndices), $"row {k}: user index {userIndices[k]} outside [0, {users.Count})");
            if ((uint)itemIndices[k] >= (uint)items.Count) throw new ArgumentOutOfRangeException(nameof(itemIndices), $"row {k}: item index {itemIndices[k]} outside [0, {items.Count})");
        }
        Source = source;
        Users = users;
        Items = items;
        _users = userIndices;
        _items = itemIndices;
        _ratings = ratings;
        _timestamps = timestamps;
    }

    /// <summary>Where the rows came from (a file path, or a description of generated data); used in error messages.</summary>
    public string Source { get; }

    /// <summary>The user ids of this log, in order of first appearance.</summary>
    public IdMap Users { get; }

    /// <summary>The item ids of this log, in order of first appearance.</summary>
    public IdMap Items { get; }

    /// <summary>
    /// How the rows were read, for logs: the format and why (such as "adjacency `user item item ...` (detected: ...)");
    /// null for generated logs. Logs derived by splitting, prefiltering or dropping rows keep their source's.
    /// </summary>
    public string? Format { get; init; }

    /// <summary>Number of rows.</summary>
    public int Count => _users.Length;

    /// <summary>Whether the rows carry explicit ratings.</summary>
    public bool HasRatings => _ratings is not null;

    /// <summary>Whether the rows carry timestamps.</summary>
    public bool HasTimestamps => _timestamps is not null;

    /// <summary>The user index (into <see cref="Users"/>) of each row.</summary>
    public ReadOnlySpan<int> UserIndices => _users;

    /// <summary>The item index (into <see cref="Items"/>) of each row.</summary>
    public ReadOnlySpan<int> ItemIndices => _items;

    /// <summary>The rating of each row; empty when <see cref="HasRatings"/> is false.</summary>
    public ReadOnlySpan<float> Ratings => _ratings;

    /// <summary>The timestamp of each row; empty when <see cref="HasTimestamps"/> is false.</summary>
    public ReadOnlySpan<long> Timestamps => _timestamps;

    /// <summary>All rows as an <see cref="Interactions"/> store in this log's index space (duplicates merged by its rule).</summary>
    public Interactions ToInteractions() => Interactions.Build(Users.Count, Items.Count, _users, _items, _ratings, _timestamps);
}
