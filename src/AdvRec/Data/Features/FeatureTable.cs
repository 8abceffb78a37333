namespace AdvRec.Data.Features;

/// <summary>
/// Dense feature vectors keyed by original item id, as read from a file (before alignment with a dataset): one row
/// of <see cref="Dimension"/> floats per id. Ids are unique.
/// </summary>
public sealed class FeatureTable
{
    private readonly Dictionary<string, int> _index;

    /// <summary>Wraps <paramref name="values"/> (ids.Count × dimension, row-major), checking shapes and that ids are unique.</summary>
    /// <exception cref="DataFormatException">An id occurs twice.</exception>
    public FeatureTable(string source, IReadOnlyList<string> ids, float[] values, int dimension)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (values.Length != (long)ids.Count * dimension)
            throw new ArgumentException($"{values.Length} values do not make {ids.Count} rows of {dimension}", nameof(values));
        _index = new Dictionary<string, int>(ids.Count, StringComparer.Ordinal);
        for (int r = 0; r < ids.Count; r++)
        {
            if (!_index.TryAdd(ids[r], r))
                throw new DataFormatException(source, 0, $"item id '{ids[r]}' has two feature vectors (rows {_index[ids[r]] + 1} and {r + 1}); expected one per item");
        }
        Source = source;
        Ids = ids;
        Values = values;
        Dimension = dimension;
    }

    /// <summary>Where the features came from (a file or folder, or a description of generated data).</summary>
    public string Source { get; }

    /// <summary>The item ids, one per row.</summary>
    public IReadOnlyList<string> Ids { get; }

    /// <summary>The vectors, row-major (<see cref="Count"/> × <see cref="Dimension"/>).</summary>
    public float[] Values { get; }

    /// <summary>The length of one feature vector.</summary>
    public int Dimension { get; }

    /// <summary>Number of rows (ids).</summary>
    public int Count => Ids.Count;

    /// <summary>Whether <paramref name="id"/> has a feature vector.</summary>
    public bool Contains(string id) => _index.ContainsKey(id);

    /// <summary>The row of <paramref name="id"/>, or -1.</summary>
    public int RowOf(string id) => _index.TryGetValue(id, out int r) ? r : -1;

    /// <summary>The vector of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> Row(int row) => Values.AsSpan(row * Dimension, Dimension);
}
