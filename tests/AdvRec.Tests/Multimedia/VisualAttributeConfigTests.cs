using AdvRec.Data.Features;
using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Models;
using AdvRec.Tests.Experiments.Config;

namespace AdvRec.Tests.Multimedia;

/// <summary>Elliot's <c>side_information: [{dataloader: VisualAttribute, ...}]</c> in a study config.</summary>
public class VisualAttributeConfigTests
{
    // item 3 has no vector: its interactions are dropped before the split; 9.npy names no item of the data
    private static readonly Dictionary<string, float[]> Vectors = new()
    {
        ["1"] = [1f, 0f, 0.5f],
        ["2"] = [0f, 1f, -0.5f],
        ["4"] = [0.25f, 0.25f, 2f],
        ["9"] = [7f, 7f, 7f],
    };

    /// <summary>Writes train/test files and data/tiny/&lt;folder&gt;/&lt;id&gt;.npy, hand-made .npy vectors.</summary>
    private static void WriteData(TempDirectory dir, string folder = "cnn")
    {
        dir.Write("train.tsv", "u1\t1\nu1\t4\nu2\t2\nu2\t4\nu3\t1\nu3\t2\nu1\t3\nu2\t3\n");
        dir.Write("test.tsv", "u1\t2\nu2\t1\nu3\t4\n");
        string path = Path.Combine(dir.FullPath, "data", "tiny", folder);
        Directory.CreateDirectory(path);
        foreach (var (id, v) in Vectors) File.WriteAllBytes(Path.Combine(path, id + ".npy"), NpyReaderTests.Npy("<f4", $"({v.Length},)", NpyReaderTests.F4(v)));
    }

    /// <summary>A study whose data_config ends with <paramref name="dataExtra"/> (lines 8 on).</summary>
    private static string Study(string dataExtra, string models = "    VBPR:\n      meta:\n        epochs: 2\n      hyperparameters:\n        factors: 4\n        factors_d: 2\n") =>
        "experiment:\n" +                 // 1
        "  dataset: tiny\n" +             // 2
        "  data_config:\n" +              // 3
        "    strategy: fixed\n" +         // 4
        "    train_path: train.tsv\n" +   // 5
        "    test_path: test.tsv\n" +     // 6
        "    side_information:\n" +       // 7
        dataExtra +                       // 8 ...
        "  top_k: 2\n" +
        "  models:\n" +
        models;

    private const string VisualBlock = "      - dataloader: VisualAttribute\n        visual_features: data/{0}/cnn/\n";

    [Fact]
    public void AVisualAttributeBlockLoadsTheFolderExactlyAsItemFeaturesDo()
    {
        using var dir = new TempDirectory();
        WriteData(dir);
        var study = ConfigTestSupport.Load(dir, Study(VisualBlock), schemas: ModelRegistry.Schemas);
        var options = study.Data.ItemFeatures!;
        Assert.Equal(ItemFeatureFormat.NpyFolder, options.Format);
        Assert.Equal(FeatureNormalization.None, options.Normalization);
        // {0} is the dataset name, and the path is relative to the config file
        Assert.Equal(Path.GetFullPath(Path.Combine(dir.FullPath, "data", "tiny", "cnn")), options.Path.TrimEnd(Path.DirectorySeparatorChar));
        Assert.Equal("VisualAttribute", Assert.Single(study.Data.SideInformation).Loader);
        Assert.Empty(study.Warnings);

        var viaSide = StudyRunner.LoadData(study);
        var viaItemFeatures = StudyRunner.LoadData(ConfigTestSupport.Load(dir, Study("", "    VBPR:\n")
            .Replace("    side_information:\n", "    item_features:\n      path: data/tiny/cnn\n      format: npy_folder\n", StringComparison.Ordinal), schemas: ModelRegistry.Schemas));
        Assert.Equal(["1", "4", "2"], viaSide.Items.Ids);
        var features = viaSide.ItemFeatures!;
        for (int i = 0; i < viaSide.NumItems; i++) Assert.Equal(Vectors[viaSide.Items[i]], features.Row(i).ToArray());
        Assert.Equal(2, features.InteractionsDropped);
        Assert.Equal(1, features.ItemsDropped);
        Assert.Equal(1, features.UnknownFeatureRows);
        Assert.Equal(viaItemFeatures.Items.Ids, viaSide.Items.Ids);
        Assert.Equal(viaItemFeatures.ItemFeatures!.Values, features.Values);
        Assert.Equal(viaItemFeatures.Train.ItemIndices.ToArray(), viaSide.Train.ItemIndices.ToArray());
    }

