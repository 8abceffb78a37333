namespace AdvRec.Data;

/// <summary>
/// An immutable user → items interaction store in CSR form: for each user, the items sorted ascending,
/// with their ratings and timestamps where the source had them. Built once and shared by training,
/// sampling and evaluation. Rows are in the dense index space of a <see cref="IdMap"/> pair.
/// </summary>
public sealed class Interactions
{
    private readonly int[] _rowPtr;
    private readonly int[] _items;
    private readonly float[]? _ratings;
    private readonly long[]? _timestamps;

    private Interactions(int numUsers, int numItems, int[] rowPtr, int[] items, float[]? ratings, long[]? timestamps, int duplicatesMerged)
    {
        NumUsers = numUsers;
        NumItems = numItems;
        _rowPtr = rowPtr;
        _items = items;
        _ratings = ratings;
        _timestamps = timestamps;
        DuplicatesMerged = duplicatesMerged;
    }

    /// <summary>Number of user rows.</summary>
    public int NumUsers { get; }

    /// <summary>Size of the item space (items are 0..NumItems-1; some may have no interactions here).</summary>
    public int NumItems { get; }

    /// <summary>Number of stored (user, item) pairs.</summary>
    public int Count => _items.Length;

    /// <summary>Whether ratings are stored (otherwise every rating reads as 1).</summary>
    public bool HasRatings => _ratings is not null;

    /// <summary>Whether timestamps are stored.</summary>
    public bool HasTimestamps => _timestamps is not null;

    /// <summary>How many duplicated (user, item) rows were merged when this store was built.</summary>
    public int DuplicatesMerged { get; }

    /// <summary>Row pointers: the items of user u are at [RowPointers[u], RowPointers[u+1]).</summary>
    public ReadOnlySpan<int> RowPointers => _rowPtr;

    /// <summary>All item indices, row after row.</summary>
    public ReadOnlySpan<int> ItemIndices => _items;

    /// <summary>The items of <paramref name="user"/>, ascending.</summary>
    public ReadOnlySpan<int> ItemsOf(int user) => _items.AsSpan(_rowPtr[user], _rowPtr[user + 1] - _rowPtr[user]);

    /// <summary>The ratings of <paramref name="user"/>'s items (aligned with <see cref="ItemsOf"/>); empty when there are no ratings.</summary>
    public ReadOnlySpan<float> RatingsOf(int user) =>
        _ratings is null ? default : _ratings.AsSpan(_rowPtr[user], _rowPtr[user + 1] - _rowPtr[user]);

    /// <summary>The timestamps of <paramref name="user"/>'s items (aligned with <see cref="ItemsOf"/>); empty when there are none.</summary>
    public ReadOnlySpan<long> TimestampsOf(int user) =>
        _timestamps is null ? default : _timestamps.AsSpan(_rowPtr[user], _rowPtr[user + 1] - _rowPtr[user]);

    /// <summary>Number of items of <paramref name="user"/>.</summary>
    public int DegreeOf(int user) => _rowPtr[user + 1] - _rowPtr[user];

    /// <summary>Whether (user, item) is stored (binary search in the user's row).</summary>
    public bool Contains(int user, int item) => ItemsOf(user).BinarySearch(item) >= 0;

    /// <summary>Number of users with at least one item.</summary>
    public int ActiveUsers
    {
        get
        {
            int n = 0;
            for (int u = 0; u < NumUsers; u++) if (_rowPtr[u + 1] > _rowPtr[u]) n++;
            return n;
        }
    }

    /// <summary>For each item, the number of users who have it.</summary>
    public int[] ItemDegrees()
    {
        var deg = new int[NumItems];
        foreach (int i in _items) deg[i]++;
        return deg;
    }

    /// <summary>The users of each stored pair, aligned with <see cref="ItemIndices"/>.</summary>
    public int[] UserIndices()
    {
        var users = new int[Count];
        for (int u = 0; u < NumUsers; u++) users.AsSpan(_rowPtr[u], _rowPtr[u + 1] - _rowPtr[u]).Fill(u);
        return users;
    }

