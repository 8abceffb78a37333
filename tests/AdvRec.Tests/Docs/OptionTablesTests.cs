using System.Text;
using System.Text.RegularExpressions;
using AdvRec.Experiments.Config;
using AdvRec.Models;
using AdvRec.Neural;

namespace AdvRec.Tests.Docs;

/// <summary>
/// docs/options.md's tables of every model's options are generated from the registry, the options records and their XML
/// doc comments (<see cref="OptionTables"/>), and this checks that the file holds what would be generated. With
/// <c>ADVREC_UPDATE_DOCS=1</c> in the environment it rewrites the section instead (and passes).
/// </summary>
public partial class OptionTablesTests
{
    private const string UpdateVariable = "ADVREC_UPDATE_DOCS";
    private const string Regenerate = "ADVREC_UPDATE_DOCS=1 dotnet test --filter FullyQualifiedName~OptionTables";

    [Fact]
    public void TheDocsHoldTheGeneratedOptionTables()
    {
        var (generated, problems) = OptionTables.Generate(NeuralRegistry.All);
        Assert.True(problems.Count == 0, "the option tables cannot be generated:\n" + string.Join("\n", problems));

        string path = Path.Combine(RepositoryRoot(), OptionTables.DocsFile);
        Assert.True(File.Exists(path), $"{path} is missing");
        string file = File.ReadAllText(path).ReplaceLineEndings("\n");
        int begin = file.IndexOf(OptionTables.Begin + "\n", StringComparison.Ordinal);
        int end = file.IndexOf(OptionTables.End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"{OptionTables.DocsFile} needs the lines {OptionTables.Begin} and {OptionTables.End} around the generated tables");
        int start = begin + OptionTables.Begin.Length + 1;
        string current = file[start..end];
        if (current == generated) return;

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, file[..start] + generated + file[end..], new UTF8Encoding(false));
            return;
        }
        var differences = Differences(generated, current);
        Assert.Fail($"{OptionTables.DocsFile}'s option tables are not what the registry and the options records give ({differences.Count} difference(s)):\n"
            + string.Join("\n", differences.Take(20)) + (differences.Count > 20 ? $"\n... and {differences.Count - 20} more" : "")
            + $"\nTo regenerate the section, run from the repository root: {Regenerate}\nthen review and commit {OptionTables.DocsFile}.");
    }

    [Fact]
    public void TheTablesListTheKeysTheBinderAccepts()
    {
        foreach (var definition in NeuralRegistry.All.Values)
        {
            var type = definition.Schema.Defaults.GetType();
            var listed = OptionTables.Settable(type).Select(p => ConfigConvert.SnakeCase(p.Name)).Order(StringComparer.Ordinal);
            Assert.Equal(OptionsBinder.Keys(type).Order(StringComparer.Ordinal), listed);
        }
    }

    [Fact]
    public void ConfigMdsModelTableNamesEveryModelAndLinksToItsOptions()
    {
        var groups = NeuralRegistry.All.Values.GroupBy(d => d.Schema.Defaults.GetType()).ToList();
        string root = RepositoryRoot();
        string config = File.ReadAllText(Path.Combine(root, "docs/config.md")).ReplaceLineEndings("\n");
        int models = config.IndexOf("\n## Models\n", StringComparison.Ordinal);
        Assert.True(models >= 0, "docs/config.md has no '## Models' section");
        int next = config.IndexOf("\n## ", models + 1, StringComparison.Ordinal);
        string section = config[models..(next < 0 ? config.Length : next)];
        var rows = section.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToList();

        var (generated, _) = OptionTables.Generate(NeuralRegistry.All);
        var anchors = generated.Split('\n').Where(l => l.StartsWith("### ", StringComparison.Ordinal))
            .Select(l => OptionTables.Anchor(l[4..])).ToHashSet(StringComparer.Ordinal);
        foreach (string link in Links().Matches(section).Select(m => m.Groups[1].Value))
            Assert.True(anchors.Contains(link), $"docs/config.md's models table links to options.md#{link}, which options.md does not have (it has {string.Join(", ", anchors.Order(StringComparer.Ordinal))})");
        foreach (var definition in NeuralRegistry.All.Values)
        {
            var row = rows.FirstOrDefault(r => r.Split('|')[1].Contains($"`{definition.Name}`", StringComparison.Ordinal));
            Assert.True(row is not null, $"docs/config.md's models table has no row for {definition.Name}");
            Assert.True(Links().IsMatch(row!), $"docs/config.md's row for {definition.Name} does not link to its options in options.md");
        }
    }

    [Fact]
    public void DefaultsAreWrittenAsYaml()
    {
        Assert.Equal("1e-7", OptionTables.Yaml(1e-7f));
        Assert.Equal("0.001", OptionTables.Yaml(0.001f));
        Assert.Equal("0.1", OptionTables.Yaml(0.1));
        Assert.Equal("200", OptionTables.Yaml(200));
        Assert.Equal("null", OptionTables.Yaml(null));
        Assert.Equal("[512, 512, 1024]", OptionTables.Yaml(new[] { 512, 512, 1024 }));
        Assert.Equal("{hidden: 1, input: 0.5}", OptionTables.Yaml(new Dictionary<string, float> { ["input"] = 0.5f, ["hidden"] = 1 }));
        Assert.Equal("\"\"", OptionTables.Yaml(""));
        Assert.Equal(".inf", OptionTables.Yaml(double.PositiveInfinity));
    }

    [Fact]
    public void AMismatchNamesTheModelAndTheRow()
    {
        string expected = "Models: x\n\n### A\n\n| key | type |\n|---|---|\n| `a` | integer |\n| `b` | number |\n\n### B\n\nNo options.\n";
        string actual = "Models: x\n\n### A\n\n| key | type |\n|---|---|\n| `a` | number |\n| `c` | number |\n";
        var differences = Differences(expected, actual);
        Assert.Contains(differences, d => d.StartsWith("A: row `a` differs", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.StartsWith("A: row `b` is missing", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.StartsWith("A: row `c` is no longer", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.StartsWith("B: the section is missing", StringComparison.Ordinal));
    }

    /// <summary>What differs between the generated section and the file's, by model (heading) and row (key).</summary>
    internal static List<string> Differences(string expected, string actual)
    {
        var want = Sections(expected);
        var have = Sections(actual);
        var result = new List<string>();
        foreach (var (heading, lines) in want)
        {
            if (!have.TryGetValue(heading, out var other))
            {
                result.Add($"{heading}: the section is missing");
                continue;
            }
            var wantRows = Rows(lines);
            var haveRows = Rows(other);
            foreach (var (key, row) in wantRows)
            {
                if (!haveRows.TryGetValue(key, out var old)) result.Add($"{heading}: row {key} is missing\n  expected: {row}");
                else if (old != row) result.Add($"{heading}: row {key} differs\n  expected: {row}\n  in docs:  {old}");
            }
            foreach (var (key, row) in haveRows.Where(r => !wantRows.ContainsKey(r.Key)))
                result.Add($"{heading}: row {key} is no longer generated\n  in docs:  {row}");
            if (wantRows.Keys.Intersect(haveRows.Keys).SequenceEqual(haveRows.Keys.Intersect(wantRows.Keys)) is false)
                result.Add($"{heading}: the rows are in another order");
            var wantText = lines.Where(l => !IsRow(l)).ToList();
            var haveText = other.Where(l => !IsRow(l)).ToList();
            if (!wantText.SequenceEqual(haveText))
            {
                int i = 0;
                while (i < wantText.Count && i < haveText.Count && wantText[i] == haveText[i]) i++;
                result.Add($"{heading}: the text differs\n  expected: {(i < wantText.Count ? wantText[i] : "(nothing)")}\n  in docs:  {(i < haveText.Count ? haveText[i] : "(nothing)")}");
            }
        }
        foreach (var heading in have.Keys.Where(h => !want.ContainsKey(h)))
            result.Add($"{heading}: the section is no longer generated");
        if (result.Count == 0 && !want.Keys.SequenceEqual(have.Keys)) result.Add("the models' sections are in another order");
        if (result.Count == 0) result.Add("the sections differ in blank lines or spacing");
        return result;
    }

    private static bool IsRow(string line) => line.StartsWith("| `", StringComparison.Ordinal);

    private static Dictionary<string, string> Rows(List<string> lines) =>
        lines.Where(IsRow).GroupBy(l => l.Split(" | ")[0][2..]).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    // the lines of each "### " section, by heading; the lines before the first under "(the lines before the first model)"
    private static Dictionary<string, List<string>> Sections(string text)
    {
        var sections = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var current = sections["(the lines before the first model)"] = [];
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith("### ", StringComparison.Ordinal))
            {
                string heading = line[4..];
                if (!sections.TryGetValue(heading, out current)) current = sections[heading] = [];
            }
            else if (line.Length > 0) current.Add(line);
        }
        return sections;
    }

    /// <summary>The folder holding AdvRec.sln (or .slnx) or .git, found by walking up from the test's base directory.</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AdvRec.sln")) || File.Exists(Path.Combine(dir.FullName, "AdvRec.slnx"))
                || Directory.Exists(Path.Combine(dir.FullName, ".git")) || File.Exists(Path.Combine(dir.FullName, ".git")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no repository root (AdvRec.sln, AdvRec.slnx or .git) above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"options\.md#([A-Za-z0-9_-]+)")]
    private static partial Regex Links();
}
