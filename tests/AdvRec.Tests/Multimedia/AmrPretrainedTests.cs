using AdvRec.Data;
using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Models;
using AdvRec.Models.Factorization;
using AdvRec.Tests.Experiments.Config;

namespace AdvRec.Tests.Multimedia;

/// <summary>AMR's <c>pretrained</c>: a study's AMR starts from a VBPR file saved by another study.</summary>
public class AmrPretrainedTests
{
    /// <summary>A study on the small synthetic visual dataset; the model block starts on line 14.</summary>
    private static string Study(string models, int users = 40, int featureDimension = 6) =>
        "experiment:\n" +
        "  dataset: syn\n" +
        "  data_config:\n" +
        "    strategy: synthetic_visual\n" +
        "    synthetic:\n" +
        $"      users: {users}\n" +
        "      items: 30\n" +
        $"      feature_dimension: {featureDimension}\n" +
        "      latent_dimension: 3\n" +
        "      min_interactions: 4\n" +
        "      max_interactions: 8\n" +
        "  top_k: 5\n" +
        "  models:\n" +
        models;

    private static string Amr(string pretrained, int factors = 4, int factorsD = 2) =>
        "    AMR:\n" +                                        // 14
        "      meta:\n" +                                     // 15
        "        epochs: 1\n" +                               // 16
        "      hyperparameters:\n" +                          // 17
        $"        factors: {factors}\n" +                     // 18
        $"        factors_d: {factorsD}\n" +                  // 19
        "        lr: 0.01\n" +                                // 20
        $"        pretrained: {pretrained}\n";                // 21

    /// <summary>Trains VBPR (factors 4, factors_d 2) for one epoch in a study with save_weights; returns the weights file.</summary>
    private static string SavedVbpr(TempDirectory dir)
    {
        Directory.CreateDirectory(dir.File("first"));
        string yaml = Study("    VBPR:\n      meta:\n        epochs: 1\n        save_weights: true\n      hyperparameters:\n        factors: 4\n        factors_d: 2\n");
        var study = StudyConfigLoader.Load(dir.Write(Path.Combine("first", "vbpr.yml"), yaml), models: ModelRegistry.Schemas);
        var result = StudyRunner.Run(study, new StudyRunOptions(dir.File("runs")));
        string weights = Path.Combine(result.OutputFolder, "weights", "VBPR.bin");
        Assert.True(File.Exists(weights));
        return weights;
    }

    private static string Relative(TempDirectory dir, string path) => Path.GetRelativePath(dir.FullPath, path).Replace('\\', '/');

    [Fact]
    public void AmrWithPretrainedStartsFromTheSavedVbprAndTrainsOnlyAdversarialEpochs()
    {
        using var dir = new TempDirectory();
        string weights = SavedVbpr(dir);
        // relative to the config file (dir), as data paths are
        var study = ConfigTestSupport.Load(dir, Study(Amr(Relative(dir, weights))), schemas: ModelRegistry.Schemas);
        var options = (AmrOptions)Assert.Single(Assert.Single(study.Models).Variants).Options;
        Assert.Equal(Path.GetFullPath(weights), options.Pretrained);

        var data = StudyRunner.LoadData(study);
        var amr = (Amr)ModelRegistry.Models["AMR"].Create(options, new ModelContext(1, data.Train, data));
        var saved = Vbpr.Load(weights, data.ItemFeatures!, data.Train);
        Assert.Equal(saved.UserFactors.ToArray(), amr.Visual.UserFactors.ToArray());
        Assert.Equal(saved.ItemFactors.ToArray(), amr.Visual.ItemFactors.ToArray());
        Assert.Equal(saved.UserVisualFactors.ToArray(), amr.Visual.UserVisualFactors.ToArray());
        Assert.Equal(saved.ProjectionTransposed.ToArray(), amr.Visual.ProjectionTransposed.ToArray());
        Assert.Equal(saved.VisualBias.ToArray(), amr.Visual.VisualBias.ToArray());
        Assert.Equal(saved.ItemBiases.ToArray(), amr.Visual.ItemBiases.ToArray());
        Assert.Equal(0, amr.EpochsTrained);
        // from scratch the same options give other parameters: the equality above comes from the file
        var scratch = new Amr(options with { Pretrained = null, Epochs = 1 }, data.Train, data.ItemFeatures!);
        Assert.NotEqual(saved.UserFactors.ToArray(), scratch.Visual.UserFactors.ToArray());

        // every epoch is adversarial, and the first one is the library's AMR(options, pre-trained VBPR) epoch
        Assert.True(amr.NextEpochIsAdversarial);
        var library = new Amr(options with { Pretrained = null, Epochs = 1, AdversarialEpochs = 1 }, saved);
        var a = amr.TrainEpoch();
        var b = library.TrainEpoch();
        Assert.True(a.AdversarialLoss > 0);
        Assert.Equal(b.Loss, a.Loss, 9);
        Assert.Equal(b.AdversarialLoss, a.AdversarialLoss, 9);

        var result = StudyRunner.Run(study, new StudyRunOptions(dir.File("amr-runs")));
        var history = Assert.Single(result.Best).History;
        Assert.True(Assert.Single(history.Epochs).Adversarial);
        Assert.Equal(a.Loss, history.Epochs[0].Stats.Loss, 9);
        Assert.Contains($"AMR starts from the pre-trained VBPR {Path.GetFullPath(weights)}; 1 of 1 epochs adversarial", File.ReadAllText(Path.Combine(result.OutputFolder, "run.log")));
    }

