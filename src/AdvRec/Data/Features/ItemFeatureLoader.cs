using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace AdvRec.Data.Features;

/// <summary>The layout of an item feature file.</summary>
public enum ItemFeatureFormat
{
    /// <summary>Elliot's layout: a folder of <c>&lt;itemId&gt;.npy</c> files, each one 1-D float vector; the id is the file name without <c>.npy</c>.</summary>
    NpyFolder,

    /// <summary>One 2-D <c>.npy</c> matrix (items × D) with a separate id list: a text file with one id per line, line r naming row r.</summary>
    NpyMatrix,

    /// <summary>A headerless text file, one row <c>itemId f1 f2 …</c> per item, separated by tabs or runs of spaces (gzip read transparently).</summary>
    Tsv,

    /// <summary>As <see cref="Tsv"/>, separated by commas.</summary>
    Csv,

    /// <summary>MovieLens-100K's <c>u.item</c> (<c>id|title|date|video date|url|19 genre flags</c>): the 19 genre flags, plus the release year with <see cref="ItemFeatureOptions.IncludeYear"/>.</summary>
    Ml100kGenres,
}

/// <summary>Where item features are and how to read them.</summary>
public sealed record ItemFeatureOptions
{
    /// <summary>The feature file, or the folder for <see cref="ItemFeatureFormat.NpyFolder"/>.</summary>
    public required string Path { get; init; }

    /// <summary>The layout (default: NpyFolder).</summary>
    public ItemFeatureFormat Format { get; init; } = ItemFeatureFormat.NpyFolder;

    /// <summary>The id list of <see cref="ItemFeatureFormat.NpyMatrix"/> (one id per line); required there.</summary>
    public string? IdsPath { get; init; }

    /// <summary>The normalisation applied after alignment (default: none, as Elliot).</summary>
    public FeatureNormalization Normalization { get; init; } = FeatureNormalization.None;

    /// <summary>For <see cref="ItemFeatureFormat.Ml100kGenres"/>: add the release year as (year − 1900) / 100 (0 when the date is missing); default true.</summary>
    public bool IncludeYear { get; init; } = true;
}

