using AdvRec.Data;
using AdvRec.Kernels;

namespace AdvRec.Tests.Data;

public sealed class SplitterTests
{
    /// <summary>A log of <paramref name="users"/> users with 1..maxPerUser distinct items each, random timestamps.</summary>
    private static InteractionLog RandomLog(int users, int items, int maxPerUser, ulong seed)
    {
        var rng = new Xoshiro(seed);
        var us = new List<int>();
        var its = new List<int>();
        var ts = new List<long>();
        var perm = Enumerable.Range(0, items).ToArray();
        for (int u = 0; u < users; u++)
        {
            rng.Shuffle(perm.AsSpan());
            int n = 1 + rng.NextInt(maxPerUser);
            for (int k = 0; k < n; k++)
            {
                us.Add(u);
                its.Add(perm[k]);
                ts.Add(rng.NextInt(1000));
            }
        }
        return new InteractionLog("random log", IdMap.Sequential(users), IdMap.Sequential(items), [.. us], [.. its], null, [.. ts]);
    }

    /// <summary>The (user id, item id) pairs of a log.</summary>
    private static HashSet<(string, string)> Pairs(InteractionLog log)
    {
        var set = new HashSet<(string, string)>();
        for (int k = 0; k < log.Count; k++) set.Add((log.Users[log.UserIndices[k]], log.Items[log.ItemIndices[k]]));
        return set;
    }

    private static Dictionary<string, int> CountPerUser(InteractionLog log)
    {
        var counts = new Dictionary<string, int>();
        foreach (int u in log.UserIndices) counts[log.Users[u]] = counts.GetValueOrDefault(log.Users[u]) + 1;
        return counts;
    }

    private static void AssertPartition(InteractionLog log, SplitResult split)
    {
        var all = Pairs(log);
        var train = Pairs(split.Train);
        var test = Pairs(split.Test);
        var validation = split.Validation is null ? [] : Pairs(split.Validation);
        Assert.Equal(split.Train.Count, train.Count);
        Assert.Equal(split.Test.Count, test.Count);
        Assert.Empty(train.Intersect(test));
        Assert.Empty(train.Intersect(validation));
        Assert.Empty(test.Intersect(validation));
        Assert.Equal(all.Count, train.Count + test.Count + validation.Count);
        Assert.True(all.SetEquals(train.Union(test).Union(validation)));
        // Every user with interactions keeps at least one in training.
        var trainUsers = CountPerUser(split.Train);
        foreach (int u in log.UserIndices) Assert.True(trainUsers.ContainsKey(log.Users[u]));
    }

    [Fact]
    public void LeaveOneOutByTimePicksTheLatestWithTiesToTheLaterRow()
    {
        var log = InteractionReader.Read(new StringReader(
            "a x 1 10\na y 1 30\na z 1 20\n" +
            "b x 1 5\nb y 1 7\nb z 1 7\n" + // tie at 7: the later row (z) is the latest
            "c x 1 1\n"), "loo");
        var split = Splitter.LeaveOneOut().Split(log, 3);
        Assert.Equal([("a", "y"), ("b", "z")], Pairs(split.Test).OrderBy(p => p).ToArray());
        Assert.Equal(5, split.Train.Count);
        Assert.Equal(1, split.UsersOnlyInTrain); // c
        Assert.Equal(["a", "b", "c"], split.Train.Users.Ids);
        AssertPartition(log, split);
    }

    [Fact]
    public void LeaveOneOutAtRandomIsReproducibleAndSeedDependent()
    {
        var log = RandomLog(300, 50, 20, 1);
        var splitter = Splitter.LeaveOneOut(byTime: false);
        var first = splitter.Split(log, 7);
        var again = splitter.Split(log, 7);
        var other = splitter.Split(log, 8);
        Assert.True(Pairs(first.Test).SetEquals(Pairs(again.Test)));
        Assert.False(Pairs(first.Test).SetEquals(Pairs(other.Test)));
        AssertPartition(log, first);
        var perUser = CountPerUser(log);
        Assert.All(CountPerUser(first.Test).Values, count => Assert.Equal(1, count));
        Assert.Equal(perUser.Count(p => p.Value > 1), first.Test.Count);
        Assert.Equal(perUser.Count(p => p.Value == 1), first.UsersOnlyInTrain);
    }

