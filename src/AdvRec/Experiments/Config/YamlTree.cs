using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AdvRec.Experiments.Config;

/// <summary>Reads YAML text into a <see cref="ConfigValue"/> tree that keeps every position.</summary>
internal static class YamlTree
{
    /// <summary>
    /// Parses one YAML document. Positions name <paramref name="file"/>; <paramref name="columnOffset"/> is added to
    /// the columns of the first line (for values cut out of an override). An empty document is a null value.
    /// Syntax errors are added to <paramref name="errors"/> and give null.
    /// </summary>
    public static ConfigValue? Parse(string text, string file, List<ConfigError> errors, int columnOffset = 0)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            errors.Add(new ConfigError(Position(file, ex.Start, columnOffset), "YAML syntax error: " + Strip(ex)));
            return null;
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet fails this way on some malformed input (an unclosed flow sequence): report where parsing stopped.
            errors.Add(new ConfigError(Position(file, LastGoodMark(text), columnOffset), "YAML syntax error: the document is malformed after this point (" + ex.Message + ")"));
            return null;
        }
        catch (ArgumentException ex)
        {
            // A duplicated key surfaces as an ArgumentException from the mapping's dictionary in some versions.
            errors.Add(new ConfigError(new ConfigPosition(file, 1, 1 + columnOffset), "YAML error: " + ex.Message));
            return null;
        }
        if (stream.Documents.Count == 0) return ConfigValue.Null(new ConfigPosition(file, 1, 1 + columnOffset));
        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            errors.Add(new ConfigError(Position(file, second.Start, columnOffset), "only one YAML document is allowed"));
        }
        return Convert(stream.Documents[0].RootNode, file, columnOffset, errors);
    }

    private static ConfigValue Convert(YamlNode node, string file, int columnOffset, List<ConfigError> errors)
    {
        var pos = Position(file, node.Start, columnOffset);
        switch (node)
        {
            case YamlScalarNode scalar:
                {
                    string value = scalar.Value ?? "";
                    bool quoted = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted;
                    bool isNull = !quoted && scalar.Style != ScalarStyle.Literal && scalar.Style != ScalarStyle.Folded
                        && value is "" or "~" or "null" or "Null" or "NULL";
                    return isNull ? ConfigValue.Null(pos) : ConfigValue.Scalar(value, pos, quoted);
                }
            case YamlSequenceNode seq:
                return ConfigValue.Sequence(seq.Children.Select(c => Convert(c, file, columnOffset, errors)), pos);
            case YamlMappingNode map:
                {
                    var entries = new List<ConfigEntry>();
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var (k, v) in map.Children)
                    {
                        var keyPos = Position(file, k.Start, columnOffset);
                        if (k is not YamlScalarNode { Value: { } key })
                        {
                            errors.Add(new ConfigError(keyPos, "a key must be a plain name"));
                            continue;
                        }
                        if (!seen.Add(key))
                        {
                            errors.Add(new ConfigError(keyPos, $"duplicate key '{key}'"));
                            continue;
                        }
                        entries.Add(new ConfigEntry(key, keyPos, Convert(v, file, columnOffset, errors)));
                    }
                    return ConfigValue.Mapping(entries, pos);
                }
            default:
                errors.Add(new ConfigError(pos, "unsupported YAML node"));
                return ConfigValue.Null(pos);
        }
    }

    private static ConfigPosition Position(string file, Mark mark, int columnOffset)
    {
        int line = (int)Math.Max(1, mark.Line);
        int column = (int)Math.Max(1, mark.Column);
        return new ConfigPosition(file, line, line == 1 ? column + columnOffset : column);
    }

    private static Mark LastGoodMark(string text)
    {
        var parser = new Parser(new StringReader(text));
        var mark = Mark.Empty;
        try
        {
            while (parser.MoveNext())
            {
                if (parser.Current is { } e) mark = e.Start;
            }
        }
        catch (Exception ex) when (ex is YamlException or InvalidOperationException)
        {
            // the mark of the last event read is the best position known
        }
        return mark;
    }

    private static string Strip(YamlException ex)
    {
        // YamlDotNet prefixes "(Line: a, Col: b, Idx: c) - (Line: ...): " to the message.
        string m = ex.Message;
        int i = m.IndexOf("): ", StringComparison.Ordinal);
        return m.StartsWith("(Line", StringComparison.Ordinal) && i >= 0 ? m[(i + 3)..] : m;
    }
}
