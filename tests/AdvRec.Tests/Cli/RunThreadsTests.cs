using AdvRec.Tests.Experiments;
using AdvRec.Tests.Neural;
using TorchSharp;

namespace AdvRec.Tests.Cli;

/// <summary><c>advrec run --threads</c> on a tiny study with a managed and a neural model.</summary>
[Collection(TorchCollection.Name)]
public class RunThreadsTests
{
    private static string Study(TempDirectory dir) => dir.Write("study.yml", TinyVisualStudy.Yaml(
        "    BPR-MF:\n      meta:\n        epochs: 1\n      hyperparameters:\n        factors: 4\n" +
        "    MultDAE:\n      meta:\n        epochs: 1\n      hyperparameters:\n        hidden: 8\n        latent: 4\n",
        "  threads: 3\n"));

    [Fact]
    public void ThreadsOverridesTheStudyForManagedModelsAndLibTorchAndLibTorchIsSetBackAfter()
    {
        using var dir = new TempDirectory();
        int before = torch.get_num_threads();
        int threads = before + 1;
        var (code, output, errors) = CliRunner.Run("run", Study(dir), "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--device", "cpu", "--output", dir.File("out"));
        Assert.True(code == 0, errors + output);
        Assert.Equal(before, torch.get_num_threads());
        string log = File.ReadAllText(Assert.Single(Directory.GetFiles(dir.File("out"), "run.log", SearchOption.AllDirectories)));
        Assert.Contains($"threads: {threads} (--threads, over experiment.threads: 3): managed models (BPR-MF), evaluation and libtorch (was {before})", log);
        Assert.Contains($"threads: {threads} (--threads", output); // the log line is shown on the console too
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("two")]
    [InlineData("1.5")]
    public void ABadThreadsValueIsAParseErrorBeforeAnyOutput(string value)
    {
        using var dir = new TempDirectory();
        // System.CommandLine reports parse errors itself (exit code 1, on the process's stderr), before the command runs
        var (code, _, _) = CliRunner.Run("run", Study(dir), "--threads", value, "--output", dir.File("out"));
        Assert.Equal(1, code);
        Assert.False(Directory.Exists(dir.File("out")));
    }
}