    [Fact]
    public void LeaveNOutHoldsNButKeepsOneInTraining()
    {
        var log = RandomLog(200, 40, 12, 2);
        var split = new LeaveNOutSplitter(3).Split(log, 1);
        AssertPartition(log, split);
        var test = CountPerUser(split.Test);
        foreach (var (user, n) in CountPerUser(log)) Assert.Equal(Math.Min(3, n - 1), test.GetValueOrDefault(user));
        // By time: every held-out row is at least as late as every training row of the user.
        var latestTrain = new Dictionary<string, long>();
        for (int k = 0; k < split.Train.Count; k++)
        {
            string u = split.Train.Users[split.Train.UserIndices[k]];
            latestTrain[u] = Math.Max(latestTrain.GetValueOrDefault(u, long.MinValue), split.Train.Timestamps[k]);
        }
        for (int k = 0; k < split.Test.Count; k++)
            Assert.True(split.Test.Timestamps[k] >= latestTrain[split.Test.Users[split.Test.UserIndices[k]]]);
    }

    [Fact]
    public void RandomHoldOutTakesTheRatioPerUser()
    {
        var log = RandomLog(300, 60, 30, 3);
        var split = new HoldOutSplitter(0.25).Split(log, 5);
        AssertPartition(log, split);
        var test = CountPerUser(split.Test);
        foreach (var (user, n) in CountPerUser(log))
            Assert.Equal(Math.Min((int)Math.Round(0.25 * n, MidpointRounding.AwayFromZero), n - 1), test.GetValueOrDefault(user));
        Assert.True(Pairs(split.Test).SetEquals(Pairs(new HoldOutSplitter(0.25).Split(log, 5).Test)));
    }

    [Fact]
    public void TemporalHoldOutTakesTheLatestFraction()
    {
        var log = InteractionReader.Read(new StringReader(
            "a i1 1 5\na i2 1 1\na i3 1 4\na i4 1 2\na i5 1 3\n" +
            "b i1 1 1\nb i2 1 2\n"), "temporal");
        var split = new HoldOutSplitter(0.4, byTime: true).Split(log, 0);
        Assert.Equal([("a", "i1"), ("a", "i3"), ("b", "i2")], Pairs(split.Test).OrderBy(p => p).ToArray());
        AssertPartition(log, split);
    }

    [Fact]
    public void KFoldFoldsPartitionEachUsersRows()
    {
        var log = RandomLog(150, 40, 25, 4);
        const int k = 4;
        var tests = Enumerable.Range(0, k).Select(f => new KFoldSplitter(k, f).Split(log, 11)).ToArray();
        foreach (var split in tests) AssertPartition(log, split);
        var union = new HashSet<(string, string)>();
        int total = 0;
        foreach (var split in tests)
        {
            union.UnionWith(Pairs(split.Test));
            total += split.Test.Count;
        }
        Assert.Equal(union.Count, total); // folds are disjoint
        // Everything of users with at least two rows is tested exactly once.
        var multi = CountPerUser(log).Where(p => p.Value > 1).Sum(p => p.Value);
        Assert.Equal(multi, total);
        // Each fold holds out about a quarter of such a user's rows.
        foreach (var (user, n) in CountPerUser(log).Where(p => p.Value >= k))
        {
            foreach (var split in tests)
            {
                int held = CountPerUser(split.Test).GetValueOrDefault(user);
                Assert.InRange(held, n / k, (n + k - 1) / k);
            }
        }
    }

    [Fact]
    public void ValidationIsCarvedFromTrainingTheSameWay()
    {
        var log = RandomLog(200, 50, 15, 6);
        var split = new LeaveNOutSplitter(1, byTime: true, validation: true).Split(log, 9);
        Assert.NotNull(split.Validation);
        AssertPartition(log, split);
        var perUser = CountPerUser(log);
        var val = CountPerUser(split.Validation);
        foreach (var (user, n) in perUser) Assert.Equal(n >= 3 ? 1 : 0, val.GetValueOrDefault(user));
        // Validation rows are later than the remaining training rows, test rows later than validation rows.
        var d = DatasetLoader.FromLog(log, new LeaveNOutSplitter(1, true, true), 9);
        Assert.NotNull(d.Validation);
        for (int u = 0; u < d.Users.Count; u++)
        {
            var vt = d.Validation.TimestampsOf(u);
            if (vt.Length == 0) continue;
            foreach (long t in d.Train.TimestampsOf(u)) Assert.True(t <= vt[0]);
            Assert.True(d.Test.TimestampsOf(u)[0] >= vt[0]);
        }
    }

