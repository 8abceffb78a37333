using System.Globalization;
using System.Reflection;
using AdvRec.Models;

namespace AdvRec.Experiments.Config;

/// <summary>
/// Binds config values onto an options record (such as <c>BprMfOptions</c>): a copy of the defaults with the
/// given public settable properties replaced. A key names a property in snake_case (<c>learning_rate</c> ↔
/// <c>LearningRate</c>; matching ignores case, underscores and hyphens) or through an alias (Elliot's names, such
/// as <c>lr</c> → <c>LearningRate</c>). Supported property types: int, long, ulong, float, double, bool, string,
/// enums (case-insensitive, snake_case allowed), their nullable forms, and lists of those (arrays,
/// <c>IReadOnlyList&lt;T&gt;</c>, <c>List&lt;T&gt;</c>; a YAML sequence stays a list, a single scalar is a
/// one-item list). After binding, the record's parameterless <c>Validate()</c> runs, if it has one, and an
/// <see cref="ArgumentException"/> from it becomes an error at the value of the property it names.
/// </summary>
public static class OptionsBinder
{
    /// <summary>
    /// A copy of <paramref name="defaults"/> with <paramref name="values"/> (key → value) bound; <paramref name="aliases"/>
    /// maps extra keys to property names (PascalCase). Throws a <see cref="ConfigException"/> listing every problem.
    /// </summary>
    public static TOptions Bind<TOptions>(TOptions defaults, IReadOnlyDictionary<string, ConfigValue> values,
        IReadOnlyDictionary<string, string>? aliases = null)
        where TOptions : class =>
        (TOptions)Bind((object)defaults, values, aliases);

