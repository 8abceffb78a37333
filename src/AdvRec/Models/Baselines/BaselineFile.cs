using System.Globalization;
using System.Text.Json;
using AdvRec.Data;
using AdvRec.IO;

namespace AdvRec.Models.Baselines;

/// <summary>
/// The text files of the baselines: a versioned header line <c># advrec-model&lt;TAB&gt;NAME&lt;TAB&gt;VERSION&lt;TAB&gt;OPTIONS-JSON</c>,
/// then one value per line (lines starting with <c>#</c> are comments).
/// </summary>
internal static class BaselineFile
{
    private const string Magic = "# advrec-model";
    private const int Version = 1;

    /// <summary>Writes the header for <paramref name="name"/> and <paramref name="options"/>, then <paramref name="body"/>, atomically.</summary>
    public static void Write<TOptions>(string path, string name, TOptions options, Action<TextWriter> body) => AtomicFile.WriteText(path, w =>
    {
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Magic}\t{name}\t{Version}\t{JsonSerializer.Serialize(options)}"));
        body(w);
    });

    /// <summary>Reads the header (checking magic, version and name) and the values that follow, each with its 1-based line number.</summary>
    /// <exception cref="DataFormatException">The file is missing, has no valid header, holds another model, or a value is not a number.</exception>
    public static (TOptions Options, List<(float Value, int Line)> Values) Read<TOptions>(string path, string name)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, 0, "model file not found");
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || !lines[0].StartsWith(Magic + "\t", StringComparison.Ordinal))
            throw new DataFormatException(path, 1, $"not an AdvRec baseline model file: expected a first line '{Magic}<TAB>{name}<TAB>{Version}<TAB><options>'");
        var header = lines[0].Split('\t', 4);
        if (header.Length != 4) throw new DataFormatException(path, 1, "the header needs four tab-separated fields: magic, model name, format version, options");
        if (header[1] != name) throw new DataFormatException(path, 1, $"the file holds a {header[1]} model, expected {name}");
        if (header[2] != Version.ToString(CultureInfo.InvariantCulture))
            throw new DataFormatException(path, 1, $"model file format version {header[2]}; this build reads version {Version}");
        TOptions options;
        try
        {
            options = JsonSerializer.Deserialize<TOptions>(header[3]) ?? throw new DataFormatException(path, 1, "the header has no options");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, 1, $"the header's options are not {typeof(TOptions).Name} JSON: {e.Message}", e);
        }
        var values = new List<(float, int)>();
        for (int k = 1; k < lines.Length; k++)
        {
            var line = lines[k];
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var field = line.Split('\t')[^1];
            if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                throw new DataFormatException(path, k + 1, $"expected a number, found '{field}'");
            values.Add((v, k + 1));
        }
        return (options, values);
    }

    /// <summary>Throws unless the file has exactly <paramref name="expected"/> values (<paramref name="what"/> says which).</summary>
    public static void RequireCount(string path, List<(float Value, int Line)> values, int expected, string what)
    {
        if (values.Count != expected)
            throw new DataFormatException(path, values.Count > expected ? values[expected].Line : 0,
                string.Create(CultureInfo.InvariantCulture, $"expected {expected} values ({what}), found {values.Count}"));
    }
}
