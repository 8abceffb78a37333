using System.Globalization;
using System.Reflection;

namespace AdvRec.Experiments.Config;

/// <summary>Converts <see cref="ConfigValue"/>s to .NET values (invariant culture, YAML spellings).</summary>
internal static class ConfigConvert
{
    private static readonly NullabilityInfoContext Nullability = new();

    public static bool TryInt(ConfigValue v, out int result)
    {
        result = 0;
        return v.Kind == ConfigValueKind.Scalar && int.TryParse(v.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out result);
    }

    public static bool TryLong(ConfigValue v, out long result)
    {
        result = 0;
        return v.Kind == ConfigValueKind.Scalar && long.TryParse(v.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out result);
    }

    public static bool TryULong(ConfigValue v, out ulong result)
    {
        result = 0;
        return v.Kind == ConfigValueKind.Scalar && ulong.TryParse(v.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out result);
    }

    public static bool TryDouble(ConfigValue v, out double result)
    {
        result = 0;
        if (v.Kind != ConfigValueKind.Scalar) return false;
        switch (v.Text!.ToLowerInvariant())
        {
            case ".inf" or "+.inf": result = double.PositiveInfinity; return true;
            case "-.inf": result = double.NegativeInfinity; return true;
            case ".nan": result = double.NaN; return true;
        }
        return double.TryParse(v.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out result);
    }

    public static bool TryFloat(ConfigValue v, out float result)
    {
        bool ok = TryDouble(v, out double d);
        result = (float)d;
        return ok && (float.IsFinite(result) || !double.IsFinite(d));
    }

    public static bool TryBool(ConfigValue v, out bool result)
    {
        result = false;
        if (v.Kind != ConfigValueKind.Scalar) return false;
        if (string.Equals(v.Text, "true", StringComparison.OrdinalIgnoreCase)) result = true;
        else if (!string.Equals(v.Text, "false", StringComparison.OrdinalIgnoreCase)) return false;
        return true;
    }

    /// <summary>Lower case without underscores and hyphens: the form in which names are matched.</summary>
    public static string Normalize(string name) => name.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToUpperInvariant();

