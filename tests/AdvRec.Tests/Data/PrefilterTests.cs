using AdvRec.Data;

namespace AdvRec.Tests.Data;

public sealed class PrefilterTests
{
    /// <summary>A log from (user, item, rating) rows with ids as given; timestamps are the row numbers.</summary>
    private static InteractionLog Log(params (string User, string Item, float Rating)[] rows)
    {
        var users = new IdMap();
        var items = new IdMap();
        var u = rows.Select(r => users.GetOrAdd(r.User)).ToArray();
        var i = rows.Select(r => items.GetOrAdd(r.Item)).ToArray();
        return new InteractionLog("test", users, items, u, i, [.. rows.Select(r => r.Rating)], [.. Enumerable.Range(0, rows.Length).Select(k => (long)k)]);
    }

    private static List<(string, string)> Pairs(InteractionLog log)
    {
        var result = new List<(string, string)>();
        for (int k = 0; k < log.Count; k++) result.Add((log.Users[log.UserIndices[k]], log.Items[log.ItemIndices[k]]));
        return result;
    }

    [Fact]
    public void UserAverageKeepsEachUsersRatingsAtOrAboveTheirMean()
    {
        // a's mean is 3 (5 and 3 stay), b's is 2 (2 and 3 stay), c keeps its one row
        var log = Log(("a", "x", 5), ("a", "y", 1), ("a", "z", 3), ("b", "x", 1), ("b", "y", 2), ("b", "z", 3), ("c", "x", 1));
        var result = Prefilter.Apply(log, [new UserAveragePrefilter()]);
        Assert.Equal([("a", "x"), ("a", "z"), ("b", "y"), ("b", "z"), ("c", "x")], Pairs(result.Log));
        Assert.Equal(2, Assert.Single(result.Steps).RowsRemoved);
    }

    [Fact]
    public void ColdUsersKeepsOnlyUsersWithAtMostThresholdRows()
    {
        var log = Log(("a", "x", 5), ("a", "y", 1), ("a", "z", 3), ("b", "x", 1), ("b", "y", 2), ("c", "x", 1));
        var result = Prefilter.Apply(log, [new ColdUsersPrefilter(2)]);
        Assert.Equal([("b", "x"), ("b", "y"), ("c", "x")], Pairs(result.Log));
        Assert.Equal(["b", "c"], result.Log.Users.Ids);
        Assert.Throws<ArgumentOutOfRangeException>(() => Prefilter.Apply(log, [new ColdUsersPrefilter(0)]));
    }

    [Fact]
    public void GlobalThresholdKeepsRatingsAtLeastT()
    {
        var log = Log(("a", "x", 5), ("a", "y", 2), ("b", "x", 3), ("c", "z", 1));
        var result = Prefilter.Apply(log, [new GlobalThresholdPrefilter(3)]);
        Assert.Equal([("a", "x"), ("b", "x")], Pairs(result.Log));
        Assert.Equal([5f, 3f], result.Log.Ratings.ToArray());
        Assert.Equal([0L, 2L], result.Log.Timestamps.ToArray());
        var report = Assert.Single(result.Steps);
        Assert.Equal(2, report.RowsRemoved);
        Assert.Equal(3f, report.Threshold);
        // dropped ids are gone from the maps
        Assert.Equal(["a", "b"], result.Log.Users.Ids);
        Assert.Equal(["x"], result.Log.Items.Ids);
    }

    [Fact]
    public void GlobalThresholdAverageUsesTheMean()
    {
        var log = Log(("a", "x", 5), ("a", "y", 2), ("b", "x", 3), ("c", "z", 2)); // mean 3
        var result = Prefilter.Apply(log, [new GlobalThresholdPrefilter(null)]);
        Assert.Equal(3f, result.Steps[0].Threshold);
        Assert.Equal([("a", "x"), ("b", "x")], Pairs(result.Log));
    }

    [Fact]
    public void GlobalThresholdWithoutRatingsKeepsEverything()
    {
        var users = IdMap.Sequential(2);
        var items = IdMap.Sequential(2);
        var log = new InteractionLog("implicit", users, items, [0, 1], [1, 0]);
        var result = Prefilter.Apply(log, [new GlobalThresholdPrefilter(null)]);
        Assert.Equal(2, result.Log.Count);
        Assert.False(result.Log.HasRatings);
        Assert.False(result.Log.HasTimestamps);
    }

