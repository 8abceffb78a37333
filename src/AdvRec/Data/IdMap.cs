namespace AdvRec.Data;

/// <summary>
/// A two-way map between original ids (as they appear in the input files) and dense indices 0..Count-1.
/// Indices are assigned in order of first appearance.
/// </summary>
public sealed class IdMap
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<string> _ids = [];
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanIndex;

    /// <summary>Creates an empty map.</summary>
    public IdMap() => _spanIndex = _index.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Number of ids mapped.</summary>
    public int Count => _ids.Count;

    /// <summary>The original ids, by dense index.</summary>
    public IReadOnlyList<string> Ids => _ids;

    /// <summary>The original id of dense index <paramref name="index"/>.</summary>
    public string this[int index] => _ids[index];

    /// <summary>The dense index of <paramref name="id"/>, adding it if it is new.</summary>
    public int GetOrAdd(string id)
    {
        if (_index.TryGetValue(id, out int idx)) return idx;
        idx = _ids.Count;
        _index.Add(id, idx);
        _ids.Add(id);
        return idx;
    }

    /// <summary>
    /// The dense index of the id spelled by <paramref name="id"/>, adding it if it is new; a string is
    /// allocated only for a new id (for fast parsing of large files).
    /// </summary>
    public int GetOrAdd(ReadOnlySpan<char> id)
    {
        if (_spanIndex.TryGetValue(id, out int idx)) return idx;
        return GetOrAdd(id.ToString());
    }

    /// <summary>Looks up the dense index of <paramref name="id"/> without adding it.</summary>
    public bool TryGetIndex(string id, out int index) => _index.TryGetValue(id, out index);

    /// <summary>Looks up the dense index of the id spelled by <paramref name="id"/> without adding it or allocating.</summary>
    public bool TryGetIndex(ReadOnlySpan<char> id, out int index) => _spanIndex.TryGetValue(id, out index);

    /// <summary>A map of the ids "0".."count-1" in order (for generated data).</summary>
    public static IdMap Sequential(int count)
    {
        var map = new IdMap();
        for (int i = 0; i < count; i++) map.GetOrAdd(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return map;
    }
}
