using AdvRec.Experiments.Config;
using AdvRec.Models.Factorization;
using static AdvRec.Tests.Experiments.Config.ConfigTestSupport;

namespace AdvRec.Tests.Experiments.Config;

public sealed class ConfigOverridesTests
{
    private static string Study(TempDirectory dir) => Minimal(dir,
        models: "    BPR-MF:\n      hyperparameters:\n        factors: 8\n        lr: 0.5\n      grid:\n        l_w: [0, 0.1]\n",
        extra: "  random_seed: 1\n  top_k: 100\n  evaluation:\n    cutoffs: [10]\n");

    [Fact]
    public void OverridesWinOverTheFile()
    {
        using var dir = new TempDirectory();
        var study = Load(dir, Study(dir),
            ["experiment.random_seed=7", "experiment.evaluation.cutoffs=[10,50]", "experiment.models.BPR-MF.hyperparameters.lr=0.01", "experiment.random_seed=9"],
            Schemas);
        Assert.Equal(9UL, study.RandomSeed); // the last override wins
        Assert.Equal([10, 50], study.Evaluation.Cutoffs);
        var model = study.Models[0];
        Assert.Equal("0.01", model.Hyperparameters["lr"].Text);
        Assert.All(model.Variants, v => Assert.Equal(0.01f, ((BprMfOptions)v.Options).LearningRate));
        Assert.Equal(2, model.Variants.Count);
    }

    [Fact]
    public void OverrideAddsMissingKeysAndReplacesGrid()
    {
        using var dir = new TempDirectory();
        var study = Load(dir, Study(dir),
            ["experiment.evaluation.relevance_threshold=3", "experiment.models.BPR-MF.hyperparameters.l_w=0.2", "experiment.models.BPR-MF.meta.epochs=3"],
            Schemas);
        Assert.Equal(3f, study.Evaluation.RelevanceThreshold);
        var model = study.Models[0];
        Assert.Empty(model.Grid); // the fixed value replaced the grid key
        Assert.Equal(0.2f, ((BprMfOptions)Assert.Single(model.Variants).Options).Regularization);
        Assert.Equal(3, model.Meta.Epochs);
    }

    [Fact]
    public void OverrideCanSetAGrid()
    {
        using var dir = new TempDirectory();
        var study = Load(dir, Study(dir), ["experiment.models.BPR-MF.grid.lr=[0.1, 0.2, 0.3]"], Schemas);
        var model = study.Models[0];
        Assert.False(model.Hyperparameters.ContainsKey("lr"));
        Assert.Equal(6, model.Variants.Count);
        Assert.Equal("l_w=0, lr=0.1", model.Variants[0].Description);
    }

    [Fact]
    public void BadOverridePathNamesOverrideAndNearestKey()
    {
        using var dir = new TempDirectory();
        var ex = LoadFails(dir, Study(dir), ["experiment.evaluaton.cutoffs=[10]", "experiment.random_sed=3", "experiment.models.BPRMF.hyperparameters.lr=1", "nokey"]);
        Assert.Equal(4, ex.Errors.Count);
        Assert.Contains("--set experiment.evaluaton.cutoffs=[10]:1:12: unknown key 'evaluaton' in experiment; did you mean 'evaluation'?", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--set experiment.random_sed=3:1:12: unknown key 'random_sed' in experiment; did you mean 'random_seed'?", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--set experiment.models.BPRMF.hyperparameters.lr=1:1:19: no model 'BPRMF' in the config; did you mean 'BPR-MF'?", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--set nokey:1:1: an override must read key=value", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadOverrideValueIsReportedAtTheOverride()
    {
        using var dir = new TempDirectory();
        var ex = LoadFails(dir, Study(dir), ["experiment.random_seed=ten", "experiment.top_k.x=1"]);
        Assert.Contains("--set experiment.random_seed=ten:1:24: random_seed: expected a non-negative integer, got 'ten'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'experiment.top_k' is '100', not a mapping", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownHyperparameterFromOverrideIsReported()
    {
        using var dir = new TempDirectory();
        var ex = LoadFails(dir, Study(dir), ["experiment.models.BPR-MF.hyperparameters.factor=16"], Schemas);
        Assert.Contains("--set experiment.models.BPR-MF.hyperparameters.factor=16:1:42: unknown hyperparameter 'factor' for BPR-MF; did you mean 'factors'?", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelNamesWithDotsAreMatchedWhole()
    {
        using var dir = new TempDirectory();
        string yaml = Minimal(dir, models: "    external.MyModel:\n      hyperparameters:\n        k: 1\n");
        var study = Load(dir, yaml, ["experiment.models.external.MyModel.hyperparameters.k=2"]);
        Assert.Equal("2", study.Models[0].Hyperparameters["k"].Text);
    }
}