    [Fact]
    public void APretrainedFileThatDoesNotFitStopsTheStudyBeforeTrainingNamingTheFileAndEveryDifference()
    {
        using var dir = new TempDirectory();
        string weights = SavedVbpr(dir);
        string rel = Relative(dir, weights);

        // other factors and factors_d: an error at the line of 'pretrained', nothing trained or written
        var study = ConfigTestSupport.Load(dir, Study(Amr(rel, factors: 8, factorsD: 3)), schemas: ModelRegistry.Schemas);
        var e = Assert.Throws<ConfigException>(() => StudyRunner.Run(study, new StudyRunOptions(dir.File("out"))));
        Assert.False(Directory.Exists(dir.File("out")));
        var error = Assert.Single(e.Errors);
        Assert.Equal((21, 21), (error.Position.Line, error.Position.Column));
        Assert.Contains($"model AMR: pretrained: {weights}: the pre-trained VBPR does not fit this AMR: factors 4 in the file, 8 in AMR's options; factors_d 2 in the file, 3 in AMR's options", error.Message);

        // other data: users and feature dimension differ
        study = ConfigTestSupport.Load(dir, Study(Amr(rel), users: 45, featureDimension: 7), schemas: ModelRegistry.Schemas);
        var data = StudyRunner.LoadData(study);
        var info = Vbpr.ReadInfo(weights);
        e = Assert.Throws<ConfigException>(() => StudyRunner.Run(study, new StudyRunOptions(dir.File("out"))));
        Assert.False(Directory.Exists(dir.File("out")));
        error = Assert.Single(e.Errors);
        Assert.Equal(21, error.Position.Line);
        Assert.Contains($"users {info.Users} in the file, {data.NumUsers} in the training data", error.Message);
        Assert.Contains("feature dimension 6 in the file, 7 in the item features", error.Message);
        Assert.DoesNotContain("factors", error.Message);

        // the library constructor checks the same, naming the file
        var bad = Assert.Throws<DataFormatException>(() => new Amr(new AmrOptions { Factors = 4, FactorsD = 2, Pretrained = weights }, data.Train, data.ItemFeatures!));
        Assert.Equal(weights, bad.File);
        Assert.Contains("feature dimension 6 in the file, 7 in the item features", bad.Message);

        // a file that is not a VBPR model
        dir.Write("not-a-model.bin", "hello");
        study = ConfigTestSupport.Load(dir, Study(Amr("not-a-model.bin")), schemas: ModelRegistry.Schemas);
        e = Assert.Throws<ConfigException>(() => StudyRunner.Run(study, new StudyRunOptions(dir.File("out"))));
        error = Assert.Single(e.Errors);
        Assert.Equal(21, error.Position.Line);
        Assert.Contains("not-a-model.bin: not an AdvRec VBPR model file", error.Message);
    }

    [Fact]
    public void AMissingPretrainedFileIsAConfigErrorAtItsLine()
    {
        using var dir = new TempDirectory();
        var e = ConfigTestSupport.LoadFails(dir, Study(Amr("weights/{0}/VBPR.bin")), schemas: ModelRegistry.Schemas);
        var error = Assert.Single(e.Errors);
        Assert.Equal((21, 21), (error.Position.Line, error.Position.Column));
        Assert.Contains($"models.AMR.hyperparameters.pretrained: file not found: {Path.Combine(dir.FullPath, "weights", "syn", "VBPR.bin")}", error.Message);

        string grid = Amr("null") + "      grid:\n        pretrained: [a.bin, b.bin]\n";
        e = ConfigTestSupport.LoadFails(dir, Study(grid.Replace("        pretrained: null\n", "", StringComparison.Ordinal)), schemas: ModelRegistry.Schemas);
        Assert.Equal(2, e.Errors.Count);
        Assert.All(e.Errors, x => Assert.Contains("models.AMR.grid.pretrained: file not found: ", x.Message));
    }
}
