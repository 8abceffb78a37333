namespace AdvRec.Experiments.Config;

/// <summary>One problem found in a config: where it is and what is wrong.</summary>
/// <param name="Position">Where the offending key or value was written.</param>
/// <param name="Message">The problem, without the position.</param>
public sealed record ConfigError(ConfigPosition Position, string Message)
{
    /// <summary>The error as <c>FILE:LINE:COLUMN: problem</c>.</summary>
    public override string ToString() => $"{Position}: {Message}";
}