    [Fact]
    public void ElliotsOptionalKeysAreWarningsWithTheirLinesAndPcaFeaturesCanStandAlone()
    {
        using var dir = new TempDirectory();
        WriteData(dir);
        WriteData(dir, "pca");
        string block = VisualBlock +
            "        visual_pca_features: data/{0}/pca/\n" +          // 10
            "        visual_feat_map_features: data/{0}/maps/\n" +    // 11
            "        images_src_folder: data/{0}/images/\n" +         // 12
            "        output_image_size: (224,224)\n";                 // 13
        var study = ConfigTestSupport.Load(dir, Study(block), schemas: ModelRegistry.Schemas);
        Assert.EndsWith("cnn", study.Data.ItemFeatures!.Path.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);
        Assert.Equal([10, 11, 12, 13], study.Warnings.Select(w => w.Position.Line));
        Assert.All(study.Warnings, w => Assert.EndsWith("study.yml", w.Position.File, StringComparison.Ordinal));
        Assert.Contains("data_config.side_information[0].visual_pca_features: not read", study.Warnings[0].Message);
        Assert.Contains("visual_feat_map_features: ignored: no AdvRec model reads CNN feature maps", study.Warnings[1].Message);
        Assert.Contains("images_src_folder: ignored", study.Warnings[2].Message);
        Assert.Contains("output_image_size: ignored", study.Warnings[3].Message);

        var pcaOnly = ConfigTestSupport.Load(dir, Study("      - dataloader: VisualAttribute\n        visual_pca_features: data/{0}/pca\n"), schemas: ModelRegistry.Schemas);
        Assert.EndsWith("pca", pcaOnly.Data.ItemFeatures!.Path, StringComparison.Ordinal);
        Assert.Empty(pcaOnly.Warnings);
    }

    [Theory]
    [InlineData("      - dataloader: ItemAttributes\n        attribute_file: attrs.tsv\n", 8, 21, "dataloader 'ItemAttributes' is not supported; AdvRec reads only 'VisualAttribute'")]
    [InlineData("      - dataloader: ChainedKG\n", 8, 21, "data_config.side_information[0]: dataloader 'ChainedKG' is not supported;")]
    [InlineData("      - dataloader: VisualAttributes\n        visual_features: data/{0}/cnn\n", 8, 21, "dataloader 'VisualAttributes' is not supported; did you mean 'VisualAttribute'?")]
    [InlineData(VisualBlock + "      - dataloader: KGCompletion\n", 10, 21, "data_config.side_information[1]: dataloader 'KGCompletion' is not supported")]
    [InlineData("      - visual_features: data/{0}/cnn\n", 8, 9, "each block needs 'dataloader: Name'")]
    [InlineData(VisualBlock + "        visual_pca: data/{0}/pca\n", 10, 9, "unknown key 'visual_pca' in data_config.side_information[0]; valid keys: dataloader, visual_features, visual_pca_features")]
    [InlineData("      - dataloader: VisualAttribute\n", 8, 9, "data_config.side_information[0]: a VisualAttribute block needs visual_features")]
    [InlineData("      - dataloader: VisualAttribute\n        visual_features: data/{0}/resnet\n", 9, 26, "data_config.side_information[0].visual_features: folder not found: ")]
    [InlineData(VisualBlock + VisualBlock, 10, 9, "data_config.side_information[1]: a second VisualAttribute block (the first is at ")]
    public void BadSideInformationIsAConfigErrorAtItsLine(string block, int line, int column, string message)
    {
        using var dir = new TempDirectory();
        WriteData(dir);
        var e = ConfigTestSupport.LoadFails(dir, Study(block), schemas: ModelRegistry.Schemas);
        var error = Assert.Single(e.Errors);
        Assert.EndsWith("study.yml", error.Position.File, StringComparison.Ordinal);
        Assert.Equal((line, column), (error.Position.Line, error.Position.Column));
        Assert.True(error.Message.Contains(message, StringComparison.Ordinal), error.Message);
    }

    [Fact]
    public void ItemFeaturesAndAVisualAttributeBlockTogetherAreAnErrorNamingBoth()
    {
        using var dir = new TempDirectory();
        WriteData(dir);
        string yaml = Study(VisualBlock).Replace("    side_information:\n", "    item_features:\n      path: data/tiny/cnn\n    side_information:\n", StringComparison.Ordinal);
        var e = ConfigTestSupport.LoadFails(dir, yaml, schemas: ModelRegistry.Schemas);
        var error = Assert.Single(e.Errors);
        Assert.Equal(10, error.Position.Line);
        Assert.Contains("item features given twice, by item_features (", error.Message);
        Assert.Contains("study.yml:7:5) and by the side_information VisualAttribute block (", error.Message);
        Assert.Contains("study.yml:10:9); keep one", error.Message);
    }

    [Fact]
    public void AStudyTrainsVbprFromASideInformationBlockAndLogsTheWarnings()
    {
        using var dir = new TempDirectory();
        WriteData(dir);
        var study = ConfigTestSupport.Load(dir, Study(VisualBlock + "        images_src_folder: data/{0}/images/\n"), schemas: ModelRegistry.Schemas);
        var result = StudyRunner.Run(study, new StudyRunOptions(dir.File("out")));
        var vbpr = Assert.Single(result.Best);
        Assert.Equal("VBPR", vbpr.Model);
        Assert.Equal(2, vbpr.History.Epochs.Count);
        Assert.All(vbpr.History.Epochs, e => Assert.True(double.IsFinite(e.Stats.Loss) && e.Stats.Loss > 0));
        Assert.Equal(3, result.Dataset.ItemFeatures!.Dimension);
        string log = File.ReadAllText(Path.Combine(result.OutputFolder, "run.log"));
        Assert.Contains("item features: ", log);
        Assert.Contains("3 values per item", log);
        Assert.Contains("config warning: ", log);
        Assert.Contains("study.yml:10:9: data_config.side_information[0].images_src_folder: ignored: no AdvRec model reads images", log);
    }
}
