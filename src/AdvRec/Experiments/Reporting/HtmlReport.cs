using System.Globalization;
using System.Text;
using AdvRec.IO;

namespace AdvRec.Experiments.Reporting;

/// <summary>
/// A self-contained HTML report: a title, a "generated" line, and <see cref="HtmlSection"/>s of paragraphs, tables
/// and embedded images. The page links to nothing outside itself (inline CSS, images as data URIs), so it reads
/// offline and can be mailed as one file.
/// </summary>
public sealed class HtmlReport
{
    private const string Style = """
        body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1000px; padding: 0 1em; color: #222; line-height: 1.45; }
        h1 { margin-bottom: 0.2em; }
        .generated { color: #666; font-size: 0.9em; margin-top: 0; }
        section { margin-top: 2em; }
        table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
        caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: 0.3em; }
        th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; }
        th { background: #f0f0f0; text-align: left; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        tbody tr:nth-child(even) { background: #fafafa; }
        figure { margin: 1em 0; }
        img { max-width: 100%; height: auto; border: 1px solid #eee; }
        figcaption { color: #555; font-size: 0.9em; }
        """;

    private readonly List<HtmlSection> _sections = [];

    /// <summary>A report titled <paramref name="title"/>, generated at <paramref name="generated"/> (default: now).</summary>
    public HtmlReport(string title, DateTimeOffset? generated = null)
    {
        ArgumentNullException.ThrowIfNull(title);
        Title = title;
        Generated = generated ?? DateTimeOffset.UtcNow;
    }

    /// <summary>The page title and top heading.</summary>
    public string Title { get; }

    /// <summary>When the report was generated (shown in UTC).</summary>
    public DateTimeOffset Generated { get; }

    /// <summary>The sections, in order.</summary>
    public IReadOnlyList<HtmlSection> Sections => _sections;

    /// <summary>Appends a section headed <paramref name="heading"/> and returns it, to fill.</summary>
    public HtmlSection AddSection(string heading)
    {
        ArgumentNullException.ThrowIfNull(heading);
        var section = new HtmlSection(heading);
        _sections.Add(section);
        return section;
    }

    /// <summary>The whole page.</summary>
    public string ToHtml()
    {
        var html = new StringBuilder();
        string title = HtmlSection.Encode(Title);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(title).Append("</title>\n<style>\n").Append(Style).Append("\n</style>\n</head>\n<body>\n")
            .Append("<h1>").Append(title).Append("</h1>\n")
            .Append("<p class=\"generated\">Generated ")
            .Append(Generated.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(" UTC</p>\n");
        foreach (HtmlSection section in _sections) section.AppendTo(html);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Writes the page to <paramref name="path"/> (UTF-8), atomically.</summary>
    public void Write(string path)
    {
        string html = ToHtml();
        AtomicFile.WriteText(path, writer => writer.Write(html));
    }
}