    [Fact]
    public void UserAndItemKCoreAreSinglePasses()
    {
        // a: 3 rows, b: 2 rows, c: 1 row; x: 3 rows, y: 2 rows, z: 1 row
        var log = Log(("a", "x", 1), ("a", "y", 1), ("a", "z", 1), ("b", "x", 1), ("b", "y", 1), ("c", "x", 1));
        var users = Prefilter.Apply(log, [new UserKCorePrefilter(2)]);
        Assert.Equal(5, users.Log.Count);
        Assert.Equal(1, users.Steps[0].RowsRemoved);
        Assert.Equal(["a", "b"], users.Log.Users.Ids);

        var items = Prefilter.Apply(log, [new ItemKCorePrefilter(2)]);
        Assert.Equal([("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("c", "x")], Pairs(items.Log));
        Assert.Equal(1, items.Steps[0].RowsRemoved);
    }

    [Fact]
    public void StepsRunInOrderAndReportEach()
    {
        var log = Log(("a", "x", 5), ("a", "y", 1), ("b", "x", 4), ("b", "z", 5), ("c", "x", 5));
        var result = Prefilter.Apply(log, [new GlobalThresholdPrefilter(4), new UserKCorePrefilter(2)]);
        Assert.Equal([1, 2], result.Steps.Select(s => s.RowsRemoved));
        Assert.Equal([5, 4], result.Steps.Select(s => s.RowsBefore));
        Assert.Equal([("b", "x"), ("b", "z")], Pairs(result.Log));
    }

    [Fact]
    public void IterativeKCoreRepeatsUntilStable()
    {
        // 2-core: c has one row → removed; then item z has one row (from b) → removed; then b has one row → removed;
        // then item y has one row (from a) ... the chain collapses to the a/d block on x and w.
        var log = Log(
            ("a", "x", 1), ("a", "w", 1), ("a", "y", 1),
            ("d", "x", 1), ("d", "w", 1),
            ("b", "y", 1), ("b", "z", 1),
            ("c", "z", 1));
        var result = Prefilter.Apply(log, [new IterativeKCorePrefilter(2)]);
        var report = Assert.Single(result.Steps);
        Assert.True(report.Stable);
        Assert.True(report.Rounds >= 2);
        Assert.Equal([("a", "x"), ("a", "w"), ("d", "x"), ("d", "w")], Pairs(result.Log));
        Assert.Equal(4, report.RowsRemoved);

        // a single pass of each is not enough
        var once = Prefilter.Apply(log, [new UserKCorePrefilter(2), new ItemKCorePrefilter(2)]);
        Assert.True(once.Log.Count > 4);
    }

    [Fact]
    public void IterativeKCoreStopsAtTheRoundLimit()
    {
        var log = Log(
            ("a", "x", 1), ("a", "w", 1), ("a", "y", 1),
            ("d", "x", 1), ("d", "w", 1),
            ("b", "y", 1), ("b", "z", 1),
            ("c", "z", 1));
        var result = Prefilter.Apply(log, [new IterativeKCorePrefilter(2, MaxRounds: 1)]);
        var report = Assert.Single(result.Steps);
        Assert.Equal(1, report.Rounds);
        Assert.False(report.Stable);
        Assert.True(result.Log.Count > 4);
    }

    [Fact]
    public void InvalidStepsThrow()
    {
        var log = Log(("a", "x", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Prefilter.Apply(log, [new UserKCorePrefilter(0)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Prefilter.Apply(log, [new IterativeKCorePrefilter(2, 0)]));
    }

    [Fact]
    public void NoStepsCopiesTheLog()
    {
        var log = Log(("a", "x", 1), ("b", "y", 2));
        var result = Prefilter.Apply(log, []);
        Assert.Empty(result.Steps);
        Assert.Equal(Pairs(log), Pairs(result.Log));
        Assert.Equal("test", result.Log.Source);
    }
}
