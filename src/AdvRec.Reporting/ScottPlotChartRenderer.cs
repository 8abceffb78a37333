using AdvRec.Experiments.Reporting;
using AdvRec.IO;
using ScottPlot;

namespace AdvRec.Reporting;

/// <summary>
/// Draws <see cref="Chart"/>s with ScottPlot 5: one line with markers per series (dashed where asked), a legend,
/// title and axis labels, and a labelled vertical marker line. PNG and SVG are rendered in memory and written
/// atomically. Uses SkiaSharp's native library, which is why it lives outside the core assembly.
/// </summary>
public sealed class ScottPlotChartRenderer : IChartRenderer
{
    /// <summary>A renderer drawing images of <paramref name="width"/> × <paramref name="height"/> pixels.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 100 pixels.</exception>
    public ScottPlotChartRenderer(int width = 800, int height = 500)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        Width = width;
        Height = height;
    }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A series' X and Y differ in length.</exception>
    public void Render(Chart chart, string pngPath, string? svgPath = null)
    {
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentNullException.ThrowIfNull(pngPath);
        byte[] png;
        using (Plot plot = Build(chart, patterns: true)) png = plot.GetImageBytes(Width, Height, ImageFormat.Png);
        // Skia's SVG canvas has no dash patterns (its native code prints "Unsupported path effect" for each):
        // the SVG copy draws every line solid.
        string? svg = null;
        if (svgPath is not null)
        {
            using Plot plot = Build(chart, patterns: false);
            svg = plot.GetSvgXml(Width, Height);
        }
        AtomicFile.Write(pngPath, stream => stream.Write(png));
        if (svgPath is not null) AtomicFile.WriteText(svgPath, writer => writer.Write(svg));
    }

    private static Plot Build(Chart chart, bool patterns)
    {
        var plot = new Plot();
        try
        {
            foreach (ChartSeries series in chart.Series)
            {
                if (series.X.Count != series.Y.Count)
                    throw new ArgumentException($"series \"{series.Label}\" has {series.X.Count} x values and {series.Y.Count} y values", nameof(chart));
                var scatter = plot.Add.Scatter(series.X.ToArray(), series.Y.ToArray());
                scatter.LegendText = series.Label;
                scatter.LineWidth = 2;
                scatter.MarkerSize = 7;
                scatter.MarkerShape = MarkerShape.FilledCircle;
                if (series.Dashed && patterns) scatter.LinePattern = LinePattern.Dashed;
            }
            if (chart.MarkerX is double x)
            {
                var line = plot.Add.VerticalLine(x);
                line.LineWidth = 1.5f;
                if (patterns) line.LinePattern = LinePattern.Dotted;
                line.Color = Colors.Gray;
                if (!string.IsNullOrEmpty(chart.MarkerLabel))
                {
                    line.LabelText = chart.MarkerLabel;
                    // Inside the data area, top, just right of the line: clear of the tick labels and the title.
                    line.LabelOppositeAxis = true;
                    line.ManualLabelAlignment = Alignment.UpperLeft;
                    line.LabelOffsetX = 4;
                    line.LabelOffsetY = 4;
                    line.LabelBackgroundColor = Colors.White.WithAlpha(0.8);
                    line.LabelFontColor = Colors.DimGray;
                    line.LegendText = chart.MarkerLabel;
                }
            }
            plot.Title(chart.Title);
            plot.XLabel(chart.XLabel);
            plot.YLabel(chart.YLabel);
            if (chart.Series.Count > 0 || chart.MarkerLabel is not null) plot.ShowLegend(Edge.Right);
            return plot;
        }
        catch
        {
            plot.Dispose();
            throw;
        }
    }
}
