using System.Text;

namespace AdvRec.Experiments.Config;

/// <summary>The shape of a <see cref="ConfigValue"/>.</summary>
public enum ConfigValueKind
{
    /// <summary>An empty value, <c>~</c> or <c>null</c>.</summary>
    Null,

    /// <summary>A scalar: a number, a boolean or text.</summary>
    Scalar,

    /// <summary>A sequence (<c>[a, b]</c> or a block list).</summary>
    Sequence,

    /// <summary>A mapping of keys to values.</summary>
    Mapping,
}

/// <summary>One <c>key: value</c> pair of a mapping, with the position of the key.</summary>
/// <param name="Key">The key as written.</param>
/// <param name="KeyPosition">Where the key was written.</param>
/// <param name="Value">The value.</param>
public sealed record ConfigEntry(string Key, ConfigPosition KeyPosition, ConfigValue Value);

/// <summary>
/// A value of a YAML config that remembers where it was written: a scalar (kept as text, converted when bound),
/// a sequence, a mapping (keys in written order) or null. Read-only to callers.
/// </summary>
public sealed class ConfigValue
{
    private readonly List<ConfigValue> _items;
    private readonly List<ConfigEntry> _entries;

    private ConfigValue(ConfigValueKind kind, ConfigPosition position, string? text, bool quoted, List<ConfigValue>? items, List<ConfigEntry>? entries)
    {
        Kind = kind;
        Position = position;
        Text = text;
        IsQuoted = quoted;
        _items = items ?? [];
        _entries = entries ?? [];
    }

    /// <summary>The shape of the value.</summary>
    public ConfigValueKind Kind { get; }

    /// <summary>Where the value starts.</summary>
    public ConfigPosition Position { get; }

    /// <summary>The file (or override) the value comes from.</summary>
    public string File => Position.File;

    /// <summary>1-based line of the value's start.</summary>
    public int Line => Position.Line;

    /// <summary>1-based column of the value's start.</summary>
    public int Column => Position.Column;

    /// <summary>The text of a scalar; null for other kinds.</summary>
    public string? Text { get; }

    /// <summary>Whether a scalar was quoted (so <c>"null"</c> is text, not null).</summary>
    public bool IsQuoted { get; }

    /// <summary>The items of a sequence; empty for other kinds.</summary>
    public IReadOnlyList<ConfigValue> Items => _items;

    /// <summary>The entries of a mapping in written order; empty for other kinds.</summary>
    public IReadOnlyList<ConfigEntry> Entries => _entries;

    /// <summary>Whether this is a null value.</summary>
    public bool IsNull => Kind == ConfigValueKind.Null;

    /// <summary>A scalar value.</summary>
    public static ConfigValue Scalar(string text, ConfigPosition position, bool quoted = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new ConfigValue(ConfigValueKind.Scalar, position, text, quoted, null, null);
    }

    /// <summary>A null value.</summary>
    public static ConfigValue Null(ConfigPosition position) => new(ConfigValueKind.Null, position, null, false, null, null);

    /// <summary>A sequence of <paramref name="items"/>.</summary>
    public static ConfigValue Sequence(IEnumerable<ConfigValue> items, ConfigPosition position) =>
        new(ConfigValueKind.Sequence, position, null, false, [.. items], null);

    /// <summary>A mapping of <paramref name="entries"/> (keys must be distinct).</summary>
    public static ConfigValue Mapping(IEnumerable<ConfigEntry> entries, ConfigPosition position)
    {
        var list = entries.ToList();
        if (list.Select(e => e.Key).Distinct(StringComparer.Ordinal).Count() != list.Count)
            throw new ArgumentException("duplicate key in mapping", nameof(entries));
        return new ConfigValue(ConfigValueKind.Mapping, position, null, false, null, list);
    }

    /// <summary>The entry of a mapping with key <paramref name="key"/> (ordinal match), or null.</summary>
    public ConfigEntry? Find(string key) => _entries.Find(e => string.Equals(e.Key, key, StringComparison.Ordinal));

    /// <summary>Sets (or appends) an entry of a mapping; used while applying overrides.</summary>
    internal void Set(ConfigEntry entry)
    {
        int i = _entries.FindIndex(e => string.Equals(e.Key, entry.Key, StringComparison.Ordinal));
        if (i >= 0) _entries[i] = entry;
        else _entries.Add(entry);
    }

    /// <summary>Removes the entry with key <paramref name="key"/> from a mapping, if any.</summary>
    internal void Remove(string key) => _entries.RemoveAll(e => string.Equals(e.Key, key, StringComparison.Ordinal));

    /// <summary>A short description for messages: the quoted text of a scalar, "a list", "a mapping" or "nothing".</summary>
    public string Describe() => Kind switch
    {
        ConfigValueKind.Scalar => $"'{Text}'",
        ConfigValueKind.Sequence => "a list",
        ConfigValueKind.Mapping => "a mapping",
        _ => "nothing",
    };

    /// <summary>The value in YAML flow style: <c>0.01</c>, <c>[64, 32]</c>, <c>{a: 1}</c> or <c>null</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Append(sb);
        return sb.ToString();
    }

    private void Append(StringBuilder sb)
    {
        switch (Kind)
        {
            case ConfigValueKind.Scalar:
                sb.Append(Text);
                break;
            case ConfigValueKind.Sequence:
                sb.Append('[');
                for (int i = 0; i < _items.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    _items[i].Append(sb);
                }
                sb.Append(']');
                break;
            case ConfigValueKind.Mapping:
                sb.Append('{');
                for (int i = 0; i < _entries.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    sb.Append(_entries[i].Key).Append(": ");
                    _entries[i].Value.Append(sb);
                }
                sb.Append('}');
                break;
            default:
                sb.Append("null");
                break;
        }
    }
}
