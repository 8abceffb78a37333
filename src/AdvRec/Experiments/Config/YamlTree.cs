using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace AdvRec.Experiments.Config;

/// <summary>Reads YAML text into a <see cref="ConfigValue"/> tree that keeps every position.</summary>
internal static class YamlTree
{
    /// <summary>
    /// Parses one YAML document. Positions name <paramref name="file"/>; <paramref name="columnOffset"/> is added to
    /// the columns of the first line (for values cut out of an override). An empty document is a null value.
    /// Syntax errors are added to <paramref name="errors"/> and give null. A key repeated in one mapping is an error,
    /// unless both values are the same: then the repeat is dropped and a warning is added to <paramref name="warnings"/>
    /// (Elliot's own docs repeat keys, and its YAML loader keeps the last).
    /// </summary>
    public static ConfigValue? Parse(string text, string file, List<ConfigError> errors, int columnOffset = 0, List<ConfigError>? warnings = null)
    {
        // read from the parser's events (not YamlStream, which refuses any repeated key before we can look at it)
        var parser = new Parser(new StringReader(text));
        var reader = new EventReader(parser, file, columnOffset, errors, warnings);
        try
        {
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out var end)) return ConfigValue.Null(Position(file, end.Start, columnOffset));
            parser.Consume<DocumentStart>();
            var root = reader.Read();
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
            {
                errors.Add(new ConfigError(Position(file, second.Start, columnOffset), "only one YAML document is allowed"));
                return null;
            }
            return root;
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
    }

    /// <summary>Builds <see cref="ConfigValue"/>s from parser events, resolving anchors and aliases.</summary>
    private sealed class EventReader(IParser parser, string file, int columnOffset, List<ConfigError> errors, List<ConfigError>? warnings)
    {
        private readonly Dictionary<string, ConfigValue> _anchors = new(StringComparer.Ordinal);

        public ConfigValue Read()
        {
            if (parser.TryConsume<AnchorAlias>(out var alias))
            {
                if (_anchors.TryGetValue(alias.Value.Value, out var target)) return target;
                var at = Position(file, alias.Start, columnOffset);
                errors.Add(new ConfigError(at, $"YAML error: unknown alias *{alias.Value.Value}"));
                return ConfigValue.Null(at);
            }
            if (parser.TryConsume<Scalar>(out var scalar))
            {
                var pos = Position(file, scalar.Start, columnOffset);
                string value = scalar.Value ?? "";
                bool quoted = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted;
                bool isNull = !quoted && scalar.Style != ScalarStyle.Literal && scalar.Style != ScalarStyle.Folded
                    && value is "" or "~" or "null" or "Null" or "NULL";
                return Anchor(scalar.Anchor, isNull ? ConfigValue.Null(pos) : ConfigValue.Scalar(value, pos, quoted));
            }
            if (parser.TryConsume<SequenceStart>(out var sequence))
            {
                var items = new List<ConfigValue>();
                while (!parser.TryConsume<SequenceEnd>(out _)) items.Add(Read());
                return Anchor(sequence.Anchor, ConfigValue.Sequence(items, Position(file, sequence.Start, columnOffset)));
            }
            var mapping = parser.Consume<MappingStart>();
            var entries = new List<ConfigEntry>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyStart = parser.Current?.Start ?? mapping.Start;
                var keyPos = Position(file, keyStart, columnOffset);
                bool plainKey = parser.Accept<Scalar>(out _);
                var key = Read();
                var value = Read();
                if (!plainKey || key.Kind != ConfigValueKind.Scalar)
                {
                    errors.Add(new ConfigError(keyPos, "a key must be a plain name"));
                    continue;
                }
                var first = entries.Find(e => e.Key == key.Text);
                if (first is not null)
                {
                    if (warnings is not null && first.Value.ToString() == value.ToString())
                        warnings.Add(new ConfigError(keyPos, $"duplicate key '{key.Text}' with the same value as at {first.KeyPosition} ({value}); the repeat is ignored"));
                    else
                        errors.Add(new ConfigError(keyPos, $"duplicate key '{key.Text}' (first at {first.KeyPosition}) with a different value: {first.Value} then {value}; keep one"));
                    continue;
                }
                entries.Add(new ConfigEntry(key.Text!, keyPos, value));
            }
            return Anchor(mapping.Anchor, ConfigValue.Mapping(entries, Position(file, mapping.Start, columnOffset)));
        }

        private ConfigValue Anchor(AnchorName anchor, ConfigValue value)
        {
            if (!anchor.IsEmpty) _anchors[anchor.Value] = value;
            return value;
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
