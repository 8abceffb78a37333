using AdvRec.Data;

namespace AdvRec.Tests.Data;

public sealed class InteractionReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (string User, string Item) Row(InteractionLog log, int k) =>
        (log.Users[log.UserIndices[k]], log.Items[log.ItemIndices[k]]);

    [Fact]
    public void ReadsTsvWithRatingsAndTimestamps()
    {
        string path = _dir.Write("ratings.tsv", "u1\ti1\t4\t100\nu2\ti2\t3.5\t200\nu1\ti3\t-1\t-5\n");
        var log = InteractionReader.Read(path);
        Assert.Equal(3, log.Count);
        Assert.True(log.HasRatings);
        Assert.True(log.HasTimestamps);
        Assert.Equal(("u1", "i1"), Row(log, 0));
        Assert.Equal(("u2", "i2"), Row(log, 1));
        Assert.Equal(("u1", "i3"), Row(log, 2));
        Assert.Equal([4f, 3.5f, -1f], log.Ratings.ToArray());
        Assert.Equal([100L, 200L, -5L], log.Timestamps.ToArray());
        Assert.Equal(["u1", "u2"], log.Users.Ids);
        Assert.Equal(path, log.Source);
    }

    [Fact]
    public void ReadsCsvWithTrimmedIdsAndNoTimestamps()
    {
        string path = _dir.Write("ratings.csv", "alice , film one,5\r\nbob,film two , 2.25\r\n");
        var log = InteractionReader.Read(path);
        Assert.Equal(2, log.Count);
        Assert.True(log.HasRatings);
        Assert.False(log.HasTimestamps);
        Assert.Equal(("alice", "film one"), Row(log, 0));
        Assert.Equal(("bob", "film two"), Row(log, 1));
        Assert.Equal([5f, 2.25f], log.Ratings.ToArray());
    }

    [Fact]
    public void ReadsSpaceSeparatedPairsWithBlankLinesAndNoFinalNewline()
    {
        string path = _dir.Write("pairs.txt", "\n  a   x \n\n b\ty\n   \nc z");
        var log = InteractionReader.Read(path);
        Assert.Equal(3, log.Count);
        Assert.False(log.HasRatings);
        Assert.False(log.HasTimestamps);
        Assert.Equal(("a", "x"), Row(log, 0));
        Assert.Equal(("b", "y"), Row(log, 1));
        Assert.Equal(("c", "z"), Row(log, 2));
    }

    [Fact]
    public void ExplicitSeparatorOverridesDetection()
    {
        string path = _dir.Write("semi.txt", "a,1;x;3\nb;y,2;4\n");
        var log = InteractionReader.Read(path, new ReadOptions { Separator = ';' });
        Assert.Equal(("a,1", "x"), Row(log, 0));
        Assert.Equal(("b", "y,2"), Row(log, 1));
        Assert.Equal([3f, 4f], log.Ratings.ToArray());
    }

    [Fact]
    public void ReadsMovieLensDatByExtension()
    {
        string path = _dir.Write("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n");
        var log = InteractionReader.Read(path);
        Assert.Equal(3, log.Count);
        Assert.Equal(("1", "1193"), Row(log, 0));
        Assert.Equal(("2", "1193"), Row(log, 2));
        Assert.Equal([5f, 3f, 4f], log.Ratings.ToArray());
        Assert.Equal(978298413L, log.Timestamps[2]);
        Assert.Equal(2, log.Items.Count);
    }

    [Fact]
    public void DetectsMovieLensFromDoubleColons()
    {
        var log = InteractionReader.Read(new StringReader("7::42::2.5\n8::43::1\n"), "inline");
        Assert.Equal(("7", "42"), Row(log, 0));
        Assert.Equal([2.5f, 1f], log.Ratings.ToArray());
        Assert.False(log.HasTimestamps);
    }

    [Fact]
    public void ReadsAdjacencyWithUserOnlyLine()
    {
        string path = _dir.Write("train.txt", "0 10 11 12\n1\n2 11  13\t14 \n");
        var log = InteractionReader.Read(path, new ReadOptions { Format = DataFormat.Adjacency });
        Assert.Equal(6, log.Count);
        Assert.False(log.HasRatings);
        Assert.False(log.HasTimestamps);
        Assert.Equal(["0", "1", "2"], log.Users.Ids);
        Assert.Equal(["10", "11", "12", "13", "14"], log.Items.Ids);
        Assert.Equal(("2", "14"), Row(log, 5));
        Assert.DoesNotContain(1, log.UserIndices.ToArray());
    }

    [Fact]
    public void ReadsGzipDelimitedAndAdjacency()
    {
        string tsv = _dir.WriteGzip("ratings.tsv.gz", "u1\ti1\t4\t100\nu2\ti2\t3\t200\n");
        var log = InteractionReader.Read(tsv);
        Assert.Equal(2, log.Count);
        Assert.Equal(("u2", "i2"), Row(log, 1));
        Assert.Equal([100L, 200L], log.Timestamps.ToArray());

        string dat = _dir.WriteGzip("ratings.dat.gz", "1::5::3::9\n");
        Assert.Equal([3f], InteractionReader.Read(dat).Ratings.ToArray());

        string adj = _dir.WriteGzip("train.txt.gz", "0 1 2 3\n1 3\n");
        var adjacency = InteractionReader.Read(adj, new ReadOptions { Format = DataFormat.Adjacency });
        Assert.Equal(4, adjacency.Count);
    }

    [Fact]
    public void SkipsByteOrderMarkAndHandlesLongLines()
    {
        string path = Path.Combine(_dir.FullPath, "bom.tsv");
        File.WriteAllText(path, "\uFEFFa\tb\t1\n", new System.Text.UTF8Encoding(false));
        var log = InteractionReader.Read(path);
        Assert.Equal(("a", "b"), Row(log, 0));

        // One adjacency line longer than the reader's initial buffer.
        var line = "u " + string.Join(' ', Enumerable.Range(0, 30_000));
        var big = InteractionReader.Read(new StringReader(line + "\nv 1\n"), "big", new ReadOptions { Format = DataFormat.Adjacency });
        Assert.Equal(30_001, big.Count);
        Assert.Equal(30_000, big.Items.Count);
    }

    [Fact]
    public void ToInteractionsUsesTheLogIndexSpace()
    {
        var log = InteractionReader.Read(new StringReader("a x 1\nb y 2\na y 3\n"), "inline");
        var interactions = log.ToInteractions();
        Assert.Equal(2, interactions.NumUsers);
        Assert.Equal(2, interactions.NumItems);
        Assert.True(interactions.Contains(log.Users.Ids.ToList().IndexOf("a"), log.Items.Ids.ToList().IndexOf("y")));
    }
}
