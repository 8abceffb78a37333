using System.Globalization;

namespace AdvRec.Data;

/// <summary>The layout <see cref="FormatDetector"/> chose for a file.</summary>
/// <param name="Format">Delimited, MovieLens or adjacency (never auto).</param>
/// <param name="Separator">The column separator of delimited and MovieLens files; null for runs of whitespace.</param>
/// <param name="Header">Whether the first non-blank line is a header row to skip.</param>
/// <param name="Reason">Why, in words, for the log ("every sampled line has 4 tab-separated fields").</param>
internal sealed record DetectedFormat(DataFormat Format, string? Separator, bool Header, string Reason);

/// <summary>
/// Tells the layout of an interaction file from its first lines: MovieLens <c>::</c> rows, delimited rows (tabs, commas
/// or spaces; 2 to 4 columns; a header row is recognised and skipped) or LightGCN adjacency lines (a user, then any
/// number of items). Where two layouts read the sample differently and nothing in it decides between them, it throws a
/// <see cref="DataFormatException"/> that lists the candidates.
/// </summary>
internal static class FormatDetector
{
    /// <summary>How many lines are sampled.</summary>
    public const int SampleLines = 200;

    private static readonly HashSet<string> HeaderWords = new(StringComparer.Ordinal)
    {
        "user", "userid", "uid", "users", "item", "itemid", "iid", "items", "movie", "movieid", "product", "productid",
        "rating", "ratings", "score", "timestamp", "time", "ts", "date", "datetime", "label", "value", "weight", "count",
    };

