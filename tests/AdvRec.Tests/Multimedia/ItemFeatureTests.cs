using AdvRec.Data;
using AdvRec.Data.Features;

namespace AdvRec.Tests.Multimedia;

public class ItemFeatureTests
{
    private static readonly string[] Ids = ["b7", "a1", "c3", "x9"];

    // the feature vector of an id, a function of the id only (so any order of writing can be checked)
    private static float[] VectorOf(string id) => [id[0] - 'a', id[1] - '0', 0.5f * id[1]];

    private static IdMap Items(params string[] ids)
    {
        var map = new IdMap();
        foreach (string id in ids) map.GetOrAdd(id);
        return map;
    }

    private static void AssertAlignedById(ItemFeatures features, IdMap items, params string[] withoutFeatures)
    {
        for (int i = 0; i < items.Count; i++)
        {
            float[] expected = withoutFeatures.Contains(items[i]) ? new float[3] : VectorOf(items[i]);
            Assert.Equal(expected, features.Row(i).ToArray());
        }
    }

    [Fact]
    public void NpyFolderFilesAreMatchedByIdNotByPosition()
    {
        using var dir = new TempDirectory();
        foreach (string id in Ids) File.WriteAllBytes(dir.File(id + ".npy"), NpyReaderTests.Npy("<f4", "(3,)", NpyReaderTests.F4(VectorOf(id))));
        var table = ItemFeatureLoader.Load(new ItemFeatureOptions { Path = dir.FullPath, Format = ItemFeatureFormat.NpyFolder });
        var items = Items("c3", "a1", "zz", "b7"); // a different order, one item without a file
        var features = ItemFeatures.Align(table, items);
        AssertAlignedById(features, items, "zz");
        Assert.Equal(1, features.ItemsWithoutFeatures);
        Assert.Equal(1, features.UnknownFeatureRows); // x9
    }

    [Fact]
    public void NpyMatrixRowsAreMatchedThroughTheShuffledIdList()
    {
        using var dir = new TempDirectory();
        string[] shuffled = ["x9", "c3", "a1", "b7"];
        File.WriteAllBytes(dir.File("f.npy"), NpyReaderTests.Npy("<f4", "(4, 3)", NpyReaderTests.F4([.. shuffled.SelectMany(VectorOf)])));
        dir.Write("ids.txt", string.Join("\n", shuffled) + "\n");
        var table = ItemFeatureLoader.Load(new ItemFeatureOptions { Path = dir.File("f.npy"), Format = ItemFeatureFormat.NpyMatrix, IdsPath = dir.File("ids.txt") });
        var items = Items("a1", "b7", "c3");
        AssertAlignedById(ItemFeatures.Align(table, items), items);
    }