    /// <summary>The non-generic form of <see cref="Bind{TOptions}"/>; the result has the runtime type of <paramref name="defaults"/>.</summary>
    public static object Bind(object defaults, IReadOnlyDictionary<string, ConfigValue> values,
        IReadOnlyDictionary<string, string>? aliases = null)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(values);
        var errors = new List<ConfigError>();
        var entries = values.Select(kv => new ConfigEntry(kv.Key, kv.Value.Position, kv.Value)).ToList();
        var origin = entries.Count > 0 ? entries[0].KeyPosition : new ConfigPosition("<options>", 1, 1);
        var result = TryBind(defaults, entries, aliases, errors, origin, defaults.GetType().Name);
        if (errors.Count > 0 || result is null) throw new ConfigException(errors);
        return result;
    }

    /// <summary>The keys an options type accepts: its settable, bindable properties in snake_case, then the alias keys.</summary>
    public static IReadOnlyList<string> Keys(Type optionsType, IReadOnlyDictionary<string, string>? aliases = null)
    {
        ArgumentNullException.ThrowIfNull(optionsType);
        var keys = Properties(optionsType).Select(p => ConfigConvert.SnakeCase(p.Name)).ToList();
        if (aliases is not null) keys.AddRange(aliases.Keys);
        return keys;
    }

    /// <summary>
    /// The property of <paramref name="optionsType"/> (PascalCase) that the config key <paramref name="key"/> sets, by the
    /// rules of <see cref="Bind"/> (an alias first, then the name ignoring case, underscores and hyphens); null when none.
    /// </summary>
    public static string? PropertyOf(Type optionsType, string key, IReadOnlyDictionary<string, string>? aliases = null)
    {
        ArgumentNullException.ThrowIfNull(optionsType);
        ArgumentNullException.ThrowIfNull(key);
        var properties = Properties(optionsType);
        if (aliases?.FirstOrDefault(a => string.Equals(a.Key, key, StringComparison.OrdinalIgnoreCase)) is { Key: not null } alias)
            return properties.FirstOrDefault(p => string.Equals(p.Name, alias.Value, StringComparison.Ordinal))?.Name;
        string normalized = ConfigConvert.Normalize(key);
        return properties.FirstOrDefault(p => ConfigConvert.Normalize(p.Name) == normalized)?.Name;
    }

    /// <summary>
    /// Binds <paramref name="entries"/> onto a copy of <paramref name="defaults"/>, adding problems to
    /// <paramref name="errors"/>; null when any was found. <paramref name="origin"/> is where errors without a
    /// value of their own (a Validate failure on a default) are reported; <paramref name="context"/> names the
    /// model in messages.
    /// </summary>
    internal static object? TryBind(object defaults, IReadOnlyList<ConfigEntry> entries, IReadOnlyDictionary<string, string>? aliases,
        List<ConfigError> errors, ConfigPosition origin, string context)
    {
        var type = defaults.GetType();
        var properties = Properties(type);
        var byNormalized = new Dictionary<string, PropertyInfo>(StringComparer.Ordinal);
        foreach (var p in properties) byNormalized.TryAdd(ConfigConvert.Normalize(p.Name), p);
        var aliasMap = new Dictionary<string, PropertyInfo>(StringComparer.OrdinalIgnoreCase);
        if (aliases is not null)
        {
            foreach (var (alias, target) in aliases)
            {
                var prop = properties.FirstOrDefault(p => string.Equals(p.Name, target, StringComparison.Ordinal))
                    ?? throw new ArgumentException($"alias '{alias}' names '{target}', which is not a settable property of {type.Name}", nameof(aliases));
                aliasMap[alias] = prop;
            }
        }

        int before = errors.Count;
        var copy = OptionsRecord.Clone(defaults);
        var boundBy = new Dictionary<string, ConfigEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (!aliasMap.TryGetValue(entry.Key, out var prop) && !byNormalized.TryGetValue(ConfigConvert.Normalize(entry.Key), out prop))
            {
                errors.Add(new ConfigError(entry.KeyPosition,
                    $"unknown hyperparameter '{entry.Key}' for {context}" + NearestName.Hint(entry.Key, Keys(type, aliases))));
                continue;
            }
            if (boundBy.TryGetValue(prop.Name, out var first))
            {
                // two keys that set one property (such as Elliot's user_ and positive_item_regularization) may agree
                if (first.Value.ToString() == entry.Value.ToString()) continue;
                errors.Add(new ConfigError(entry.KeyPosition,
                    $"'{entry.Key}' sets {ConfigConvert.SnakeCase(prop.Name)}, which '{first.Key}' ({first.KeyPosition}) already sets to another value"));
                continue;
            }
            boundBy[prop.Name] = entry;
            if (!ConfigConvert.TryConvert(entry.Value, prop.PropertyType, ConfigConvert.AcceptsNull(prop), out object? value))
            {
                errors.Add(new ConfigError(entry.Value.Position,
                    $"{entry.Key}: expected {ConfigConvert.Expected(prop.PropertyType)}, got {entry.Value.Describe()}"));
                continue;
            }
            prop.SetValue(copy, value);
        }
        if (errors.Count > before) return null;

        var validate = type.GetMethod("Validate", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        if (validate is not null)
        {
            try
            {
                validate.Invoke(copy, null);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is ArgumentException arg)
            {
                string param = arg.ParamName ?? "";
                var prop = properties.FirstOrDefault(p => string.Equals(p.Name, param, StringComparison.OrdinalIgnoreCase));
                string key = prop is null ? ConfigConvert.SnakeCase(param) : ConfigConvert.SnakeCase(prop.Name);
                ConfigPosition pos = origin;
                if (prop is not null && boundBy.TryGetValue(prop.Name, out var entry))
                {
                    pos = entry.Value.Position;
                    key = entry.Key;
                }
                errors.Add(new ConfigError(pos, (key.Length > 0 ? key + ": " : "") + Describe(arg)));
                return null;
            }
        }
        return copy;
    }

    private static List<PropertyInfo> Properties(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0 && ConfigConvert.IsSupported(p.PropertyType))];

    /// <summary>The exception's message without .NET's " (Parameter 'x')" suffix, with the actual value when known.</summary>
    private static string Describe(ArgumentException ex)
    {
        string message = ex.Message;
        int cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        if (cut >= 0) message = message[..cut];
        int nl = message.IndexOf('\n', StringComparison.Ordinal);
        if (nl >= 0) message = message[..nl].TrimEnd('\r');
        if (ex is ArgumentOutOfRangeException { ActualValue: { } actual })
            message += string.Create(CultureInfo.InvariantCulture, $" (got {actual})");
        return message;
    }
}