    /// <summary>PascalCase to snake_case: LearningRate → learning_rate, Beta1 → beta1, AMRWeight → amr_weight.</summary>
    public static string SnakeCase(string name)
    {
        var sb = new System.Text.StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                bool boundary = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1])
                    || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1])));
                if (boundary) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    public static bool TryEnum(Type enumType, ConfigValue v, out object? result)
    {
        result = null;
        if (v.Kind != ConfigValueKind.Scalar) return false;
        string key = Normalize(v.Text!);
        foreach (string name in Enum.GetNames(enumType))
        {
            if (Normalize(name) == key)
            {
                result = Enum.Parse(enumType, name);
                return true;
            }
        }
        return false;
    }

    public static string EnumChoices(Type enumType) => string.Join(", ", Enum.GetNames(enumType).Select(SnakeCase));

    /// <summary>Whether <paramref name="property"/> accepts null (a nullable value type or a reference type annotated nullable).</summary>
    public static bool AcceptsNull(PropertyInfo property) =>
        Nullable.GetUnderlyingType(property.PropertyType) is not null
        || (!property.PropertyType.IsValueType && Nullability.Create(property).WriteState != NullabilityState.NotNull);

    /// <summary>The element type when <paramref name="type"/> is a list type this binder fills (T[], List, IReadOnlyList, IList, IEnumerable, ...).</summary>
    public static Type? ListElement(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        if (!type.IsGenericType) return null;
        var def = type.GetGenericTypeDefinition();
        return def == typeof(IReadOnlyList<>) || def == typeof(IList<>) || def == typeof(List<>) || def == typeof(IEnumerable<>)
            || def == typeof(IReadOnlyCollection<>) || def == typeof(ICollection<>)
            ? type.GetGenericArguments()[0]
            : null;
    }

    /// <summary>The value type when <paramref name="type"/> is a map from names this binder fills (IReadOnlyDictionary, IDictionary or Dictionary with string keys).</summary>
    public static Type? MapValue(Type type)
    {
        if (!type.IsGenericType) return null;
        var def = type.GetGenericTypeDefinition();
        var args = type.GetGenericArguments();
        return (def == typeof(IReadOnlyDictionary<,>) || def == typeof(IDictionary<,>) || def == typeof(Dictionary<,>)) && args[0] == typeof(string) ? args[1] : null;
    }

    /// <summary>Whether values of <paramref name="type"/> can be bound.</summary>
    public static bool IsSupported(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (ListElement(type) is { } e) return IsScalarType(e);
        if (MapValue(type) is { } m) return IsScalarType(m);
        return IsScalarType(type);
    }

    private static bool IsScalarType(Type t) =>
        t == typeof(int) || t == typeof(long) || t == typeof(ulong) || t == typeof(float) || t == typeof(double)
        || t == typeof(bool) || t == typeof(string) || t.IsEnum;

    /// <summary>Describes what a value of <paramref name="type"/> looks like, for "expected ..." messages.</summary>
    public static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (ListElement(type) is { } e) return "a list of " + Plural(e);
        if (MapValue(type) is { } m) return "a map of names to " + Plural(m) + " ({name: value, ...})";
        if (type == typeof(int) || type == typeof(long)) return "an integer";
        if (type == typeof(ulong)) return "a non-negative integer";
        if (type == typeof(float) || type == typeof(double)) return "a number";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(string)) return "text";
        if (type.IsEnum) return "one of " + EnumChoices(type);
        return type.Name;
    }

    private static string Plural(Type t) =>
        t == typeof(int) || t == typeof(long) || t == typeof(ulong) ? "integers"
        : t == typeof(float) || t == typeof(double) ? "numbers"
        : t == typeof(bool) ? "booleans"
        : t == typeof(string) ? "strings"
        : t.IsEnum ? "values among " + EnumChoices(t)
        : t.Name;

    /// <summary>
    /// Converts <paramref name="v"/> to <paramref name="type"/>; null values only when <paramref name="acceptsNull"/>.
    /// A scalar given for a list type becomes a one-item list.
    /// </summary>
    public static bool TryConvert(ConfigValue v, Type type, bool acceptsNull, out object? result)
    {
        result = null;
        if (v.IsNull) return acceptsNull;
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (ListElement(underlying) is { } element)
        {
            var items = v.Kind == ConfigValueKind.Sequence ? v.Items : v.Kind == ConfigValueKind.Scalar ? [v] : null;
            if (items is null) return false;
            var array = Array.CreateInstance(element, items.Count);
            for (int i = 0; i < items.Count; i++)
            {
                if (!TryConvert(items[i], element, false, out object? item)) return false;
                array.SetValue(item, i);
            }
            if (underlying.IsArray) result = array;
            else if (underlying.GetGenericTypeDefinition() == typeof(List<>))
                result = Activator.CreateInstance(underlying, array);
            else result = array;
            return true;
        }
        if (MapValue(underlying) is { } valueType)
        {
            if (v.Kind != ConfigValueKind.Mapping) return false;
            var map = (System.Collections.IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType), StringComparer.Ordinal)!;
            foreach (var entry in v.Entries)
            {
                if (map.Contains(entry.Key) || !TryConvert(entry.Value, valueType, false, out object? item)) return false;
                map[entry.Key] = item;
            }
            result = map;
            return true;
        }
        switch (underlying)
        {
            case var t when t == typeof(int): { bool ok = TryInt(v, out int x); result = x; return ok; }
            case var t when t == typeof(long): { bool ok = TryLong(v, out long x); result = x; return ok; }
            case var t when t == typeof(ulong): { bool ok = TryULong(v, out ulong x); result = x; return ok; }
            case var t when t == typeof(float): { bool ok = TryFloat(v, out float x); result = x; return ok; }
            case var t when t == typeof(double): { bool ok = TryDouble(v, out double x); result = x; return ok; }
            case var t when t == typeof(bool): { bool ok = TryBool(v, out bool x); result = x; return ok; }
            case var t when t == typeof(string):
                result = v.Text;
                return v.Kind == ConfigValueKind.Scalar;
            case { IsEnum: true }:
                return TryEnum(underlying, v, out result);
            default:
                return false;
        }
    }
}
