using System.Globalization;
using System.Text.Json;
using AdvRec.Experiments.Reporting;

namespace AdvRec.Tests.Reporting;

public class ResultTableTests
{
    private static ResultTable Sample() =>
        new ResultTable("model", "epsilon", "HR@10", "note")
            .AddRow("BPR-MF", 0.5, 0.1 + 0.2, "plain")
            .AddRow("APR", 1, 1e-300, null)
            .AddRow("odd\tname", double.NaN, double.PositiveInfinity, "line\nbreak");

    [Fact]
    public void Tsv_round_trips_numbers_exactly()
    {
        using var dir = new TempDirectory();
        string path = dir.File("results.tsv");
        Sample().WriteTsv(path);
        string[] lines = File.ReadAllText(path).Split('\n');
        Assert.Equal(5, lines.Length); // header, 3 rows, "" after the final "\n"
        Assert.Equal("", lines[4]);
        Assert.Equal(["model", "epsilon", "HR@10", "note"], lines[0].Split('\t'));
        string[] first = lines[1].Split('\t');
        Assert.Equal("BPR-MF", first[0]);
        Assert.Equal(0.1 + 0.2, double.Parse(first[2], CultureInfo.InvariantCulture));
        string[] second = lines[2].Split('\t');
        Assert.Equal(1e-300, double.Parse(second[2], CultureInfo.InvariantCulture));
        Assert.Equal("", second[3]);
        Assert.Equal(["odd name", "NaN", "Infinity", "line break"], lines[3].Split('\t'));
        Assert.True(double.IsNaN(double.Parse("NaN", CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Json_is_an_array_of_objects_with_numbers_as_numbers()
    {
        using var dir = new TempDirectory();
        string path = dir.File("results.json");
        Sample().WriteJson(path);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var rows = doc.RootElement.EnumerateArray().ToArray();
        Assert.Equal(3, rows.Length);
        Assert.Equal("BPR-MF", rows[0].GetProperty("model").GetString());
        Assert.Equal(JsonValueKind.Number, rows[0].GetProperty("epsilon").ValueKind);
        Assert.Equal(0.1 + 0.2, rows[0].GetProperty("HR@10").GetDouble());
        Assert.Equal(1e-300, rows[1].GetProperty("HR@10").GetDouble());
        Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("note").ValueKind);
        Assert.Equal(JsonValueKind.Null, rows[2].GetProperty("epsilon").ValueKind); // NaN
        Assert.Equal(JsonValueKind.Null, rows[2].GetProperty("HR@10").ValueKind); // +∞
        Assert.Equal("odd\tname", rows[2].GetProperty("model").GetString());
        Assert.Equal(["model", "epsilon", "HR@10", "note"], rows[0].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Rejects_bad_columns_and_rows()
    {
        Assert.Throws<ArgumentException>(() => new ResultTable());
        Assert.Throws<ArgumentException>(() => new ResultTable("a", "a"));
        Assert.Throws<ArgumentException>(() => new ResultTable("a\tb"));
        var t = new ResultTable("a", "b");
        Assert.Throws<ArgumentException>(() => t.AddRow(1.0));
        Assert.Empty(t.Rows);
    }

    [Fact]
    public void Overwrites_atomically_and_formats_rows()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.tsv");
        File.WriteAllText(path, "old");
        var t = new ResultTable("x").AddRow(0.123456);
        t.WriteTsv(path);
        Assert.Equal("x\n0.123456\n", File.ReadAllText(path));
        Assert.Equal("0.12", t.FormatRows("0.00")[0][0]);
        Assert.Single(Directory.GetFiles(dir.FullPath));
    }
}