    /// <summary>
    /// Builds the store from parallel arrays of rows in input order. Duplicated (user, item) rows are merged
    /// into one: the row with the latest timestamp wins (on equal or missing timestamps, the later row of the
    /// input), so a re-rating replaces the earlier rating. The number merged is kept in <see cref="DuplicatesMerged"/>.
    /// </summary>
    public static Interactions Build(int numUsers, int numItems, ReadOnlySpan<int> users, ReadOnlySpan<int> items,
        ReadOnlySpan<float> ratings = default, ReadOnlySpan<long> timestamps = default)
    {
        int n = users.Length;
        if (items.Length != n) throw new ArgumentException("users and items differ in length", nameof(items));
        bool hasRatings = !ratings.IsEmpty, hasTimes = !timestamps.IsEmpty;
        if (hasRatings && ratings.Length != n) throw new ArgumentException("ratings differ in length from users", nameof(ratings));
        if (hasTimes && timestamps.Length != n) throw new ArgumentException("timestamps differ in length from users", nameof(timestamps));

        // Counting sort by user, keeping input order within a user (stable).
        var rowCount = new int[numUsers + 1];
        for (int k = 0; k < n; k++)
        {
            int u = users[k], i = items[k];
            if ((uint)u >= (uint)numUsers) throw new ArgumentOutOfRangeException(nameof(users), $"user index {u} outside [0, {numUsers})");
            if ((uint)i >= (uint)numItems) throw new ArgumentOutOfRangeException(nameof(items), $"item index {i} outside [0, {numItems})");
            rowCount[u + 1]++;
        }
        for (int u = 0; u < numUsers; u++) rowCount[u + 1] += rowCount[u];
        var order = new int[n];
        var fill = (int[])rowCount.Clone();
        for (int k = 0; k < n; k++) order[fill[users[k]]++] = k;

        // Within each row: sort by (item, timestamp, input order); keep the last of each item.
        var rowPtr = new int[numUsers + 1];
        var outItems = new List<int>(n);
        var outRatings = hasRatings ? new List<float>(n) : null;
        var outTimes = hasTimes ? new List<long>(n) : null;
        long[] keyTimes = hasTimes ? timestamps.ToArray() : [];
        int merged = 0;
        int[] itemsArr = items.ToArray();
        for (int u = 0; u < numUsers; u++)
        {
            var row = order.AsSpan(rowCount[u], rowCount[u + 1] - rowCount[u]);
            row.Sort((a, b) =>
            {
                int c = itemsArr[a].CompareTo(itemsArr[b]);
                if (c != 0) return c;
                if (keyTimes.Length > 0 && (c = keyTimes[a].CompareTo(keyTimes[b])) != 0) return c;
                return a.CompareTo(b);
            });
            for (int r = 0; r < row.Length; r++)
            {
                int k = row[r];
                if (r + 1 < row.Length && itemsArr[row[r + 1]] == itemsArr[k]) { merged++; continue; }
                outItems.Add(itemsArr[k]);
                outRatings?.Add(ratings[k]);
                outTimes?.Add(timestamps[k]);
            }
            rowPtr[u + 1] = outItems.Count;
        }
        return new Interactions(numUsers, numItems, rowPtr, [.. outItems], outRatings?.ToArray(), outTimes?.ToArray(), merged);
    }

    /// <summary>
    /// The same pairs with every rating set to 1 and only those with rating ≥ <paramref name="threshold"/> kept
    /// (binarisation of explicit feedback). Timestamps are kept.
    /// </summary>
    public Interactions Binarize(float threshold)
    {
        if (_ratings is null) return this;
        var rowPtr = new int[NumUsers + 1];
        var items = new List<int>(Count);
        var times = _timestamps is null ? null : new List<long>(Count);
        for (int u = 0; u < NumUsers; u++)
        {
            for (int k = _rowPtr[u]; k < _rowPtr[u + 1]; k++)
            {
                if (_ratings[k] < threshold) continue;
                items.Add(_items[k]);
                times?.Add(_timestamps![k]);
            }
            rowPtr[u + 1] = items.Count;
        }
        return new Interactions(NumUsers, NumItems, rowPtr, [.. items], null, times?.ToArray(), 0);
    }

    /// <summary>Keeps the pairs for which <paramref name="keep"/>(user, position in row) is true.</summary>
    public Interactions Where(Func<int, int, bool> keep)
    {
        var rowPtr = new int[NumUsers + 1];
        var items = new List<int>(Count);
        var ratings = _ratings is null ? null : new List<float>(Count);
        var times = _timestamps is null ? null : new List<long>(Count);
        for (int u = 0; u < NumUsers; u++)
        {
            for (int k = _rowPtr[u]; k < _rowPtr[u + 1]; k++)
            {
                if (!keep(u, k - _rowPtr[u])) continue;
                items.Add(_items[k]);
                ratings?.Add(_ratings![k]);
                times?.Add(_timestamps![k]);
            }
            rowPtr[u + 1] = items.Count;
        }
        return new Interactions(NumUsers, NumItems, rowPtr, [.. items], ratings?.ToArray(), times?.ToArray(), 0);
    }
}
