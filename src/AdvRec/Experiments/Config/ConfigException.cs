namespace AdvRec.Experiments.Config;

/// <summary>
/// One or more errors in a study config. <see cref="Exception.Message"/> lists every error as
/// <c>FILE:LINE:COLUMN: problem</c>, one per line, ordered by file (in order of first appearance) and position;
/// <see cref="File"/>, <see cref="Line"/> and <see cref="Column"/> are those of the first.
/// </summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates the exception for one error.</summary>
    public ConfigException(ConfigPosition position, string message)
        : this([new ConfigError(position, message)])
    {
    }

    /// <summary>Creates the exception for several errors (at least one); duplicates are merged.</summary>
    public ConfigException(IEnumerable<ConfigError> errors)
        : this(Order(errors))
    {
    }

    private ConfigException(IReadOnlyList<ConfigError> ordered)
        : base(string.Join('\n', ordered))
    {
        Errors = ordered;
        File = ordered[0].Position.File;
        Line = ordered[0].Position.Line;
        Column = ordered[0].Position.Column;
    }

    /// <summary>Every error found, in reporting order.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }

    /// <summary>The file (or override) of the first error.</summary>
    public string File { get; }

    /// <summary>The 1-based line of the first error.</summary>
    public int Line { get; }

    /// <summary>The 1-based column of the first error.</summary>
    public int Column { get; }

    private static List<ConfigError> Order(IEnumerable<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var list = errors.Distinct().ToList();
        if (list.Count == 0) throw new ArgumentException("at least one error is needed", nameof(errors));
        var fileOrder = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in list) fileOrder.TryAdd(e.Position.File, fileOrder.Count);
        return [.. list.OrderBy(e => fileOrder[e.Position.File]).ThenBy(e => e.Position.Line).ThenBy(e => e.Position.Column)];
    }
}
