using System.Globalization;

namespace AdvRec.Experiments.Config;

/// <summary>
/// Reads one mapping of the config strictly: every key asked for is a known key, and <see cref="Finish"/> reports
/// the others as unknown (with the nearest known key). Typed getters report wrong types and ranges.
/// </summary>
internal sealed class Section
{
    private readonly ConfigValue _map;
    private readonly List<string> _known = [];

    public Section(ConfigValue map, string name, List<ConfigError> errors)
    {
        _map = map;
        Name = name;
        Errors = errors;
    }

    /// <summary>The section's dotted path for messages, such as "evaluation" or "models.AMF.meta".</summary>
    public string Name { get; }

    public List<ConfigError> Errors { get; }

    public ConfigPosition Position => _map.Position;

    public IReadOnlyList<ConfigEntry> Entries => _map.Entries;

    public string PathOf(string key) => Name.Length == 0 ? key : Name + "." + key;

    public void Error(ConfigPosition position, string message) => Errors.Add(new ConfigError(position, message));

    public void TypeError(string key, ConfigValue value, string expected) =>
        Error(value.Position, $"{PathOf(key)}: expected {expected}, got {value.Describe()}");

    /// <summary>The entry of a known key, or null when absent.</summary>
    public ConfigEntry? Entry(string key)
    {
        _known.Add(key);
        return _map.Find(key);
    }

    /// <summary>The value of a known key, or null when absent or written as null.</summary>
    public ConfigValue? Value(string key) => Entry(key)?.Value is { IsNull: false } v ? v : null;

    public ConfigValue? Required(string key)
    {
        var v = Value(key);
        if (v is null) Error(Entry(key)?.KeyPosition ?? Position, $"{(Name.Length == 0 ? "experiment" : Name)}: missing required key '{key}'");
        return v;
    }

    public int? Int(string key, int min = int.MinValue, bool required = false)
    {
        var v = required ? Required(key) : Value(key);
        if (v is null) return null;
        if (!ConfigConvert.TryInt(v, out int x))
        {
            TypeError(key, v, "an integer");
            return null;
        }
        if (x < min)
        {
            Error(v.Position, string.Create(CultureInfo.InvariantCulture, $"{PathOf(key)}: must be at least {min}, got {x}"));
            return null;
        }
        return x;
    }

    public ulong? ULong(string key)
    {
        var v = Value(key);
        if (v is null) return null;
        if (ConfigConvert.TryULong(v, out ulong x)) return x;
        TypeError(key, v, "a non-negative integer");
        return null;
    }

    public double? Double(string key)
    {
        var v = Value(key);
        if (v is null) return null;
        if (ConfigConvert.TryDouble(v, out double x) && !double.IsNaN(x)) return x;
        TypeError(key, v, "a number");
        return null;
    }

    public float? Float(string key)
    {
        var v = Value(key);
        if (v is null) return null;
        if (ConfigConvert.TryFloat(v, out float x) && !float.IsNaN(x)) return x;
        TypeError(key, v, "a number");
        return null;
    }

    public bool Bool(string key, bool defaultValue = false)
    {
        var v = Value(key);
        if (v is null) return defaultValue;
        if (ConfigConvert.TryBool(v, out bool x)) return x;
        TypeError(key, v, "true or false");
        return defaultValue;
    }

    public string? Text(string key, bool required = false)
    {
        var v = required ? Required(key) : Value(key);
        if (v is null) return null;
        if (v.Kind == ConfigValueKind.Scalar) return v.Text;
        TypeError(key, v, "text");
        return null;
    }

    public TEnum? Enum<TEnum>(string key, bool required = false)
        where TEnum : struct, System.Enum
    {
        var v = required ? Required(key) : Value(key);
        if (v is null) return null;
        if (ConfigConvert.TryEnum(typeof(TEnum), v, out object? e)) return (TEnum)e!;
        var names = System.Enum.GetNames<TEnum>().Select(ConfigConvert.SnakeCase).ToList();
        string hint = v.Kind == ConfigValueKind.Scalar && NearestName.Find(v.Text!, names) is { } near ? $"; did you mean '{near}'?" : "";
        Error(v.Position, $"{PathOf(key)}: expected one of {string.Join(", ", names)}, got {v.Describe()}{hint}");
        return null;
    }

    /// <summary>A child mapping, or null when absent (or null, or not a mapping: then an error).</summary>
    public Section? Child(string key, bool required = false)
    {
        var v = required ? Required(key) : Value(key);
        if (v is null) return null;
        if (v.Kind != ConfigValueKind.Mapping)
        {
            TypeError(key, v, "a mapping of keys");
            return null;
        }
        return new Section(v, PathOf(key), Errors);
    }

    /// <summary>Reports every key not asked for as unknown, with the nearest known key; <paramref name="note"/> is appended when none is near.</summary>
    public void Finish(string? note = null)
    {
        foreach (var entry in _map.Entries)
        {
            if (_known.Contains(entry.Key, StringComparer.Ordinal)) continue;
            string where = Name.Length == 0 ? "experiment" : Name;
            string? near = NearestName.Find(entry.Key, _known);
            string hint = near is not null ? $"; did you mean '{near}'?"
                : note ?? "; valid keys: " + string.Join(", ", _known.Distinct(StringComparer.Ordinal));
            Error(entry.KeyPosition, $"unknown key '{entry.Key}' in {where}{hint}");
        }
    }
}
