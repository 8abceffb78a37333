using AdvRec.Tests.Neural;
using TorchSharp;

namespace AdvRec.Tests.Cli;

[Collection(TorchCollection.Name)]
public class RunDeviceTests
{
    [RealDataFact("movielens-500/trainingset.tsv")]
    public void CudaAskedForWhereThereIsNoneStopsBeforeAnyOutput()
    {
        if (torch.cuda.is_available()) return; // the refusal is what this checks; with a GPU the study would simply run
        using var dir = new TempDirectory();
        string example = Path.Combine(Experiments.StudyRunnerTests.ExamplesFolder(), "lightgcn-movielens500.yml");
        var (code, _, errors) = CliRunner.Run("run", example, "--device", "cuda", "--output", dir.FullPath);
        Assert.Equal(2, code);
        Assert.Contains("no CUDA device", errors);
        Assert.Empty(Directory.GetFileSystemEntries(dir.FullPath));
    }

    [Fact]
    public void AnUnknownDeviceIsAParseError()
    {
        // System.CommandLine reports parse errors itself (exit code 1), before the command runs
        using var dir = new TempDirectory();
        string example = Path.Combine(Experiments.StudyRunnerTests.ExamplesFolder(), "lightgcn-movielens500.yml");
        var (code, _, _) = CliRunner.Run("run", example, "--device", "gpu", "--output", dir.FullPath);
        Assert.Equal(1, code);
        Assert.Empty(Directory.GetFileSystemEntries(dir.FullPath));
    }
}
