using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Models;

namespace AdvRec.Tests.Docs;

/// <summary>
/// Builds the generated section of docs/options.md: one table per model (or per group of models that share an options
/// record, such as I-AutoRec and U-AutoRec), from the registry's <see cref="ModelDefinition.Schema"/> (defaults, aliases,
/// Elliot's names and keys), reflection on the options record and the records' XML doc comments. Only the public API of
/// <see cref="ModelSchema"/> and the options types is read, as the study loader reads them.
/// </summary>
internal static partial class OptionTables
{
    /// <summary>The line before the generated section.</summary>
    public const string Begin = "<!-- options:begin -->";

    /// <summary>The line after the generated section.</summary>
    public const string End = "<!-- options:end -->";

    /// <summary>The docs file holding the section, relative to the repository root.</summary>
    public const string DocsFile = "docs/options.md";

    /// <summary>
    /// The options of <paramref name="optionsType"/> a study can set, as <see cref="OptionsBinder"/> finds them (public,
    /// publicly settable, bindable types). Order: the record's own properties in declaration order, then those of its base
    /// records, nearest base first (.NET's reflection order is not documented, so the order is made explicit).
    /// </summary>
    public static IReadOnlyList<PropertyInfo> Settable(Type optionsType) =>
        [.. optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0 && ConfigConvert.IsSupported(p.PropertyType))
            .OrderBy(p => Depth(optionsType, p.DeclaringType!))
            .ThenBy(p => p.MetadataToken)];

    private static int Depth(Type type, Type declaring)
    {
        int depth = 0;
        for (var t = type; t is not null && t != declaring; t = t.BaseType) depth++;
        return depth;
    }

    /// <summary>The generated section (without the marker lines), and the problems that stop it being complete (a property without a summary).</summary>
    public static (string Text, IReadOnlyList<string> Problems) Generate(IReadOnlyDictionary<string, ModelDefinition> models)
    {
        var problems = new List<string>();
        var docs = new DocComments(problems);
        var groups = models.Values
            .GroupBy(d => GroupKey(d.Schema))
            .Select(g => g.OrderBy(d => d.Name, StringComparer.OrdinalIgnoreCase).ToList())
            .OrderBy(g => g[0].Name, StringComparer.OrdinalIgnoreCase)
            .ToList();

        var sb = new StringBuilder();
        sb.Append("<!-- Generated from the model registry and the options records by tests/AdvRec.Tests/Docs/OptionTablesTests.cs; ")
            .Append("do not edit by hand: regenerate with ADVREC_UPDATE_DOCS=1 dotnet test --filter FullyQualifiedName~OptionTables -->\n\n");
        sb.Append("Models: ").AppendJoin(" · ", groups.Select(g => $"[{Heading(g)}](#{Anchor(Heading(g))})")).Append("\n");
        foreach (var group in groups) AppendGroup(sb, group, docs, problems);
        return (sb.ToString(), problems);
    }

    /// <summary>The heading of a group: its models' names.</summary>
    public static string Heading(IReadOnlyList<ModelDefinition> group) => string.Join(", ", group.Select(d => d.Name));

    /// <summary>GitHub's anchor of a heading: lower case, punctuation other than '-' and '_' dropped, spaces as '-'.</summary>
    public static string Anchor(string heading)
    {
        var sb = new StringBuilder();
        foreach (char c in heading.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_') sb.Append(c);
            else if (c == ' ') sb.Append('-');
        }
        return sb.ToString();
    }

    // Models share a table when they have one options type, the same aliases and the same Elliot keys.
    private static string GroupKey(ModelSchema schema)
    {
        var aliases = (schema.Aliases ?? new Dictionary<string, string>())
            .Select(a => a.Key.ToLowerInvariant() + "=" + a.Value).Order(StringComparer.Ordinal);
        var keys = schema.ElliotKeys
            .Select(k => $"{k.Key.ToLowerInvariant()}={k.Value.Kind}:{k.Value.Value}:{k.Value.Property}:{k.Value.Reason}").Order(StringComparer.Ordinal);
        return schema.Defaults.GetType().AssemblyQualifiedName + "\n" + string.Join("\n", aliases) + "\n" + string.Join("\n", keys);
    }

    private static void AppendGroup(StringBuilder sb, List<ModelDefinition> group, DocComments docs, List<string> problems)
    {
        var first = group[0].Schema;
        var type = first.Defaults.GetType();
        var properties = Settable(type);
        var aliases = first.Aliases ?? new Dictionary<string, string>();
        foreach (var (alias, target) in aliases)
        {
            if (!properties.Any(p => p.Name == target))
                problems.Add($"{Heading(group)}: the alias '{alias}' names '{target}', which is not a settable option of {type.Name}");
        }

        sb.Append("\n### ").Append(Heading(group)).Append("\n\n");
        sb.Append("Options record `").Append(type.Name).Append('`');
        var elliotNames = group.Where(d => d.Schema.ElliotNames.Count > 0).ToList();
        if (elliotNames.Count > 0)
        {
            sb.Append("; Elliot's name").Append(elliotNames.Sum(d => d.Schema.ElliotNames.Count) > 1 ? "s " : " ");
            sb.AppendJoin(", ", elliotNames.Select(d => string.Join(", ", d.Schema.ElliotNames.Select(n => $"`{n}`"))
                + (group.Count > 1 ? $" ({d.Name})" : "")));
        }
        sb.Append('.');
        var differing = properties.Where(p => group.Select(d => Yaml(p.GetValue(d.Schema.Defaults))).Distinct(StringComparer.Ordinal).Count() > 1).ToList();
        if (group.Count > 1)
        {
            sb.Append(" The models share the record");
            if (differing.Count > 0)
            {
                sb.Append("; the name fixes ").AppendJoin(" and ", differing.Select(p => $"`{ConfigConvert.SnakeCase(p.Name)}`"))
                    .Append(" (").AppendJoin(", ", group.Select(d => d.Name + ": " + string.Join(", ", differing.Select(p => $"`{Yaml(p.GetValue(d.Schema.Defaults))}`"))))
                    .Append(')');
            }
            sb.Append('.');
        }
        sb.Append('\n');

        if (properties.Count == 0) sb.Append("\nNo options.\n");
        else
        {
            sb.Append("\n| key | type | default | aliases | meaning |\n|---|---|---|---|---|\n");
            foreach (var p in properties)
            {
                string key = ConfigConvert.SnakeCase(p.Name);
                // an alias spelled as the key itself (BPR-MF's bias_regularization) adds nothing
                var aliasCells = aliases.Where(a => a.Value == p.Name && ConfigConvert.Normalize(a.Key) != ConfigConvert.Normalize(p.Name)).Select(a => $"`{a.Key}`").Order(StringComparer.Ordinal)
                    .Concat(first.ElliotKeys.Where(k => k.Value.Kind == ElliotKeyKind.Converted && k.Value.Property == p.Name)
                        .OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"`{k.Key}` ({k.Value.Reason})"));
                string defaults = differing.Contains(p)
                    ? string.Join(", ", group.Select(d => $"`{Yaml(p.GetValue(d.Schema.Defaults))}` ({d.Name})"))
                    : $"`{Yaml(p.GetValue(first.Defaults))}`";
                string meaning = docs.Summary(p, type, properties) ?? "";
                sb.Append("| ").AppendJoin(" | ", new[] { $"`{key}`", TypeOf(p), defaults, string.Join(", ", aliasCells), meaning }.Select(Cell)).Append(" |\n");
            }
        }

        var others = first.ElliotKeys.Where(k => k.Value.Kind != ElliotKeyKind.Converted || !properties.Any(p => p.Name == k.Value.Property))
            .OrderBy(k => k.Key, StringComparer.Ordinal).ToList();
        if (others.Count > 0)
        {
            sb.Append("\nElliot's keys that are not options:\n");
            foreach (var (key, how) in others)
            {
                string text = how.Kind switch
                {
                    ElliotKeyKind.Ignored => $"read and ignored, with a warning: {how.Reason}",
                    ElliotKeyKind.Fixed => $"`{how.Value}` only, another value is an error: {how.Reason}",
                    _ => $"converted: {how.Reason}",
                };
                sb.Append("- `").Append(key).Append("`: ").Append(text).Append('\n');
            }
        }
    }

    // A table cell: one line, with '|' escaped (inside code spans too, as GitHub's tables need).
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>The option's type as a study file writes it.</summary>
    public static string TypeOf(PropertyInfo p)
    {
        var type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
        string text = ConfigConvert.ListElement(type) is { } e ? "list of " + Plural(e)
            : ConfigConvert.MapValue(type) is { } m ? "map of names to " + Plural(m)
            : Scalar(type);
        return ConfigConvert.AcceptsNull(p) ? text + " or `null`" : text;
    }

    private static string Scalar(Type t) =>
        t == typeof(int) || t == typeof(long) ? "integer"
        : t == typeof(ulong) ? "integer ≥ 0"
        : t == typeof(float) || t == typeof(double) ? "number"
        : t == typeof(bool) ? "boolean"
        : t == typeof(string) ? "string"
        : t.IsEnum ? "one of " + Choices(t)
        : t.Name;

    private static string Plural(Type t) =>
        t == typeof(int) || t == typeof(long) ? "integers"
        : t == typeof(ulong) ? "integers ≥ 0"
        : t == typeof(float) || t == typeof(double) ? "numbers"
        : t == typeof(bool) ? "booleans"
        : t == typeof(string) ? "strings"
        : t.IsEnum ? "values among " + Choices(t)
        : t.Name;

    private static string Choices(Type enumType) => string.Join(" | ", Enum.GetNames(enumType).Select(n => $"`{ConfigConvert.SnakeCase(n)}`"));

    /// <summary>A value as YAML writes it (invariant culture; enums in snake_case; null as <c>null</c>).</summary>
    public static string Yaml(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        string s => s.Length == 0 || s.Trim() != s || s.IndexOfAny([':', '#', '[', ']', '{', '}', ',', '"', '\'']) >= 0
            || s is "null" or "~" or "true" or "false" ? "\"" + s.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" : s,
        Enum e => ConfigConvert.SnakeCase(e.ToString()),
        float f => Number(f.ToString("R", CultureInfo.InvariantCulture), float.IsNaN(f), float.IsInfinity(f), f < 0),
        double d => Number(d.ToString("R", CultureInfo.InvariantCulture), double.IsNaN(d), double.IsInfinity(d), d < 0),
        IFormattable x when value.GetType().IsPrimitive => x.ToString(null, CultureInfo.InvariantCulture),
        IDictionary map => "{" + string.Join(", ", map.Keys.Cast<object>().Select(k => Convert.ToString(k, CultureInfo.InvariantCulture)!)
            .Order(StringComparer.Ordinal).Select(k => k + ": " + Yaml(map[k]))) + "}",
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Yaml)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    // 1E-07 → 1e-7; infinities and NaN in YAML's spelling
    private static string Number(string text, bool nan, bool infinity, bool negative)
    {
        if (nan) return ".nan";
        if (infinity) return negative ? "-.inf" : ".inf";
        int e = text.IndexOf('E', StringComparison.Ordinal);
        return e < 0 ? text : text[..e] + "e" + int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The options records' XML doc comments (the <c>.xml</c> beside each assembly), rendered as Markdown.</summary>
    private sealed partial class DocComments(List<string> problems)
    {
        private readonly Dictionary<Assembly, Dictionary<string, XElement>?> _files = [];

        /// <summary>The summary of <paramref name="p"/> as one line of Markdown; null (and a problem) when it has none.</summary>
        public string? Summary(PropertyInfo p, Type optionsType, IReadOnlyList<PropertyInfo> settable)
        {
            for (var declaring = p.DeclaringType; declaring is not null; declaring = declaring.BaseType)
            {
                if (declaring.GetProperty(p.Name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly) is null) continue;
                var members = Members(declaring.Assembly);
                if (members is null) return null;
                if (members.TryGetValue("P:" + CrefName(declaring) + "." + p.Name, out var member)
                    && member.Element("summary") is { } summary && member.Element("inheritdoc") is null)
                    return Render(summary, optionsType, settable);
            }
            problems.Add($"{optionsType.Name}.{p.Name} has no <summary> in its XML doc comment; the table's meaning column comes from it");
            return null;
        }

        private Dictionary<string, XElement>? Members(Assembly assembly)
        {
            if (_files.TryGetValue(assembly, out var members)) return members;
            string path = Path.ChangeExtension(assembly.Location, ".xml");
            if (File.Exists(path))
            {
                members = XDocument.Load(path).Descendants("member")
                    .Where(m => m.Attribute("name") is not null)
                    .GroupBy(m => m.Attribute("name")!.Value, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            }
            else problems.Add($"{path} is missing: build with GenerateDocumentationFile (Directory.Build.props sets it)");
            _files[assembly] = members;
            return members;
        }

        private static string CrefName(Type t) => (t.FullName ?? t.Name).Replace('+', '.');

        private static string Render(XElement summary, Type optionsType, IReadOnlyList<PropertyInfo> settable)
        {
            var sb = new StringBuilder();
            Append(sb, summary, optionsType, settable);
            return Whitespace().Replace(sb.ToString(), " ").Trim();
        }

        private static void Append(StringBuilder sb, XElement element, Type optionsType, IReadOnlyList<PropertyInfo> settable)
        {
            foreach (var node in element.Nodes())
            {
                switch (node)
                {
                    case XText text:
                        sb.Append(text.Value.Replace("<", "&lt;", StringComparison.Ordinal));
                        break;
                    case XElement e when e.Name.LocalName is "c" or "code":
                        sb.Append('`').Append(Whitespace().Replace(e.Value, " ").Trim()).Append('`');
                        break;
                    case XElement e when e.Name.LocalName is "see" or "seealso":
                        if (e.Attribute("cref")?.Value is { } cref) sb.Append(Cref(cref, optionsType, settable));
                        else if (e.Attribute("langword")?.Value is { } word) sb.Append('`').Append(word).Append('`');
                        else if (e.Attribute("href")?.Value is { } href) sb.Append('[').Append(e.Value.Length > 0 ? e.Value : href).Append("](").Append(href).Append(')');
                        else Append(sb, e, optionsType, settable);
                        break;
                    case XElement e when e.Name.LocalName is "paramref" or "typeparamref":
                        sb.Append('`').Append(e.Attribute("name")?.Value).Append('`');
                        break;
                    case XElement e when e.Name.LocalName is "para" or "br":
                        sb.Append(' ');
                        Append(sb, e, optionsType, settable);
                        sb.Append(' ');
                        break;
                    case XElement e:
                        Append(sb, e, optionsType, settable);
                        break;
                }
            }
        }

        // P:Ns.AmfOptions.Epsilon → `epsilon` (an option of this record); any other member → `Type.Member`; a type → `Type`
        private static string Cref(string cref, Type optionsType, IReadOnlyList<PropertyInfo> settable)
        {
            string kind = cref.Length > 2 && cref[1] == ':' ? cref[..1] : "";
            string name = kind.Length > 0 ? cref[2..] : cref;
            int paren = name.IndexOf('(', StringComparison.Ordinal);
            if (paren >= 0) name = name[..paren];
            name = Arity().Replace(name, "");
            int dot = name.LastIndexOf('.');
            if (kind == "T" || dot < 0) return $"`{name[(dot + 1)..]}`";
            string typeName = name[..dot], member = name[(dot + 1)..];
            bool ownType = false;
            for (var t = optionsType; t is not null; t = t.BaseType) ownType |= CrefName(t) == typeName;
            if (kind == "P" && ownType && settable.Any(p => p.Name == member)) return $"`{ConfigConvert.SnakeCase(member)}`";
            return $"`{typeName[(typeName.LastIndexOf('.') + 1)..]}.{member}`";
        }

        [GeneratedRegex(@"\s+")]
        private static partial Regex Whitespace();

        [GeneratedRegex(@"``?\d+")]
        private static partial Regex Arity();
    }
}
