using System.Text.RegularExpressions;
using AdvRec.Experiments.Reporting;

namespace AdvRec.Tests.Reporting;

public class HtmlReportTests
{
    /// <summary>A valid 1×1 grey PNG: signature, IHDR, IDAT (zlib of filter byte 0 and one grey pixel), IEND.</summary>
    internal static readonly byte[] TinyPng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==");

    [Fact]
    public void Writes_a_self_contained_page_with_escaped_tables_and_embedded_image()
    {
        using var dir = new TempDirectory();
        string pngPath = dir.File("chart.png");
        File.WriteAllBytes(pngPath, TinyPng);

        var report = new HtmlReport("Robustness <report> & more", new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)));
        report.AddSection("Summary")
            .AddParagraph("APR beats \"BPR\" when ε > 0.5 & the attack is FGSM.")
            .AddTable(["model", "HR@10"], [["BPR <MF>", "0.4210"], ["APR & co", "0.4400"]], caption: "clean accuracy");
        var table = new ResultTable("model", "ε", "HR@10").AddRow("BPR", 0.5, 0.35123456).AddRow("APR", 0.5, 0.42);
        report.AddSection("Attacks")
            .AddTable(table, "0.000")
            .AddImage(pngPath, "robustness <chart>", caption: "HR@10 against ε");
        string path = dir.File("report.html");
        report.Write(path);

        string html = File.ReadAllText(path);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<title>Robustness &lt;report&gt; &amp; more</title>", html);
        Assert.Contains("Generated 2025-03-04 03:06:07 UTC", html);
        Assert.Contains("<td>BPR &lt;MF&gt;</td>", html);
        Assert.Contains("<td>APR &amp; co</td>", html);
        Assert.Contains("<td class=\"num\">0.4210</td>", html);
        Assert.Contains("<td class=\"num\">0.351</td>", html);
        Assert.Contains("<th>ε</th>", html);
        Assert.Contains("&quot;BPR&quot; when ε &gt; 0.5 &amp; the attack", html);
        Assert.Contains("src=\"data:image/png;base64," + Convert.ToBase64String(TinyPng) + "\"", html);
        Assert.Contains("alt=\"robustness &lt;chart&gt;\"", html);
        Assert.Equal(2, Regex.Matches(html, "<table>").Count);
        Assert.Equal(2, Regex.Matches(html, "</table>").Count);
        Assert.DoesNotMatch(new Regex("(src|href)\\s*=\\s*[\"']?\\s*(https?:|//)", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<MF>", html);
        Assert.Single(Directory.GetFiles(dir.FullPath, "*.html"));
    }

    [Fact]
    public void Rejects_non_png_images_and_ragged_rows()
    {
        var section = new HtmlReport("r").AddSection("s");
        Assert.Throws<ArgumentException>(() => section.AddImage([1, 2, 3], "x"));
        Assert.Throws<ArgumentException>(() => section.AddTable(["a", "b"], [["1"]]));
        Assert.Equal(0, section.BlockCount);
    }

    [Fact]
    public void Embeds_a_rendered_chart()
    {
        using var dir = new TempDirectory();
        string png = dir.File("c.png");
        new AdvRec.Reporting.ScottPlotChartRenderer().Render(ScottPlotChartRendererTests.RobustnessChart(), png);
        var report = new HtmlReport("charts");
        report.AddSection("curve").AddImage(png, "curve");
        string html = report.ToHtml();
        Assert.Contains("data:image/png;base64," + Convert.ToBase64String(File.ReadAllBytes(png)), html);
    }
}