    [Fact]
    public void DuplicatesAreMergedBeforeSplitting()
    {
        var log = InteractionReader.Read(new StringReader(
            "a x 1 100\na y 2 50\na x 3 10\nb x 1 1\na z 4 60\nb q 1 2\na y 5 70\n"), "dups");
        var split = Splitter.LeaveOneOut().Split(log, 1);
        Assert.Equal(2, split.DuplicatesMerged);
        Assert.Equal([("a", "x"), ("b", "q")], Pairs(split.Test).OrderBy(p => p).ToArray()); // x's winning row has t=100
        Assert.Equal(1f, split.Test.Ratings[0]);
        Assert.Equal(3, split.Train.Count);
        var d = DatasetLoader.FromLog(log, Splitter.LeaveOneOut(), 1);
        Assert.Equal(2, d.Report.DuplicatesMerged);
        Assert.Equal([5f, 4f], d.Train.RatingsOf(0).ToArray()); // y (re-rated at t=70), z
    }

    [Fact]
    public void LoadAndSplitReadsAndSplitsAFile()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("ratings.dat", "1::10::5::100\n1::11::2::200\n1::12::4::300\n2::10::3::100\n2::13::5::50\n2::12::4::10\n3::10::5::1\n");
        var d = DatasetLoader.LoadAndSplit(path, Splitter.LeaveOneOut(), new ReadOptions { BinarizeThreshold = 4 }, 42);
        // Users 1 and 2 hold out their latest rows (12 and 10); user 3 stays in training only.
        Assert.Equal(2, d.Report.TestRows);
        Assert.Equal(1, d.Report.UsersOnlyInTrain);
        Assert.True(d.Test.Contains(U(d, "1"), I(d, "12")));
        Assert.True(d.Test.Contains(U(d, "2"), I(d, "10")));
        Assert.Equal([3f], d.Test.RatingsOf(U(d, "2")).ToArray()); // test keeps its rating below the threshold
        Assert.Equal(1, d.Report.RowsRemovedByBinarization); // (1, 11) rated 2
        Assert.Equal(4, d.Report.TrainRows);
        Assert.Contains("leave-1-out by time", d.Description);
    }

    [Fact]
    public void SplitOfAnAdjacencyLogKeepsUsersWithoutRows()
    {
        var log = InteractionReader.Read(new StringReader("0 1 2 3 4 5 6\n1\n2 1 2 3 4 5 6\n3 1 2 3 4 5 6\n"), "adj",
            new ReadOptions { Format = DataFormat.Adjacency });
        var d = DatasetLoader.FromLog(log, Splitter.LeaveOneOut(byTime: false), 5);
        Assert.Equal(["0", "1", "2", "3"], d.Users.Ids);
        Assert.Equal(0, d.Train.DegreeOf(1));
        Assert.Equal(15, d.Report.TrainRows);
        Assert.Equal(3, d.Report.TestRows + d.Report.TestRowsDroppedUnseenItem);
        Assert.Equal(d.Report.TrainItems, d.Items.Count);
    }

    [Fact]
    public void SplitterArgumentsAreChecked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeaveNOutSplitter(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HoldOutSplitter(1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HoldOutSplitter(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KFoldSplitter(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KFoldSplitter(5, 5));
        Assert.Equal("leave-1-out at random", Splitter.LeaveOneOut(byTime: false).Description);
        Assert.Equal("temporal hold-out of 0.2 per user", new HoldOutSplitter(0.2, byTime: true).Description);
        Assert.Equal("fold 2 of 5 (per-user k-fold)", new KFoldSplitter(5, 1).Description);
    }

    private static int U(Dataset d, string id) => d.Users.TryGetIndex(id, out int u) ? u : throw new KeyNotFoundException(id);

    private static int I(Dataset d, string id) => d.Items.TryGetIndex(id, out int i) ? i : throw new KeyNotFoundException(id);
}
