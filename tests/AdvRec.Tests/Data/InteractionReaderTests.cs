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

    [Fact]
    public void DetectsAdjacencyFromLinesOfVaryingLength()
    {
        string path = _dir.WriteGzip("train.txt.gz", "0 10 11 12\n1 11\n2 11 13 14 15 16\n");
        var log = InteractionReader.Read(path);
        Assert.Equal(9, log.Count);
        Assert.Equal(["0", "1", "2"], log.Users.Ids);
        Assert.StartsWith("adjacency `user item item ...` (detected: ", log.Format);
        Assert.Contains("3 lines sampled", log.Format);

        // the same shape with tabs, and one with more than four fields on every line
        var tabs = InteractionReader.Read(new StringReader("a\tx\ty\nb\tz\n"), "tabs");
        Assert.Equal(3, tabs.Count);
        Assert.StartsWith("adjacency", tabs.Format);
        Assert.StartsWith("adjacency", InteractionReader.Read(new StringReader("7 1 2 3 4 5\n"), "wide").Format);
    }

    [Fact]
    public void DetectsSeparatorsAndHeaderRowsAndSaysSo()
    {
        var tsv = InteractionReader.Read(new StringReader("userId\tmovieId\trating\ttimestamp\n1\t2\t4\t100\n1\t3\t5\t200\n"), "h.tsv");
        Assert.Equal(2, tsv.Count);
        Assert.Equal(["2", "3"], tsv.Items.Ids);
        Assert.Equal("delimited by tabs `user item rating timestamp` (detected: every sampled line (3 lines sampled) has 4 tab-separated fields; " +
                     "header line skipped: 'userId\tmovieId\trating\ttimestamp')", tsv.Format);

        // a header of other names is told by text above numbers
        var csv = InteractionReader.Read(new StringReader("who,what,stars\n1,2,4\n3,2,5\n"), "h.csv");
        Assert.Equal([4f, 5f], csv.Ratings.ToArray());
        Assert.StartsWith("delimited by commas `user item rating`", csv.Format);

        var ml = InteractionReader.Read(new StringReader("1::2::5::9\n"), "r.dat");
        Assert.StartsWith("MovieLens `user item rating timestamp` (detected: '::' separates the fields", ml.Format);

        // string ids: no header is guessed
        var ids = InteractionReader.Read(new StringReader("alice\tfilm\nbob\tbook\n"), "ids.tsv");
        Assert.Equal(2, ids.Count);
    }

    [Fact]
    public void SpaceSeparatedRowsAreToldFromAdjacencyByTheirContent()
    {
        // users repeat: rows
        Assert.True(InteractionReader.Read(new StringReader("1 10 4\n1 11 3\n2 10 5\n"), "a").HasRatings);
        // fractional ratings
        Assert.True(InteractionReader.Read(new StringReader("1 10 4.5\n2 11 3\n"), "b").HasRatings);
        // ratings of at most 10 beside Unix times, one row per user (a leave-one-out test file)
        string loo = string.Concat(Enumerable.Range(0, 6).Select(u => $"{u} {100 + u} {1 + u % 5} {978300760 + u}\n"));
        Assert.True(InteractionReader.Read(new StringReader(loo), "c").HasTimestamps);
        // ids in column 2, numbers in column 3
        Assert.True(InteractionReader.Read(new StringReader("a x 1\nb y 2\n"), "d").HasRatings);
    }

    [Fact]
    public void AnUndecidableFileListsTheCandidatesAndTheFormatOptionStillForces()
    {
        string path = _dir.Write("ambiguous.txt", "\n0 5 6\n1 7 8\n");
        var e = Assert.Throws<DataFormatException>(() => InteractionReader.Read(path));
        Assert.Equal(2, e.Line);
        Assert.Contains("cannot tell the format", e.Message);
        Assert.Contains("Candidates: delimited, adjacency", e.Message);
        Assert.Contains("--format", e.Message);

        var rows = InteractionReader.Read(path, new ReadOptions { Format = DataFormat.Delimited });
        Assert.Equal(2, rows.Count);
        Assert.Equal("delimited by spaces `user item rating` (forced by the format option)", rows.Format);
        var adjacency = InteractionReader.Read(path, new ReadOptions { Format = DataFormat.Adjacency });
        Assert.Equal(4, adjacency.Count);
        Assert.Equal("adjacency `user item item ...` (forced by the format option)", adjacency.Format);
    }

    [RealDataFact("ml-1m-implicit-lightgcnpp/train.txt.gz", "movielens-500/trainingset.tsv", "ml-100k/u.data", "gowalla/test.txt")]
    public void TheSharedFilesAreDetected()
    {
        Assert.StartsWith("adjacency", InteractionReader.Read(SharedData.Path("ml-1m-implicit-lightgcnpp", "train.txt.gz")).Format);
        Assert.StartsWith("adjacency", InteractionReader.Read(SharedData.Path("ml-1m-implicit-lightgcnpp", "test.txt.gz")).Format);
        Assert.StartsWith("adjacency", InteractionReader.Read(SharedData.Path("gowalla", "test.txt")).Format);
        Assert.StartsWith("delimited by tabs `user item rating timestamp`", InteractionReader.Read(SharedData.Path("movielens-500", "trainingset.tsv")).Format);
        Assert.StartsWith("delimited by tabs `user item rating timestamp`", InteractionReader.Read(SharedData.Path("movielens-500", "testset.tsv")).Format);
        Assert.StartsWith("delimited by tabs", InteractionReader.Read(SharedData.Path("ml-100k", "u.data")).Format);
    }

    [Fact]
    public void WrittenLogsReadBackTheSame()
    {
        var log = InteractionReader.Read(new StringReader("u1\ti1\t4.5\t100\nu2\ti2\t3\t200\n"), "in");
        string path = _dir.File("out/sub/train.tsv");
        InteractionWriter.WriteTsv(log, path);
        Assert.Equal("u1\ti1\t4.5\t100\nu2\ti2\t3\t200\n", File.ReadAllText(path));
        var back = InteractionReader.Read(path);
        Assert.Equal(log.Ratings.ToArray(), back.Ratings.ToArray());
        Assert.Equal(log.Timestamps.ToArray(), back.Timestamps.ToArray());

        var pairs = InteractionReader.Read(new StringReader("0 1 2\n1 2\n"), "adj", new ReadOptions { Format = DataFormat.Adjacency });
        InteractionWriter.WriteTsv(pairs, path);
        Assert.Equal("0\t1\n0\t2\n1\t2\n", File.ReadAllText(path));
    }
}
