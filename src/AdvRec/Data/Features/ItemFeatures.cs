namespace AdvRec.Data.Features;

/// <summary>
/// Item feature vectors aligned with a dataset's item indices: row i is the vector of the item whose dense index is i,
/// matched by original id (never by position). Built by <see cref="Align"/>.
/// <para>
/// Rule for items without features (documented in docs/models.md): the interactions of such items are dropped
/// before splitting (<see cref="DropItemsWithoutFeatures"/>, Elliot's rule), and the counts are kept in
/// <see cref="InteractionsDropped"/> and <see cref="ItemsDropped"/>. Should an item of the dataset still lack a
/// vector at alignment, it gets a zero row and is counted in <see cref="ItemsWithoutFeatures"/>.
/// </para>
/// </summary>
public sealed class ItemFeatures
{
    private ItemFeatures(string source, float[] values, int numItems, int dimension, int missing, int unknown, FeatureNormalization normalization)
    {
        Source = source;
        Values = values;
        NumItems = numItems;
        Dimension = dimension;
        ItemsWithoutFeatures = missing;
        UnknownFeatureRows = unknown;
        Normalization = normalization;
    }

    /// <summary>Where the features came from.</summary>
    public string Source { get; }

    /// <summary>The vectors, row-major (<see cref="NumItems"/> × <see cref="Dimension"/>), row i for item index i. Not to be modified.</summary>
    public float[] Values { get; }

    /// <summary>Number of rows: the dataset's item count.</summary>
    public int NumItems { get; }

    /// <summary>The length of one vector (D).</summary>
    public int Dimension { get; }

    /// <summary>Items of the dataset that had no vector at alignment and got a zero row (0 after <see cref="DropItemsWithoutFeatures"/>).</summary>
    public int ItemsWithoutFeatures { get; }

    /// <summary>Feature rows whose id is not an item of the dataset (ignored).</summary>
    public int UnknownFeatureRows { get; }

    /// <summary>The normalisation applied after alignment.</summary>
    public FeatureNormalization Normalization { get; }

    /// <summary>Interaction rows dropped before splitting because their item had no vector.</summary>
    public int InteractionsDropped { get; private init; }

    /// <summary>Distinct items dropped before splitting because they had no vector.</summary>
    public int ItemsDropped { get; private init; }

    /// <summary>The same features, recording what <see cref="DropItemsWithoutFeatures"/> dropped before splitting.</summary>
    public ItemFeatures WithDropped(int interactions, int items) =>
        new(Source, Values, NumItems, Dimension, ItemsWithoutFeatures, UnknownFeatureRows, Normalization) { InteractionsDropped = interactions, ItemsDropped = items };

    /// <summary>The vector of item <paramref name="item"/>.</summary>
    public ReadOnlySpan<float> Row(int item) => Values.AsSpan(item * Dimension, Dimension);

    /// <summary>
    /// Aligns <paramref name="table"/> with <paramref name="items"/> by original id and applies
    /// <paramref name="normalization"/> to the aligned rows.
    /// </summary>
    public static ItemFeatures Align(FeatureTable table, IdMap items, FeatureNormalization normalization = FeatureNormalization.None)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(items);
        int d = table.Dimension;
        var values = new float[checked(items.Count * d)];
        int missing = 0, matched = 0;
        for (int i = 0; i < items.Count; i++)
        {
            int row = table.RowOf(items[i]);
            if (row < 0) { missing++; continue; }
            matched++;
            table.Row(row).CopyTo(values.AsSpan(i * d, d));
        }
        FeatureNormalizer.Apply(values, d, normalization);
        return new ItemFeatures(table.Source, values, items.Count, d, missing, table.Count - matched, normalization);
    }

    /// <summary>Wraps vectors already aligned with item indices (for generated data and tests).</summary>
    public static ItemFeatures FromAligned(string source, float[] values, int numItems, int dimension)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != (long)numItems * dimension) throw new ArgumentException($"{values.Length} values do not make {numItems} rows of {dimension}", nameof(values));
        return new ItemFeatures(source, values, numItems, dimension, 0, 0, FeatureNormalization.None);
    }

    /// <summary>
    /// Drops the rows of <paramref name="log"/> whose item has no vector in <paramref name="table"/> (matched by original
    /// id). Item and user indices are rebuilt in order of first appearance, so dropped items (and users left without
    /// rows) take no index. Returns the filtered log, the count of dropped rows and the ids of the dropped items that had rows.
    /// </summary>
    public static (InteractionLog Log, int RowsDropped, IReadOnlyList<string> ItemsDropped) DropItemsWithoutFeatures(InteractionLog log, FeatureTable table)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(table);
        var has = new bool[log.Items.Count];
        int itemsDropped = 0;
        for (int i = 0; i < has.Length; i++)
        {
            has[i] = table.Contains(log.Items[i]);
            if (!has[i]) itemsDropped++;
        }
        if (itemsDropped == 0) return (log, 0, []);
        var users = new IdMap();
        var items = new IdMap();
        var us = new List<int>(log.Count);
        var its = new List<int>(log.Count);
        var ratings = log.HasRatings ? new List<float>(log.Count) : null;
        var times = log.HasTimestamps ? new List<long>(log.Count) : null;
        var srcU = log.UserIndices;
        var srcI = log.ItemIndices;
        int dropped = 0;
        for (int k = 0; k < log.Count; k++)
        {
            int i = srcI[k];
            if (!has[i]) { dropped++; continue; }
            us.Add(users.GetOrAdd(log.Users[srcU[k]]));
            its.Add(items.GetOrAdd(log.Items[i]));
            ratings?.Add(log.Ratings[k]);
            times?.Add(log.Timestamps[k]);
        }
        // items without features that no row uses are not dropped items of interactions
        var hadRow = new bool[has.Length];
        foreach (int i in srcI) hadRow[i] = true;
        var droppedIds = Enumerable.Range(0, has.Length).Where(i => !has[i] && hadRow[i]).Select(i => log.Items[i]).ToList();
        return (new InteractionLog(log.Source, users, items, [.. us], [.. its], ratings?.ToArray(), times?.ToArray()) { Format = log.Format }, dropped, droppedIds);
    }
}