/// <summary>Reads item features in the layouts of <see cref="ItemFeatureFormat"/>. Every problem names the file, the line (where there is one) and what was expected.</summary>
public static class ItemFeatureLoader
{
    /// <summary>Reads the features <paramref name="options"/> names, keyed by original item id.</summary>
    /// <exception cref="DataFormatException">A file is missing or malformed.</exception>
    public static FeatureTable Load(ItemFeatureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Format switch
        {
            ItemFeatureFormat.NpyFolder => LoadNpyFolder(options.Path),
            ItemFeatureFormat.NpyMatrix => LoadNpyMatrix(options.Path, options.IdsPath ?? throw new DataFormatException(options.Path, 0, "an npy_matrix needs an id list (ids: a file with one item id per line)")),
            ItemFeatureFormat.Tsv => LoadDelimited(options.Path, null),
            ItemFeatureFormat.Csv => LoadDelimited(options.Path, ','),
            ItemFeatureFormat.Ml100kGenres => LoadMl100kGenres(options.Path, options.IncludeYear),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Format, "unknown feature format"),
        };
    }

    /// <summary>Reads a folder of <c>&lt;itemId&gt;.npy</c> files (Elliot's layout); every file must hold a vector of the same length.</summary>
    public static FeatureTable LoadNpyFolder(string folder)
    {
        if (!Directory.Exists(folder)) throw new DataFormatException(folder, 0, "folder not found (expected a folder of <itemId>.npy files)");
        var files = Directory.GetFiles(folder, "*.npy");
        Array.Sort(files, StringComparer.Ordinal);
        if (files.Length == 0) throw new DataFormatException(folder, 0, "no .npy files in the folder (expected one <itemId>.npy per item)");
        var ids = new List<string>(files.Length);
        float[]? values = null;
        int d = 0;
        for (int r = 0; r < files.Length; r++)
        {
            var array = NpyReader.Read(files[r]);
            if (array.Shape.Count != 1 && !(array.Shape.Count == 2 && (array.Shape[0] == 1 || array.Shape[1] == 1)))
                throw new DataFormatException(files[r], 0, $"expected a 1-D feature vector, got shape ({string.Join(", ", array.Shape)})");
            if (values is null)
            {
                d = array.Values.Length;
                if (d == 0) throw new DataFormatException(files[r], 0, "empty feature vector");
                values = new float[checked(files.Length * d)];
            }
            else if (array.Values.Length != d)
                throw new DataFormatException(files[r], 0, $"vector of length {array.Values.Length}, but {Path.GetFileName(files[0])} has length {d}; every item needs the same length");
            array.Values.CopyTo(values, r * d);
            ids.Add(Path.GetFileNameWithoutExtension(files[r]));
        }
        return new FeatureTable(folder, ids, values!, d);
    }

    /// <summary>Reads a 2-D <c>.npy</c> matrix whose row r belongs to the id on line r of <paramref name="idsPath"/>.</summary>
    public static FeatureTable LoadNpyMatrix(string path, string idsPath)
    {
        var array = NpyReader.Read(path);
        if (array.Shape.Count != 2) throw new DataFormatException(path, 0, $"expected a 2-D matrix (items × features), got shape ({string.Join(", ", array.Shape)})");
        if (!File.Exists(idsPath)) throw new DataFormatException(idsPath, 0, "id list not found (expected one item id per line)");
        var ids = new List<string>(array.Rows);
        int lineNo = 0;
        foreach (string line in File.ReadLines(idsPath))
        {
            lineNo++;
            string id = line.Trim();
            if (id.Length == 0)
            {
                if (lineNo <= array.Rows) throw new DataFormatException(idsPath, lineNo, "empty line; expected an item id");
                continue;
            }
            ids.Add(id);
        }
        if (ids.Count != array.Rows)
            throw new DataFormatException(idsPath, 0, $"{ids.Count} ids for a matrix of {array.Rows} rows ({path}); expected one id per row");
        return new FeatureTable(path, ids, array.Values, array.Columns);
    }

    /// <summary>Reads headerless <c>itemId f1 f2 …</c> rows; <paramref name="separator"/> null splits on tabs and runs of spaces.</summary>
    public static FeatureTable LoadDelimited(string path, char? separator)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, 0, "file not found (expected rows 'itemId f1 f2 ...')");
        using var stream = OpenMaybeGzip(path);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var ids = new List<string>();
        var values = new List<float>();
        int d = -1, lineNo = 0;
        char[] whitespace = [' ', '\t'];
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (line.Trim().Length == 0) continue;
            var parts = separator is { } sep ? line.Split(sep) : line.Split(whitespace, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2) throw new DataFormatException(path, lineNo, $"expected an item id and at least one feature value, got '{Clip(line)}'");
            if (d < 0) d = parts.Length - 1;
            else if (parts.Length - 1 != d) throw new DataFormatException(path, lineNo, $"{parts.Length - 1} feature values, expected {d} as on the first row");
            ids.Add(parts[0].Trim());
            for (int c = 1; c < parts.Length; c++)
            {
                if (!float.TryParse(parts[c].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                    throw new DataFormatException(path, lineNo, $"column {c + 1}: expected a finite number, got '{Clip(parts[c])}'");
                values.Add(v);
            }
        }
        if (ids.Count == 0) throw new DataFormatException(path, 0, "no feature rows");
        return new FeatureTable(path, ids, [.. values], d);
    }

    /// <summary>MovieLens-100K's <c>u.item</c>: 19 genre flags per movie, plus the release year (see <see cref="ItemFeatureOptions.IncludeYear"/>).</summary>
    public static FeatureTable LoadMl100kGenres(string path, bool includeYear = true)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, 0, "file not found (expected MovieLens-100K's u.item)");
        const int Genres = 19;
        int d = Genres + (includeYear ? 1 : 0);
        var ids = new List<string>();
        var values = new List<float>();
        int lineNo = 0;
        foreach (string line in File.ReadLines(path, Encoding.Latin1))
        {
            lineNo++;
            if (line.Length == 0) continue;
            var parts = line.Split('|');
            if (parts.Length != 5 + Genres)
                throw new DataFormatException(path, lineNo, $"{parts.Length} '|'-separated fields, expected {5 + Genres} (id|title|release date|video release date|url|19 genre flags)");
            ids.Add(parts[0]);
            for (int g = 0; g < Genres; g++)
            {
                string flag = parts[5 + g];
                if (flag is not ("0" or "1")) throw new DataFormatException(path, lineNo, $"genre flag {g + 1}: expected 0 or 1, got '{Clip(flag)}'");
                values.Add(flag == "1" ? 1f : 0f);
            }
            if (includeYear)
            {
                string date = parts[2];
                float year = 0f;
                if (date.Length > 0)
                {
                    if (!DateTime.TryParseExact(date, ["dd-MMM-yyyy", "d-MMM-yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var when))
                        throw new DataFormatException(path, lineNo, $"release date: expected dd-MMM-yyyy such as 01-Jan-1995, got '{Clip(date)}'");
                    year = (when.Year - 1900) / 100f;
                }
                values.Add(year);
            }
        }
        if (ids.Count == 0) throw new DataFormatException(path, 0, "no movies");
        return new FeatureTable(path, ids, [.. values], d);
    }

    private static Stream OpenMaybeGzip(string path)
    {
        var file = File.OpenRead(path);
        if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return file;
        return new GZipStream(file, CompressionMode.Decompress);
    }

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
