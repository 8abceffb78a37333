using System.Globalization;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;

namespace AdvRec.Data;

/// <summary>
/// Reads interaction files into an <see cref="InteractionLog"/>, streaming line by line: delimited
/// <c>user item [rating [timestamp]]</c> (TSV, CSV or space separated; a header row is skipped when the format is
/// detected), MovieLens <c>::</c> files and the LightGCN adjacency format, told apart from the first lines unless a
/// format is given (<see cref="DataFormat.Auto"/>). Gzip-compressed files are decompressed transparently. Ids are kept as strings
/// (trimmed); ratings must be finite numbers and timestamps integers, parsed with the invariant culture.
/// Every malformed input throws <see cref="DataFormatException"/> naming the file, the line and what was expected.
/// </summary>
public static class InteractionReader
{
    private const string DelimitedLayout = "user item [rating [timestamp]]";
    private const string AdjacencyLayout = "user item item ...";

    /// <summary>Reads the file at <paramref name="path"/> (gzip detected from its first bytes).</summary>
    /// <exception cref="DataFormatException">The file is missing, empty or malformed.</exception>
    public static InteractionLog Read(string path, ReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= ReadOptions.Default;
        if (!File.Exists(path))
        {
            string where = Directory.Exists(path) ? "it is a folder, not a file" : $"looked for {Path.GetFullPath(path)}";
            throw new DataFormatException(path, 0, $"file not found ({where})");
        }
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        Stream stream = file;
        if (file.ReadByte() == 0x1f && file.ReadByte() == 0x8b)
        {
            file.Position = 0;
            stream = new GZipStream(file, CompressionMode.Decompress);
        }
        else
        {
            file.Position = 0;
        }
        using var text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        try
        {
            return Read(text, path, options);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, 0, $"the gzip stream is corrupt or truncated ({e.Message})", e);
        }
    }

    /// <summary>
    /// Reads rows from <paramref name="reader"/>; <paramref name="source"/> names them in the log and in error
    /// messages. With <see cref="DataFormat.Auto"/> the layout is told from the first lines (see
    /// <see cref="DataFormat.Auto"/>) and recorded in <see cref="InteractionLog.Format"/>.
    /// </summary>
    /// <exception cref="DataFormatException">The text is empty or malformed, or its format cannot be told.</exception>
    public static InteractionLog Read(TextReader reader, string source, ReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(source);
        options ??= ReadOptions.Default;
        var lines = new LineReader(reader);
        var format = options.Format;
        DetectedFormat chosen;
        if (format == DataFormat.Auto)
        {
            var sample = new List<(string, int)>();
            int lineNo = lines.LineNumber;
            foreach (string text in lines.Peek(FormatDetector.SampleLines))
            {
                lineNo++;
                if (!string.IsNullOrWhiteSpace(text)) sample.Add((text, lineNo));
            }
            if (sample.Count == 0) throw new DataFormatException(source, 0, $"file is empty: expected lines of `{DelimitedLayout}` or `{AdjacencyLayout}`");
            chosen = FormatDetector.Detect(sample, source, options.Separator);
        }
        else
        {
            string? given = format == DataFormat.MovieLens ? "::" : options.Separator is char c ? (c == ' ' ? null : c.ToString()) : null;
            chosen = new DetectedFormat(format, given, false, "forced by the format option");
        }

        ReadOnlySpan<char> first;
        do
        {
            if (!lines.TryReadLine(out first))
            {
                string layout = format == DataFormat.Adjacency ? AdjacencyLayout : DelimitedLayout;
                throw new DataFormatException(source, 0, $"file is empty: expected lines of `{layout}`");
            }
        }
        while (first.IsWhiteSpace());
        string? header = null;
        if (chosen.Header)
        {
            header = first.ToString();
            do
            {
                if (!lines.TryReadLine(out first))
                    throw new DataFormatException(source, lines.LineNumber, $"the file has a header line ('{header.Trim()}') and no rows");
            }
            while (first.IsWhiteSpace());
        }

        string how = chosen.Reason.StartsWith("forced", StringComparison.Ordinal) ? chosen.Reason : "detected: " + chosen.Reason;
        if (header is not null) how += $"; header line skipped: '{header.Trim()}'";
        if (chosen.Format == DataFormat.Adjacency) return ReadAdjacency(lines, first, source, $"adjacency `{AdjacencyLayout}` ({how})");

        string? separator = chosen.Separator;
        if (format == DataFormat.Delimited && options.Separator is null)
        {
            // forced delimited without a separator: taken from the first line
            if (first.Contains('\t')) separator = "\t";
            else if (first.Contains(',')) separator = ",";
            else separator = null;
        }
        string name = chosen.Format == DataFormat.MovieLens ? "MovieLens" : $"delimited by {Describe(separator)}";
        return ReadDelimited(lines, first, source, separator, columns => $"{name} `{Layout(columns)}` ({how})");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static InteractionLog ReadDelimited(LineReader lines, ReadOnlySpan<char> line, string source, string? separator, Func<int, string> format)
    {
        var users = new IdMap();
        var items = new IdMap();
        var userIdx = new List<int>();
        var itemIdx = new List<int>();
        List<float>? ratings = null;
        List<long>? timestamps = null;
        int columns = 0, firstLine = 0;
        Span<Range> fields = stackalloc Range[4];
        do
        {
            if (line.IsWhiteSpace()) continue;
            int n = SplitFields(line, separator, fields);
            int lineNo = lines.LineNumber;
            if (columns == 0)
            {
                if (n < 2 || n > 4)
                {
                    string hint = n > 4
                        ? "; for the LightGCN adjacency format `user item item ...` choose format adjacency (--format adjacency, data_config.format, DataFormat.Adjacency)"
                        : "";
                    throw new DataFormatException(source, lineNo,
                        $"expected 2 to 4 columns ({DelimitedLayout}) separated by {Describe(separator)}, found {n}{hint}");
                }
                columns = n;
                firstLine = lineNo;
                if (n >= 3) ratings = [];
                if (n == 4) timestamps = [];
            }
            else if (n != columns)
            {
                throw new DataFormatException(source, lineNo,
                    $"expected {columns} columns ({Layout(columns)}) separated by {Describe(separator)} as on line {firstLine}, found {n}");
            }

            var user = line[fields[0]].Trim();
            var item = line[fields[1]].Trim();
            if (user.IsEmpty) throw new DataFormatException(source, lineNo, $"empty user id (expected `{Layout(columns)}`)");
            if (item.IsEmpty) throw new DataFormatException(source, lineNo, $"empty item id (expected `{Layout(columns)}`)");
            if (ratings is not null)
            {
                var text = line[fields[2]].Trim();
                if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float rating))
                {
                    string header = lineNo == firstLine ? " (the file must have no header line)" : "";
                    throw new DataFormatException(source, lineNo, $"rating (column 3) must be a number, found '{text}'{header}");
                }
                if (!float.IsFinite(rating))
                    throw new DataFormatException(source, lineNo, $"rating (column 3) must be a finite number, found '{text}'");
                ratings.Add(rating);
            }
            if (timestamps is not null)
            {
                var text = line[fields[3]].Trim();
                if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long time))
                    throw new DataFormatException(source, lineNo, $"timestamp (column 4) must be an integer (such as Unix seconds), found '{text}'");
                timestamps.Add(time);
            }
            userIdx.Add(users.GetOrAdd(user));
            itemIdx.Add(items.GetOrAdd(item));
        }
        while (lines.TryReadLine(out line));

        return new InteractionLog(source, users, items, [.. userIdx], [.. itemIdx], ratings?.ToArray(), timestamps?.ToArray()) { Format = format(columns) };
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static InteractionLog ReadAdjacency(LineReader lines, ReadOnlySpan<char> line, string source, string format)
    {
        var users = new IdMap();
        var items = new IdMap();
        var userIdx = new List<int>();
        var itemIdx = new List<int>();
        do
        {
            var rest = line;
            if (!NextToken(ref rest, out var token)) continue;
            int user = users.GetOrAdd(token);
            while (NextToken(ref rest, out token))
            {
                userIdx.Add(user);
                itemIdx.Add(items.GetOrAdd(token));
            }
        }
        while (lines.TryReadLine(out line));
        return new InteractionLog(source, users, items, [.. userIdx], [.. itemIdx]) { Format = format };
    }

    /// <summary>Splits <paramref name="line"/>, stores the first fields' ranges and returns the total number of fields.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int SplitFields(ReadOnlySpan<char> line, string? separator, Span<Range> fields)
    {
        int count = 0;
        if (separator is null)
        {
            int pos = 0;
            while (true)
            {
                while (pos < line.Length && IsBlank(line[pos])) pos++;
                if (pos == line.Length) return count;
                int start = pos;
                while (pos < line.Length && !IsBlank(line[pos])) pos++;
                if (count < fields.Length) fields[count] = start..pos;
                count++;
            }
        }
        var sep = separator.AsSpan();
        int from = 0;
        while (true)
        {
            int k = line[from..].IndexOf(sep);
            int end = k < 0 ? line.Length : from + k;
            if (count < fields.Length) fields[count] = from..end;
            count++;
            if (k < 0) return count;
            from = end + sep.Length;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool NextToken(ref ReadOnlySpan<char> rest, out ReadOnlySpan<char> token)
    {
        int pos = 0;
        while (pos < rest.Length && IsBlank(rest[pos])) pos++;
        if (pos == rest.Length)
        {
            token = default;
            rest = default;
            return false;
        }
        int start = pos;
        while (pos < rest.Length && !IsBlank(rest[pos])) pos++;
        token = rest[start..pos];
        rest = rest[pos..];
        return true;
    }

    private static bool IsBlank(char c) => c is ' ' or '\t' or '\v' or '\f' or '\r';

    private static string Layout(int columns) => columns switch
    {
        2 => "user item",
        3 => "user item rating",
        _ => "user item rating timestamp",
    };

    private static string Describe(string? separator) => separator switch
    {
        null => "spaces",
        "\t" => "tabs",
        "," => "commas",
        "::" => "'::'",
        _ => $"'{separator}'",
    };
}