    [Theory]
    [InlineData(ItemFeatureFormat.Tsv, "\t")]
    [InlineData(ItemFeatureFormat.Tsv, "  ")]
    [InlineData(ItemFeatureFormat.Csv, ",")]
    public void DelimitedRowsAreMatchedById(ItemFeatureFormat format, string sep)
    {
        using var dir = new TempDirectory();
        string text = string.Join("\n", Ids.Reverse().Select(id => id + sep + string.Join(sep, VectorOf(id).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))));
        string path = dir.Write("f.txt", text + "\n");
        var items = Items("a1", "c3", "b7");
        AssertAlignedById(ItemFeatures.Align(ItemFeatureLoader.Load(new ItemFeatureOptions { Path = path, Format = format }), items), items);
    }

    [Fact]
    public void BadFeatureFilesNameFileAndLine()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<DataFormatException>(() => ItemFeatureLoader.LoadDelimited(dir.Write("a.tsv", "1\t0.5\t1\n2\t0.5\n"), null));
        Assert.Equal(2, e.Line);
        Assert.Contains("expected 2", e.Message);
        e = Assert.Throws<DataFormatException>(() => ItemFeatureLoader.LoadDelimited(dir.Write("b.tsv", "1\t0.5\n2\tabc\n"), null));
        Assert.Equal(2, e.Line);
        Assert.Contains("'abc'", e.Message);
        e = Assert.Throws<DataFormatException>(() => ItemFeatureLoader.LoadDelimited(dir.Write("c.tsv", "1\t0.5\n1\t0.7\n"), null));
        Assert.Contains("two feature vectors", e.Message);
        File.WriteAllBytes(dir.File("m.npy"), NpyReaderTests.Npy("<f4", "(2, 1)", NpyReaderTests.F4(1, 2)));
        e = Assert.Throws<DataFormatException>(() => ItemFeatureLoader.LoadNpyMatrix(dir.File("m.npy"), dir.Write("ids.txt", "a\nb\nc\n")));
        Assert.Contains("3 ids for a matrix of 2 rows", e.Message);
        Directory.CreateDirectory(dir.File("folder"));
        File.WriteAllBytes(Path.Combine(dir.File("folder"), "1.npy"), NpyReaderTests.Npy("<f4", "(2,)", NpyReaderTests.F4(1, 2)));
        File.WriteAllBytes(Path.Combine(dir.File("folder"), "2.npy"), NpyReaderTests.Npy("<f4", "(3,)", NpyReaderTests.F4(1, 2, 3)));
        e = Assert.Throws<DataFormatException>(() => ItemFeatureLoader.LoadNpyFolder(dir.File("folder")));
        Assert.EndsWith("2.npy", e.File);
    }

    [Fact]
    public void InteractionsOfItemsWithoutFeaturesAreDroppedAndCounted()
    {
        var users = Items("u1", "u2", "u3");
        var items = Items("a1", "zz", "b7", "yy");
        var log = new InteractionLog("log", users, items, [0, 0, 1, 1, 2, 2], [0, 1, 1, 2, 3, 0]);
        var table = new FeatureTable("t", ["b7", "a1"], [1, 2, 3, 4, 5, 6], 3);
        var (kept, rows, dropped) = ItemFeatures.DropItemsWithoutFeatures(log, table);
        Assert.Equal(3, rows);
        Assert.Equal(["zz", "yy"], dropped);
        Assert.Equal(3, kept.Count);
        Assert.Equal(["a1", "b7"], kept.Items.Ids);
        var features = ItemFeatures.Align(table, kept.Items);
        Assert.Equal(0, features.ItemsWithoutFeatures);
        Assert.Equal([4f, 5f, 6f], features.Row(0).ToArray());
        Assert.Equal([1f, 2f, 3f], features.Row(1).ToArray());
    }

    [Fact]
    public void NormalisationsDoWhatTheySay()
    {
        float[] v = [3, 4, -8, 0, 0, 2];
        var g = (float[])v.Clone();
        FeatureNormalizer.Apply(g, 2, FeatureNormalization.GlobalMax);
        Assert.Equal([0.375f, 0.5f, -1f, 0f, 0f, 0.25f], g);
        var l2 = (float[])v.Clone();
        FeatureNormalizer.Apply(l2, 2, FeatureNormalization.RowL2);
        Assert.Equal([0.6f, 0.8f, -1f, 0f, 0f, 1f], l2);
        var z = (float[])v.Clone();
        FeatureNormalizer.Apply(z, 2, FeatureNormalization.Standardize);
        for (int c = 0; c < 2; c++)
        {
            var col = new[] { z[c], z[2 + c], z[4 + c] };
            Assert.Equal(0, col.Average(), 5);
            Assert.Equal(1, Math.Sqrt(col.Select(x => x * x).Average()), 5);
        }
    }

    [RealDataFact("ml-100k/u.item")]
    public void Ml100kGenresGiveNineteenFlagsAndTheYear()
    {
        var table = ItemFeatureLoader.LoadMl100kGenres(SharedData.Path("ml-100k", "u.item"));
        Assert.Equal(1682, table.Count);
        Assert.Equal(20, table.Dimension);
        // 1|Toy Story (1995)|01-Jan-1995: Animation, Children's, Comedy
        var toyStory = table.Row(table.RowOf("1")).ToArray();
        Assert.Equal(3f, toyStory[..19].Sum());
        Assert.Equal([1f, 1f, 1f], new[] { toyStory[3], toyStory[4], toyStory[5] });
        Assert.Equal(0.95f, toyStory[19], 5);
    }

    [Fact]
    public void TheSyntheticVisualDatasetIsSeededAndAligned()
    {
        var options = new SyntheticVisualOptions { Users = 60, Items = 50, FeatureDimension = 8, MinInteractions = 4, MaxInteractions = 8 };
        var a = SyntheticVisualDataset.Generate(3, options);
        var b = SyntheticVisualDataset.Generate(3, options);
        Assert.NotNull(a.ItemFeatures);
        Assert.Equal(a.NumItems, a.ItemFeatures!.NumItems);
        Assert.Equal(a.ItemFeatures.Values, b.ItemFeatures!.Values);
        Assert.Equal(a.Train.ItemIndices.ToArray(), b.Train.ItemIndices.ToArray());
        // features are matched by id: item index i holds the generator's vector of id Items[i]
        var (_, table) = SyntheticVisualDataset.GenerateLog(3, options);
        for (int i = 0; i < a.NumItems; i++) Assert.Equal(table.Row(table.RowOf(a.Items[i])).ToArray(), a.ItemFeatures.Row(i).ToArray());
        Assert.NotEqual(a.ItemFeatures.Values, SyntheticVisualDataset.Generate(4, options).ItemFeatures!.Values);
    }
}
