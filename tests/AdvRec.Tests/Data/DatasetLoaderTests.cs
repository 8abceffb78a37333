using AdvRec.Data;

namespace AdvRec.Tests.Data;

public sealed class DatasetLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static int U(Dataset d, string id) => d.Users.TryGetIndex(id, out int u) ? u : throw new KeyNotFoundException(id);

    private static int I(Dataset d, string id) => d.Items.TryGetIndex(id, out int i) ? i : throw new KeyNotFoundException(id);

    [Fact]
    public void OriginalIdsSurviveTheRoundTrip()
    {
        var rows = new[] { ("u9", "m3"), ("u2", "m7"), ("u9", "m1"), ("zz", "m3"), ("u2", "m1") };
        string train = _dir.Write("train.tsv", string.Join('\n', rows.Select(r => $"{r.Item1}\t{r.Item2}")));
        string test = _dir.Write("test.tsv", "u9\tm7\nzz\tm1\n");
        var d = DatasetLoader.LoadFixed(train, test);

        Assert.Equal(["u9", "u2", "zz"], d.Users.Ids); // order of first appearance in training
        Assert.Equal(["m3", "m7", "m1"], d.Items.Ids);
        Assert.Equal(rows.Length, d.Train.Count);
        foreach (var (user, item) in rows) Assert.True(d.Train.Contains(U(d, user), I(d, item)));
        Assert.True(d.Test.Contains(U(d, "u9"), I(d, "m7")));
        Assert.True(d.Test.Contains(U(d, "zz"), I(d, "m1")));
        foreach (var part in new[] { d.Train, d.Test })
        {
            Assert.Equal(d.Users.Count, part.NumUsers);
            Assert.Equal(d.Items.Count, part.NumItems);
        }
        Assert.False(d.IsSynthetic);
        Assert.Null(d.Validation);
        Assert.Equal(Path.GetFileName(_dir.FullPath), d.Name);
        Assert.Contains("train.tsv", d.Description);
    }

    [Fact]
    public void DuplicatesAreMergedLatestTimestampWinsElseLaterRow()
    {
        string train = _dir.Write("train.tsv",
            "a\tx\t5\t300\n" +
            "a\tx\t1\t100\n" + // older re-rating: loses to the row at t=300
            "a\ty\t2\t50\n" +
            "a\ty\t4\t50\n" + // same time: the later row wins
            "b\tx\t3\t10\n");
        string test = _dir.Write("test.tsv", "b\ty\t5\t20\nb\ty\t2\t30\n");
        var d = DatasetLoader.LoadFixed(train, test);
        Assert.Equal(3, d.Train.Count);
        int a = U(d, "a");
        Assert.Equal([5f, 4f], d.Train.RatingsOf(a).ToArray()); // items x, y ascending
        Assert.Equal([300L, 50L], d.Train.TimestampsOf(a).ToArray());
        Assert.Equal([2f], d.Test.RatingsOf(U(d, "b")).ToArray());
        Assert.Equal(3, d.Report.DuplicatesMerged);
        Assert.Equal(1, d.Report.TestRows);
    }

    [Fact]
    public void BinarisationKeepsTrainRatingsAtOrAboveThresholdAndTestRatings()
    {
        string train = _dir.Write("train.tsv", "a\tx\t5\na\ty\t2\nb\tx\t4\nb\tz\t3.5\nc\ty\t1\n");
        string test = _dir.Write("test.tsv", "a\tz\t1\nb\ty\t5\nc\tx\t5\n");
        var d = DatasetLoader.LoadFixed(train, test, options: new ReadOptions { BinarizeThreshold = 4 });

        Assert.False(d.Train.HasRatings);
        Assert.Equal(2, d.Train.Count);
        Assert.True(d.Train.Contains(U(d, "a"), I(d, "x")));
        Assert.True(d.Train.Contains(U(d, "b"), I(d, "x")));
        Assert.Equal(3, d.Report.RowsRemovedByBinarization);
        Assert.Equal(4f, d.BinarizeThreshold);
        Assert.Contains("binarised at rating ≥ 4", d.Description);
        // Items whose rows were all removed keep their index (the id space is the training input).
        Assert.Equal(3, d.Items.Count);
        Assert.Equal(1, d.Report.TrainItems);
        // c has no training data left: its test row is dropped and counted; ratings of kept test rows survive.
        Assert.True(d.Test.HasRatings);
        Assert.Equal(2, d.Test.Count);
        Assert.Equal(1, d.Report.TestRowsDroppedUnseenUser);
        Assert.Equal([1f], d.Test.RatingsOf(U(d, "a")).ToArray());
        Assert.Equal([5f], d.Test.RatingsOf(U(d, "b")).ToArray());
    }

    [Fact]
    public void ReportCountsUnseenTestUsersAndItems()
    {
        string train = _dir.Write("train.csv", "a,x\na,y\nb,y\nb,z\n");
        string test = _dir.Write("test.csv", "a,z\nb,x\nnew,x\nnew,q\na,q\nb,y\n");
        var d = DatasetLoader.LoadFixed(train, test);
        var r = d.Report;
        Assert.Equal(4, r.TrainRows);
        Assert.Equal(2, r.TrainUsers);
        Assert.Equal(3, r.TrainItems);
        Assert.Equal(3, r.TestRows);
        Assert.Equal(2, r.TestUsers);
        Assert.Equal(2, r.TestRowsDroppedUnseenUser);
        Assert.Equal(1, r.TestRowsDroppedUnseenItem);
        Assert.Equal(1, r.TestPairsAlsoInTrain);
        Assert.Equal(0, r.DuplicatesMerged);
        Assert.Equal(0, r.UsersOnlyInTrain);
        Assert.False(d.Users.TryGetIndex("new", out _));
        Assert.False(d.Items.TryGetIndex("q", out _));
    }

    [Fact]
    public void ValidationFileSharesTheIndexSpace()
    {
        string train = _dir.Write("train.txt", "0 1 2 3\n1 2 3\n2\n");
        string valid = _dir.Write("valid.txt", "0 4\n1 1\n");
        string test = _dir.Write("test.txt", "0 9\n1 1 3\n2 1\n");
        var d = DatasetLoader.LoadFixed(train, test, valid, new ReadOptions { Format = DataFormat.Adjacency }, name: "tiny");
        Assert.Equal("tiny", d.Name);
        Assert.Equal(3, d.Users.Count); // user 2 has a user-only line in training
        Assert.Equal(0, d.Train.DegreeOf(U(d, "2")));
        Assert.NotNull(d.Validation);
        Assert.Equal(d.Users.Count, d.Validation.NumUsers);
        Assert.Equal(d.Items.Count, d.Validation.NumItems);
        Assert.Equal(1, d.Report.ValidationRows);
        Assert.Equal(1, d.Report.ValidationRowsDroppedUnseenItem);
        Assert.Equal(2, d.Report.TestRows);
        Assert.Equal(1, d.Report.TestRowsDroppedUnseenItem);
        Assert.Equal(1, d.Report.TestRowsDroppedUnseenUser);
        Assert.Equal(1, d.Report.TestPairsAlsoInTrain); // (1, 3)
    }

    [Fact]
    public void FromLogsMapsTestIdsThroughStrings()
    {
        var train = InteractionReader.Read(new StringReader("a x\nb y\n"), "train");
        var test = InteractionReader.Read(new StringReader("b x\na y\n"), "test"); // its own index order differs
        var d = DatasetLoader.FromLogs(train, test, name: "mem");
        Assert.True(d.Test.Contains(U(d, "b"), I(d, "x")));
        Assert.True(d.Test.Contains(U(d, "a"), I(d, "y")));
        Assert.Equal(2, d.Test.Count);
    }
}
