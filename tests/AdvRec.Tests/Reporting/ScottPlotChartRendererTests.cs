using System.Xml.Linq;
using AdvRec.Experiments.Reporting;
using AdvRec.Reporting;

namespace AdvRec.Tests.Reporting;

public class ScottPlotChartRendererTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    internal static Chart RobustnessChart()
    {
        double[] eps = [0, 0.5, 1.0, 1.5, 2.0];
        return new Chart("Robustness of BPR-MF on ml-1m", "ε (perturbation size)", "HR@10",
        [
            new ChartSeries("FGSM attack", eps, [0.42, 0.35, 0.24, 0.15, 0.09]),
            new ChartSeries("random noise", eps, [0.42, 0.41, 0.40, 0.38, 0.37], Dashed: true),
            new ChartSeries("APR, FGSM attack", eps, [0.44, 0.42, 0.38, 0.33, 0.28]),
        ], MarkerX: 1.0, MarkerLabel: "training ε");
    }

    [Fact]
    public void Renders_png_and_svg()
    {
        using var dir = new TempDirectory();
        string png = dir.File("robustness.png"), svg = dir.File("robustness.svg");
        new ScottPlotChartRenderer().Render(RobustnessChart(), png, svg);

        byte[] bytes = File.ReadAllBytes(png);
        Assert.True(bytes.AsSpan().StartsWith(PngSignature));
        Assert.InRange(bytes.Length, 5_000, 2_000_000);
        // IHDR: width and height, big-endian, at bytes 16–23.
        Assert.Equal(800, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(500, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));

        string text = File.ReadAllText(svg);
        var doc = XDocument.Parse(text);
        Assert.Equal("svg", doc.Root!.Name.LocalName);
        foreach (string label in new[] { "FGSM attack", "random noise", "APR, FGSM attack", "training ε", "HR@10" })
            Assert.Contains(label, text);
        Assert.Empty(Directory.GetFiles(dir.FullPath, "*.tmp", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(dir.FullPath, ".*"));
    }

    [Fact]
    public void Renders_png_only_at_a_custom_size_without_marker()
    {
        using var dir = new TempDirectory();
        string png = dir.File("training.png");
        var chart = new Chart("Training", "epoch", "loss", [new ChartSeries("BPR loss", [1, 2, 3], [0.7, 0.5, 0.4])]);
        new ScottPlotChartRenderer(400, 300).Render(chart, png);
        byte[] bytes = File.ReadAllBytes(png);
        Assert.True(bytes.AsSpan().StartsWith(PngSignature));
        Assert.Equal(400, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Single(Directory.GetFiles(dir.FullPath));
    }

    [Fact]
    public void Mismatched_series_is_rejected_and_nothing_is_written()
    {
        using var dir = new TempDirectory();
        var chart = new Chart("t", "x", "y", [new ChartSeries("bad", [1, 2], [1])]);
        Assert.Throws<ArgumentException>(() => new ScottPlotChartRenderer().Render(chart, dir.File("bad.png")));
        Assert.Empty(Directory.GetFiles(dir.FullPath));
    }

    [Fact]
    public void Writes_a_sample_chart_for_inspection_when_asked()
    {
        // Set ADVREC_CHART_SAMPLE to a folder to keep a rendered chart there and look at it.
        string? folder = Environment.GetEnvironmentVariable("ADVREC_CHART_SAMPLE");
        if (string.IsNullOrEmpty(folder)) return;
        Directory.CreateDirectory(folder);
        new ScottPlotChartRenderer().Render(RobustnessChart(), Path.Combine(folder, "robustness.png"), Path.Combine(folder, "robustness.svg"));
    }
}
