namespace AdvRec.Experiments.Reporting;

/// <summary>One line of a <see cref="Chart"/>.</summary>
/// <param name="Label">Legend text.</param>
/// <param name="X">X values.</param>
/// <param name="Y">Y values, aligned with <paramref name="X"/>.</param>
/// <param name="Dashed">Draw dashed (for example the random-noise control beside an attack).</param>
public sealed record ChartSeries(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Dashed = false);

/// <summary>A line chart: a robustness curve (metric against ε) or a training curve (loss and metric against epoch).</summary>
/// <param name="Title">Title above the plot.</param>
/// <param name="XLabel">X axis label.</param>
/// <param name="YLabel">Y axis label.</param>
/// <param name="Series">The lines.</param>
/// <param name="MarkerX">Where to draw a vertical marker line (for example the epoch where APR starts), if anywhere.</param>
/// <param name="MarkerLabel">Text of the marker.</param>
public sealed record Chart(string Title, string XLabel, string YLabel, IReadOnlyList<ChartSeries> Series, double? MarkerX = null, string? MarkerLabel = null);

/// <summary>
/// Draws charts to image files. The core library has no native dependency, so the implementation (on ScottPlot)
/// lives in the AdvRec.Reporting assembly and is passed in by the caller.
/// </summary>
public interface IChartRenderer
{
    /// <summary>Writes <paramref name="chart"/> as PNG to <paramref name="pngPath"/> and, when given, as SVG to <paramref name="svgPath"/> (where a backend cannot dash lines in SVG, they are drawn solid there); both atomically.</summary>
    void Render(Chart chart, string pngPath, string? svgPath = null);
}