    /// <summary>
    /// The layout of the non-blank <paramref name="sample"/> lines (with their 1-based line numbers) of
    /// <paramref name="source"/>; <paramref name="separator"/> is a separator the caller fixed (then the file is delimited).
    /// </summary>
    /// <exception cref="DataFormatException">The sample fits more than one layout, read differently.</exception>
    public static DetectedFormat Detect(IReadOnlyList<(string Text, int Line)> sample, string source, char? separator)
    {
        if (separator is char fixedSeparator)
        {
            string? sep = fixedSeparator == ' ' ? null : fixedSeparator.ToString();
            bool header = HasHeader(sample, sep);
            return new DetectedFormat(DataFormat.Delimited, sep, header, $"the separator {Describe(sep)} was given");
        }
        int sampled = sample.Count;
        if (sample.Any(l => l.Text.Contains("::", StringComparison.Ordinal)))
        {
            bool header = HasHeader(sample, "::");
            return new DetectedFormat(DataFormat.MovieLens, "::", header, $"'::' separates the fields{Of(sampled)}");
        }
        foreach (string candidate in new[] { "\t", "," })
        {
            if (!sample.All(l => l.Text.Contains(candidate, StringComparison.Ordinal))) continue;
            var counts = sample.Select(l => Split(l.Text, candidate).Length).ToList();
            if (candidate == "\t" && (counts.Max() > 4 || counts.Distinct().Count() > 1) && UniqueFirstField(sample, candidate))
            {
                // tab-separated lines of varying length, one per user: the adjacency format with tabs
                return new DetectedFormat(DataFormat.Adjacency, null, false, $"the lines{Of(sampled)} hold a user then {Range(counts, -1)} items, one line per user");
            }
            bool tabHeader = HasHeader(sample, candidate);
            return new DetectedFormat(DataFormat.Delimited, candidate, tabHeader,
                $"every sampled line{Of(sampled)} has {Range(counts, 0)} {Describe(candidate)}-separated fields");
        }

        // whitespace: delimited rows of 2 to 4 columns, or adjacency lines
        var fields = sample.Select(l => Split(l.Text, null)).ToList();
        var widths = fields.Select(f => f.Length).ToList();
        bool unique = UniqueFirstField(sample, null);
        if (widths.Max() > 4 || (widths.Distinct().Count() > 1 && unique))
        {
            return new DetectedFormat(DataFormat.Adjacency, null, false,
                $"the space-separated lines{Of(sampled)} hold {Range(widths, 0)} fields{(unique ? ", one line per user" : "")}: a user then its items");
        }
        if (widths.Distinct().Count() > 1 || widths[0] < 3)
        {
            // 2 columns read the same both ways; lines of different widths with repeated users are delimited rows gone wrong,
            // which the delimited reader reports at the first bad line
            bool h = HasHeader(sample, null);
            return new DetectedFormat(DataFormat.Delimited, null, h, $"the sampled lines{Of(sampled)} have {Range(widths, 0)} space-separated fields");
        }
        bool spaceHeader = HasHeader(sample, null);
        var rows = spaceHeader ? fields.Skip(1).ToList() : fields;
        int width = widths[0];
        string layout = width == 3 ? "user item rating" : "user item rating timestamp";
        string reason = $"every sampled line{Of(sampled)} has {width} space-separated fields";
        if (spaceHeader || rows.Count == 0 || !UniqueFirstField(rows))
            return new DetectedFormat(DataFormat.Delimited, null, spaceHeader, reason + (spaceHeader ? "" : " and users repeat"));
        if (rows.Any(r => !IsNumber(r[1])) && rows.All(r => IsNumber(r[2])))
            return new DetectedFormat(DataFormat.Delimited, null, false, reason + " and column 2 holds ids where column 3 holds numbers");
        if (rows.Any(r => IsNumber(r[2]) && !IsInteger(r[2])))
            return new DetectedFormat(DataFormat.Delimited, null, false, reason + " and column 3 holds fractional ratings");
        if (rows.Count >= 5 && rows.All(r => RatingLike(r[2])) && rows.Any(r => !RatingLike(r[1]))
            && (width == 3 || rows.All(r => long.TryParse(r[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out long t) && t >= 100_000_000)))
            return new DetectedFormat(DataFormat.Delimited, null, false, reason + $" and the columns read as {layout} (ratings of at most 10{(width == 4 ? ", Unix times" : "")})");
        throw new DataFormatException(source, sample[0].Line,
            $"cannot tell the format from the first {Lines(sampled)}: each has {width} space-separated fields and no user repeats, which reads " +
            $"either as delimited `{layout}` or as adjacency `user item item ...` ({width - 1} items per user). Candidates: delimited, adjacency; " +
            "choose one with --format (data_config.format in a study, ReadOptions.Format in code)");
    }

    /// <summary>Whether the first sampled line is a header: known column names, or text where every other line has numbers.</summary>
    private static bool HasHeader(IReadOnlyList<(string Text, int Line)> sample, string? separator)
    {
        var first = Split(sample[0].Text, separator);
        if (first.Length < 2) return false;
        if (first.All(f => HeaderWords.Contains(Letters(f)))) return true;
        if (sample.Count < 2) return false;
        var rest = sample.Skip(1).Select(l => Split(l.Text, separator)).ToList();
        for (int c = 0; c < first.Length; c++)
        {
            if (!IsNumber(first[c]) && rest.All(r => r.Length > c && IsNumber(r[c]))) return true;
        }
        return false;
    }

    private static bool UniqueFirstField(IReadOnlyList<(string Text, int Line)> sample, string? separator) =>
        UniqueFirstField(sample.Select(l => Split(l.Text, separator)).ToList());

    private static bool UniqueFirstField(List<string[]> rows)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in rows)
        {
            if (r.Length > 0 && !seen.Add(r[0])) return false;
        }
        return true;
    }

    private static string[] Split(string line, string? separator) => separator is null
        ? line.Split([' ', '\t', '\v', '\f', '\r'], StringSplitOptions.RemoveEmptyEntries)
        : line.Split(separator).Select(f => f.Trim()).ToArray();

    private static string Letters(string s) => string.Concat(s.Where(char.IsLetter)).ToLowerInvariant();

    private static bool IsNumber(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static bool IsInteger(string s) => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    private static bool RatingLike(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) && r >= 0 && r <= 10;

    private static string Range(List<int> counts, int offset)
    {
        int min = counts.Min() + offset, max = counts.Max() + offset;
        return min == max ? min.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{min} to {max}");
    }

    private static string Of(int sampled) => sampled == 1 ? " (1 line sampled)" : string.Create(CultureInfo.InvariantCulture, $" ({sampled} lines sampled)");

    private static string Lines(int sampled) => sampled == 1 ? "line" : string.Create(CultureInfo.InvariantCulture, $"{sampled} lines");

    /// <summary>"tab", "comma", "space" or the separator quoted.</summary>
    public static string Describe(string? separator) => separator switch
    {
        null => "space",
        "\t" => "tab",
        "," => "comma",
        "::" => "'::'",
        _ => $"'{separator}'",
    };
}
