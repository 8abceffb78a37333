using AdvRec.Data.Features;
using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Models;
using AdvRec.Tests.Experiments.Config;

namespace AdvRec.Tests.Multimedia;

public class FeatureStudyTests
{
    [Fact]
    public void VbprWithoutFeaturesStopsBeforeTrainingWithTheModelsLine()
    {
        using var dir = new TempDirectory();
        var study = ConfigTestSupport.Load(dir, ConfigTestSupport.Minimal(dir, "    VBPR:\n      hyperparameters:\n        factors: 8\n"), schemas: ModelRegistry.Schemas);
        var e = Assert.Throws<ConfigException>(() => StudyRunner.Run(study, new StudyRunOptions(dir.File("out"))));
        Assert.Contains("needs item features", e.Message);
        Assert.Contains("study.yml:", e.Message);
    }

    [Fact]
    public void ItemFeatureBlockIsParsedAndFeaturesAreAttachedByIdWithTheDropRule()
    {
        using var dir = new TempDirectory();
        // i3 has no feature vector: its interactions are dropped before the split; x9 is an unknown feature row
        dir.Write("features.csv", "i2,0,1\ni1,1,0\nx9,5,5\n");
        dir.Write("train.tsv", "u1\ti1\nu2\ti2\nu1\ti3\nu2\ti3\n");
        dir.Write("test.tsv", "u1\ti2\nu2\ti3\n");
        string yaml = "experiment:\n  dataset: tiny\n  data_config:\n    strategy: fixed\n    train_path: train.tsv\n    test_path: test.tsv\n" +
            "    item_features:\n      path: features.csv\n      format: csv\n      normalization: row_l2\n" +
            "  top_k: 1\n  models:\n    VBPR:\n      meta:\n        epochs: 1\n      hyperparameters:\n        factors: 8\n        factors_d: 2\n";
        var study = ConfigTestSupport.Load(dir, yaml, schemas: ModelRegistry.Schemas);
        Assert.Equal(ItemFeatureFormat.Csv, study.Data.ItemFeatures!.Format);
        Assert.Equal(FeatureNormalization.RowL2, study.Data.ItemFeatures.Normalization);
        var data = StudyRunner.LoadData(study);
        var features = data.ItemFeatures!;
        Assert.Equal(["i1", "i2"], data.Items.Ids);
        Assert.Equal([1f, 0f], features.Row(0).ToArray());
        Assert.Equal([0f, 1f], features.Row(1).ToArray());
        Assert.Equal(3, features.InteractionsDropped);
        Assert.Equal(1, features.ItemsDropped);
        Assert.Equal(1, features.UnknownFeatureRows);
        var result = StudyRunner.Run(study, new StudyRunOptions(dir.FullPath));
        Assert.Contains("dropped before splitting: 3 interactions of 1 items", File.ReadAllText(Path.Combine(result.OutputFolder, "run.log")));
    }

    [Fact]
    public void BadFeatureKeysAreReportedWithPositions()
    {
        using var dir = new TempDirectory();
        string yaml = ConfigTestSupport.Minimal(dir).Replace("    test_path: test.tsv\n",
            "    test_path: test.tsv\n    item_features:\n      path: missing.npy\n      format: npy_matrx\n      normalisation: none\n", StringComparison.Ordinal);
        var e = ConfigTestSupport.LoadFails(dir, yaml, schemas: ModelRegistry.Schemas);
        Assert.Contains("did you mean 'npy_matrix'", e.Message);
        Assert.Contains("did you mean 'normalization'", e.Message);
    }
}
