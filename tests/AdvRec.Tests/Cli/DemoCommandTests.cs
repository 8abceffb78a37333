using System.Text.Json;

namespace AdvRec.Tests.Cli;

public class DemoCommandTests
{
    [Fact]
    public void DemoOnTheBuiltInDefaultPrintsTheTableAndWritesTheJsonContract()
    {
        using var dir = new TempDirectory();
        string json = dir.File("demo.json");
        var (code, output, errors) = CliRunner.Run("demo", "--epochs", "3", "--cutoff", "50", "--json", json);
        Assert.True(code == 0, errors);
        Assert.Contains("SYNTHETIC", output);
        Assert.Contains("HR@50", output);
        Assert.Contains("BPR-MF epoch 3: done", output); // progress, one line per finished task off a terminal

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        Assert.StartsWith("synthetic", root.GetProperty("dataset").GetString());
        var rows = root.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(
            ["BPR-MF/none", "BPR-MF/FGSM", "BPR-MF/random", "APR/none", "APR/FGSM", "APR/random"],
            rows.Select(r => $"{r.GetProperty("model").GetString()}/{r.GetProperty("attack").GetString()}"));
        foreach (var row in rows)
        {
            Assert.InRange(row.GetProperty("HR@50").GetDouble(), 0, 1);
            Assert.InRange(row.GetProperty("nDCG@50").GetDouble(), 0, 1);
            Assert.InRange(row.GetProperty("AUC").GetDouble(), 0, 1);
            Assert.Equal(row.GetProperty("attack").GetString() == "none" ? 0 : 0.5, row.GetProperty("eps").GetDouble(), 1e-6);
        }
    }

    [Fact]
    public void TrainWithoutTestIsRefused()
    {
        var (code, _, errors) = CliRunner.Run("demo", "--train", "x.tsv");
        Assert.Equal(2, code);
        Assert.Contains("--test", errors);
    }

    [Fact]
    public void NegativeEpsIsRefusedBeforeAnyWork()
    {
        using var dir = new TempDirectory();
        string json = dir.File("out.json");
        var (code, _, errors) = CliRunner.Run("demo", "--eps", "-0.5", "--json", json);
        Assert.Equal(2, code);
        Assert.Contains("eps", errors);
        Assert.Contains("-0.5", errors);
        Assert.False(File.Exists(json));
    }

    [Fact]
    public void ACutoffLargerThanTheCatalogueIsRefused()
    {
        using var dir = new TempDirectory();
        string train = dir.Write("train.tsv", "u1\ti1\nu1\ti2\nu2\ti2\nu2\ti3\n");
        string test = dir.Write("test.tsv", "u1\ti3\nu2\ti1\n");
        var (code, _, errors) = CliRunner.Run("demo", "--train", train, "--test", test, "--cutoff", "10");
        Assert.Equal(2, code);
        Assert.Contains("cutoff 10", errors);
        Assert.Contains("3 items", errors);
    }

    [Fact]
    public void MalformedInputNamesTheFileAndLineAndLeavesNoOutput()
    {
        using var dir = new TempDirectory();
        string train = dir.Write("train.tsv", "u1\ti1\t5\nu1\ti2\tfive\n");
        string test = dir.Write("test.tsv", "u1\ti3\t4\n");
        string json = dir.File("out.json");
        var (code, _, errors) = CliRunner.Run("demo", "--train", train, "--test", test, "--json", json);
        Assert.Equal(2, code);
        Assert.Contains("train.tsv:2", errors);
        Assert.Contains("rating", errors);
        Assert.False(File.Exists(json));
        Assert.Equal(2, Directory.GetFiles(dir.FullPath).Length);
    }

    [Fact]
    public void MissingFilesAndTestFilesWithoutOverlapAreRefused()
    {
        using var dir = new TempDirectory();
        string train = dir.Write("train.tsv", "u1\ti1\nu2\ti2\n");
        string test = dir.Write("test.tsv", "u9\ti9\n");
        var (code, _, errors) = CliRunner.Run("demo", "--train", train, "--test", test);
        Assert.Equal(2, code);
        Assert.Contains("test.tsv", errors);

        (code, _, errors) = CliRunner.Run("demo", "--train", dir.File("nope.tsv"), "--test", test);
        Assert.Equal(2, code);
        Assert.Contains("nope.tsv", errors);
    }

    [Fact]
    public void UnknownOptionsAreAParseError()
    {
        var (code, _, _) = CliRunner.Run("demo", "--no-such-option");
        Assert.NotEqual(0, code);
    }
}
