namespace AdvRec.Experiments.Config;

/// <summary>One point of a hyperparameter grid.</summary>
/// <typeparam name="TOptions">The options record type.</typeparam>
/// <param name="Options">The bound options.</param>
/// <param name="Description">The grid values of this point, such as <c>factors=32, lr=0.01</c>; empty without a grid.</param>
/// <param name="GridValues">The grid key → the value chosen at this point, in grid order.</param>
public sealed record GridPoint<TOptions>(TOptions Options, string Description, IReadOnlyList<KeyValuePair<string, ConfigValue>> GridValues);

/// <summary>
/// Expands a model's <c>grid</c> into the Cartesian product of its values, bound over its fixed hyperparameters.
/// Order: grid keys in their enumeration order (written order for loaded configs), the first key varying
/// slowest and the last fastest, as nested loops; values in written order.
/// </summary>
public static class GridExpander
{
    /// <summary>
    /// Every grid point bound onto <paramref name="defaults"/> with <paramref name="hyperparameters"/> fixed; with an
    /// empty grid, one point. Throws a <see cref="ConfigException"/> listing every problem.
    /// </summary>
    public static IReadOnlyList<GridPoint<TOptions>> Expand<TOptions>(TOptions defaults,
        IReadOnlyDictionary<string, ConfigValue> hyperparameters,
        IReadOnlyDictionary<string, IReadOnlyList<ConfigValue>> grid,
        IReadOnlyDictionary<string, string>? aliases = null)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(hyperparameters);
        ArgumentNullException.ThrowIfNull(grid);
        var errors = new List<ConfigError>();
        var fixedEntries = hyperparameters.Select(kv => new ConfigEntry(kv.Key, kv.Value.Position, kv.Value)).ToList();
        var gridEntries = grid.Select(kv => new KeyValuePair<string, IReadOnlyList<ConfigValue>>(kv.Key, kv.Value)).ToList();
        var origin = fixedEntries.Count > 0 ? fixedEntries[0].KeyPosition
            : gridEntries.Count > 0 && gridEntries[0].Value.Count > 0 ? gridEntries[0].Value[0].Position
            : new ConfigPosition("<options>", 1, 1);
        var points = TryExpand(defaults, fixedEntries, gridEntries, aliases, errors, origin, typeof(TOptions).Name);
        if (points is null || errors.Count > 0) throw new ConfigException(errors);
        return [.. points.Select(p => new GridPoint<TOptions>((TOptions)p.Options, p.Description, p.GridValues))];
    }

    /// <summary>
    /// The grid's combinations in expansion order: each a list of (key, value); one empty combination for an empty grid.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<KeyValuePair<string, ConfigValue>>> Combinations(
        IReadOnlyList<KeyValuePair<string, IReadOnlyList<ConfigValue>>> grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        var result = new List<IReadOnlyList<KeyValuePair<string, ConfigValue>>>();
        if (grid.Any(g => g.Value.Count == 0)) return result;
        var index = new int[grid.Count];
        while (true)
        {
            result.Add([.. grid.Select((g, k) => new KeyValuePair<string, ConfigValue>(g.Key, g.Value[index[k]]))]);
            int d = grid.Count - 1;
            while (d >= 0 && ++index[d] == grid[d].Value.Count)
            {
                index[d] = 0;
                d--;
            }
            if (d < 0) return result;
        }
    }

    /// <summary>Binds every combination, adding problems (each once) to <paramref name="errors"/>; null when any was found.</summary>
    internal static List<GridPoint<object>>? TryExpand(object defaults, IReadOnlyList<ConfigEntry> fixedEntries,
        IReadOnlyList<KeyValuePair<string, IReadOnlyList<ConfigValue>>> grid, IReadOnlyDictionary<string, string>? aliases,
        List<ConfigError> errors, ConfigPosition origin, string context)
    {
        var points = new List<GridPoint<object>>();
        var local = new List<ConfigError>();
        foreach (var combination in Combinations(grid))
        {
            var entries = fixedEntries.Concat(combination.Select(c => new ConfigEntry(c.Key, c.Value.Position, c.Value))).ToList();
            var bound = OptionsBinder.TryBind(defaults, entries, aliases, local, origin, context);
            if (bound is null) continue;
            string description = string.Join(", ", combination.Select(c => $"{c.Key}={c.Value}"));
            points.Add(new GridPoint<object>(bound, description, combination));
        }
        var distinct = local.Distinct().ToList();
        errors.AddRange(distinct);
        return distinct.Count > 0 ? null : points;
    }
}
