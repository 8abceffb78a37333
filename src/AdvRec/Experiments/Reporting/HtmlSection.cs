using System.Globalization;
using System.Net;
using System.Text;

namespace AdvRec.Experiments.Reporting;

/// <summary>
/// One section of an <see cref="HtmlReport"/>: a heading, then paragraphs, tables and images in the order added.
/// All text is HTML-encoded; images are embedded as data URIs, so the page needs no other file.
/// </summary>
public sealed class HtmlSection
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly List<string> _blocks = [];

    internal HtmlSection(string heading) => Heading = heading;

    /// <summary>The section heading.</summary>
    public string Heading { get; }

    /// <summary>Number of paragraphs, tables and images added.</summary>
    public int BlockCount => _blocks.Count;

    /// <summary>Adds a paragraph of plain text (line breaks are kept).</summary>
    public HtmlSection AddParagraph(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _blocks.Add($"<p>{Encode(text).Replace("\n", "<br>\n", StringComparison.Ordinal)}</p>");
        return this;
    }

    /// <summary>
    /// Adds a table: a header row and rows of already formatted cells (format numbers before, in invariant culture).
    /// Cells that read as numbers are right-aligned.
    /// </summary>
    /// <exception cref="ArgumentException">A row does not have as many cells as the header.</exception>
    public HtmlSection AddTable(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        var html = new StringBuilder("<table>\n");
        if (caption is not null) html.Append("<caption>").Append(Encode(caption)).Append("</caption>\n");
        html.Append("<thead><tr>");
        foreach (string h in header) html.Append("<th>").Append(Encode(h)).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        int index = 0;
        foreach (IReadOnlyList<string> row in rows)
        {
            if (row.Count != header.Count)
                throw new ArgumentException($"table row {index} has {row.Count} cells, the header {header.Count}", nameof(rows));
            html.Append("<tr>");
            foreach (string cell in row)
            {
                bool numeric = double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
                html.Append(numeric ? "<td class=\"num\">" : "<td>").Append(Encode(cell)).Append("</td>");
            }
            html.Append("</tr>\n");
            index++;
        }
        html.Append("</tbody>\n</table>");
        _blocks.Add(html.ToString());
        return this;
    }

    /// <summary>Adds a <see cref="ResultTable"/>, numbers formatted in invariant culture with <paramref name="numberFormat"/>.</summary>
    public HtmlSection AddTable(ResultTable table, string numberFormat = "0.0000", string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        return AddTable(table.Columns, table.FormatRows(numberFormat), caption);
    }

    /// <summary>Adds a PNG image read now from <paramref name="pngPath"/>, embedded in the page.</summary>
    /// <exception cref="ArgumentException">The file is not a PNG.</exception>
    public HtmlSection AddImage(string pngPath, string altText, string? caption = null) =>
        AddImage(File.ReadAllBytes(pngPath), altText, caption);

    /// <summary>Adds a PNG image given as bytes, embedded in the page.</summary>
    /// <exception cref="ArgumentException">The bytes are not a PNG.</exception>
    public HtmlSection AddImage(byte[] png, string altText, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(png);
        ArgumentNullException.ThrowIfNull(altText);
        if (!png.AsSpan().StartsWith(PngSignature)) throw new ArgumentException("not a PNG image (no PNG signature)", nameof(png));
        var html = new StringBuilder("<figure>\n<img alt=\"").Append(Encode(altText))
            .Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(png)).Append("\">\n");
        if (caption is not null) html.Append("<figcaption>").Append(Encode(caption)).Append("</figcaption>\n");
        html.Append("</figure>");
        _blocks.Add(html.ToString());
        return this;
    }

    internal void AppendTo(StringBuilder html)
    {
        html.Append("<section>\n<h2>").Append(Encode(Heading)).Append("</h2>\n");
        foreach (string block in _blocks) html.Append(block).Append('\n');
        html.Append("</section>\n");
    }

    internal static string Encode(string text) => WebUtility.HtmlEncode(text);
}
