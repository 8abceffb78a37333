using System.Globalization;

namespace AdvRec.Experiments.Config;

/// <summary>
/// Where a config value was written: a file (or a <c>--set</c> override, named as <c>--set key=value</c>) and a
/// 1-based line and column. <see cref="ToString"/> gives <c>FILE:LINE:COLUMN</c>.
/// </summary>
/// <param name="File">The YAML file as named by the caller, or the override text.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public readonly record struct ConfigPosition(string File, int Line, int Column)
{
    /// <summary>The position as <c>FILE:LINE:COLUMN</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}:{Column}");
}
