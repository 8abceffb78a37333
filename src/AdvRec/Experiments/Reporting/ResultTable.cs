using System.Text.Json;
using AdvRec.IO;

namespace AdvRec.Experiments.Reporting;

/// <summary>
/// A results table — named columns and rows of <see cref="ResultCell"/>s (texts or numbers) — written as TSV or JSON,
/// atomically. Numbers keep full precision in both formats.
/// </summary>
public sealed class ResultTable
{
    private readonly string[] _columns;
    private readonly List<ResultCell[]> _rows = [];

    /// <summary>A table with these column names (at least one; unique; no tab or line break).</summary>
    /// <exception cref="ArgumentException">No column, an empty or duplicate name, or a name with a tab or line break.</exception>
    public ResultTable(IEnumerable<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _columns = [.. columns];
        if (_columns.Length == 0) throw new ArgumentException("a table needs at least one column", nameof(columns));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string c in _columns)
        {
            if (string.IsNullOrEmpty(c)) throw new ArgumentException("column names must not be empty", nameof(columns));
            if (c.AsSpan().IndexOfAny('\t', '\r', '\n') >= 0)
                throw new ArgumentException($"column name \"{c}\" holds a tab or line break", nameof(columns));
            if (!seen.Add(c)) throw new ArgumentException($"duplicate column name \"{c}\"", nameof(columns));
        }
    }

    /// <summary>A table with these column names.</summary>
    public ResultTable(params string[] columns) : this((IEnumerable<string>)columns) { }

    /// <summary>The column names.</summary>
    public IReadOnlyList<string> Columns => _columns;

    /// <summary>The rows, each with one cell per column.</summary>
    public IReadOnlyList<IReadOnlyList<ResultCell>> Rows => _rows;

    /// <summary>Appends a row.</summary>
    /// <exception cref="ArgumentException">The row does not have one cell per column.</exception>
    public ResultTable AddRow(params ResultCell[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != _columns.Length)
            throw new ArgumentException($"a row needs {_columns.Length} cells ({string.Join(", ", _columns)}), got {cells.Length}", nameof(cells));
        _rows.Add((ResultCell[])cells.Clone());
        return this;
    }

    /// <summary>
    /// The rows as text, numbers in invariant culture with <paramref name="numberFormat"/> (null: round-trip) — for
    /// an <see cref="HtmlSection"/> table.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> FormatRows(string? numberFormat = null) =>
        _rows.Select(r => (IReadOnlyList<string>)r.Select(c => c.Format(numberFormat)).ToArray()).ToArray();

    /// <summary>
    /// Writes the table as tab-separated values, atomically: a header line of column names, then one line per row
    /// (UTF-8, "\n" line ends). Numbers are written so that they parse back to the same double ("NaN", "Infinity"
    /// and "-Infinity" for the special values); tabs and line breaks inside texts become spaces.
    /// </summary>
    public void WriteTsv(string path) =>
        AtomicFile.WriteText(path, writer =>
        {
            writer.Write(string.Join('\t', _columns));
            writer.Write('\n');
            foreach (ResultCell[] row in _rows)
            {
                for (int c = 0; c < row.Length; c++)
                {
                    if (c > 0) writer.Write('\t');
                    writer.Write(Sanitize(row[c].Format()));
                }
                writer.Write('\n');
            }
        });

    /// <summary>
    /// Writes the table as a JSON array with one object per row, keyed by column name, atomically (UTF-8, indented).
    /// Numbers are JSON numbers (full precision); NaN and infinities, which JSON cannot hold, and empty text cells
    /// are null.
    /// </summary>
    public void WriteJson(string path) =>
        AtomicFile.Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, NewLine = "\n" });
            json.WriteStartArray();
            foreach (ResultCell[] row in _rows)
            {
                json.WriteStartObject();
                for (int c = 0; c < row.Length; c++)
                {
                    ResultCell cell = row[c];
                    if (cell.IsNumber && double.IsFinite(cell.Number)) json.WriteNumber(_columns[c], cell.Number);
                    else if (!cell.IsNumber && cell.Text is not null) json.WriteString(_columns[c], cell.Text);
                    else json.WriteNull(_columns[c]);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });

    private static string Sanitize(string text) =>
        text.AsSpan().IndexOfAny('\t', '\r', '\n') < 0 ? text : text.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
}
