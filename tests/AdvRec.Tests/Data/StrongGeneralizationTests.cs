using AdvRec.Data;
using AdvRec.Evaluation;
using AdvRec.Experiments.Config;

namespace AdvRec.Tests.Data;

public sealed class StrongGeneralizationTests
{
    // 20 users; user u has u + 1 items (user 0 has one item, so it can never be held out), ratings 1..5
    private static InteractionLog Log()
    {
        var users = new List<int>();
        var items = new List<int>();
        var ratings = new List<float>();
        for (int u = 0; u < 20; u++)
        {
            for (int i = 0; i <= u; i++)
            {
                users.Add(u);
                items.Add(i);
                ratings.Add(1 + (u + i) % 5);
            }
        }
        return new InteractionLog("hand-made", IdMap.Sequential(20), IdMap.Sequential(20), [.. users], [.. items], [.. ratings], null);
    }

    [Fact]
    public void ItemFeaturesKeepTheFitUsers()
    {
        var data = DatasetLoader.FromLog(Log(), new StrongGeneralizationSplitter(testUsers: 4, testRatio: 0.2), 5);
        Assert.NotNull(data.FitUsers);
        var features = AdvRec.Data.Features.ItemFeatures.FromAligned("test", new float[data.NumItems * 2], data.NumItems, 2);
        var withFeatures = data.WithItemFeatures(features);
        Assert.Equal(data.FitUsers, withFeatures.FitUsers);
        Assert.Same(features, withFeatures.ItemFeatures);
    }

    [Fact]
    public void HoldsOutWholeUsersAndFoldsInTheirOtherRows()
    {
        var log = Log();
        var split = new StrongGeneralizationSplitter(testUsers: 4, testRatio: 0.2).Split(log, 5);
        var testUsers = split.Test.Users.Ids.ToHashSet();
        Assert.Equal(4, testUsers.Count);
        Assert.DoesNotContain("0", testUsers); // one row: not eligible
        Assert.Equal(16, split.FitUsers!.Count);
        Assert.Empty(split.FitUsers.Intersect(testUsers));
        Assert.Equal(20, split.Train.Users.Count); // held-out users keep their fold-in rows in training
        Assert.Equal(log.Count, split.Train.Count + split.Test.Count);
        foreach (string id in testUsers)
        {
            int rows = int.Parse(id, System.Globalization.CultureInfo.InvariantCulture) + 1;
            int heldOut = split.Test.UserIndices.ToArray().Count(u => split.Test.Users[u] == id);
            Assert.Equal(Math.Max(1, (int)Math.Floor(0.2 * rows)), heldOut); // floor(20 %), at least one
        }
        Assert.Equal(0, split.UsersOnlyInTrain);
        // the same seed draws the same users, another seed (almost surely) others
        Assert.Equal(testUsers, new StrongGeneralizationSplitter(4).Split(log, 5).Test.Users.Ids.ToHashSet());
    }

    [Fact]
    public void ByTimeHoldsOutEachHeldOutUsersLatestRows()
    {
        // user u's item i has timestamp 100 − i: the latest rows are the smallest items
        var plain = Log();
        var times = Enumerable.Range(0, plain.Count).Select(k => 100L - plain.ItemIndices[k]).ToArray();
        var log = new InteractionLog("timed", plain.Users, plain.Items, plain.UserIndices.ToArray(), plain.ItemIndices.ToArray(), plain.Ratings.ToArray(), times);
        var splitter = new StrongGeneralizationSplitter(testUsers: 4, testRatio: 0.2, validation: true, validationUsers: 3, byTime: true);
        Assert.True(splitter.NeedsTimestamps);
        Assert.Contains("the latest 0.2", splitter.Description);
        var split = splitter.Split(log, 5);
        foreach (var part in new[] { split.Test, split.Validation! })
        {
            var users = part.UserIndices.ToArray();
            var items = part.ItemIndices.ToArray();
            foreach (int u in users.Distinct())
            {
                int rows = int.Parse(part.Users[u], System.Globalization.CultureInfo.InvariantCulture) + 1;
                var heldOut = users.Select((v, k) => (v, k)).Where(x => x.v == u).Select(x => int.Parse(part.Items[items[x.k]], System.Globalization.CultureInfo.InvariantCulture)).Order();
                Assert.Equal(Enumerable.Range(0, Math.Max(1, (int)Math.Floor(0.2 * rows))), heldOut); // the latest: items 0, 1, ...
            }
        }
        // the same users are held out as without by_time: only the rows within a user change
        Assert.Equal(new StrongGeneralizationSplitter(4, 0.2, true, 3).Split(log, 5).Test.Users.Ids.ToHashSet(), split.Test.Users.Ids.ToHashSet());
        Assert.Throws<DataFormatException>(() => splitter.Split(plain, 5)); // no timestamps
    }

    [Fact]
    public void ValidationUsersAreASecondDisjointSet()
    {
        var split = new StrongGeneralizationSplitter(testUsers: 0.2, validation: true, validationUsers: 3).Split(Log(), 1);
        var test = split.Test.Users.Ids.ToHashSet();
        var validation = split.Validation!.Users.Ids.ToHashSet();
        Assert.Equal(4, test.Count); // 20 % of 20 users
        Assert.Equal(3, validation.Count);
        Assert.Empty(test.Intersect(validation));
        Assert.Equal(13, split.FitUsers!.Count);
    }

    [Fact]
    public void TheDatasetNamesTheFitUsersAndTheEvaluatorSkipsFoldInItems()
    {
        var data = DatasetLoader.FromLog(Log(), new StrongGeneralizationSplitter(5), 9);
        Assert.Equal(15, data.FitUsers!.Count);
        foreach (int u in Enumerable.Range(0, data.NumUsers).Where(u => data.Test.DegreeOf(u) > 0))
        {
            Assert.DoesNotContain(u, data.FitUsers);
            Assert.True(data.Train.DegreeOf(u) > 0);
        }
        Assert.Null(DatasetLoader.FromLog(Log(), new HoldOutSplitter(0.2), 9).FitUsers);
    }

    [Fact]
    public void ImpossibleRequestsAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StrongGeneralizationSplitter(2.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StrongGeneralizationSplitter(0.1, testRatio: 1));
        var e = Assert.Throws<ArgumentException>(() => new StrongGeneralizationSplitter(15, validation: true, validationUsers: 5).Split(Log(), 1));
        Assert.Contains("19 users have the two or more rows", e.Message);
    }

    [Fact]
    public void RecallLiangDividesByTheSmallerOfKAndTheRelevantCount()
    {
        // 3 relevant items at ranks 0, 4, 30: Recall@2 = 1/3 (plain) and 1/2 (Liang); Recall@10 = 2/3 both
        int[] ranks = [0, 4, 30];
        Assert.Equal(1.0 / 3, RankingMetrics.Recall(ranks, 2), 12);
        Assert.Equal(1.0 / 2, RankingMetrics.RecallLiang(ranks, 2), 12);
        Assert.Equal(2.0 / 3, RankingMetrics.RecallLiang(ranks, 10), 12);
        Assert.Equal(0, RankingMetrics.RecallLiang([], 10));
        Assert.True(RankingMetricExtensions.TryParse("RecallLiang", out var m) && m == RankingMetric.RecallLiang);
        Assert.Equal("RecallLiang@20", new MetricKey(RankingMetric.RecallLiang, 20).ToString());
    }

    [Fact]
    public void TheEvaluatorComputesRecallLiangOnAHandMadeCase()
    {
        // one user, 6 items; training item 0; test items 1, 2, 3; scores rank 1 first, then 4, then 2 and 3 last
        var train = Interactions.Build(1, 6, [0], [0]);
        var test = Interactions.Build(1, 6, [0, 0, 0], [1, 2, 3]);
        var model = new FixedScores([9, 5, 1, 0, 4, 3]);
        var r = RankingEvaluator.Evaluate(model, train, test, new EvaluationOptions { Cutoffs = [2], Metrics = [RankingMetric.Recall, RankingMetric.RecallLiang] });
        Assert.Equal(1.0 / 3, r.Mean(RankingMetric.Recall, 2), 12);
        Assert.Equal(1.0 / 2, r.Mean(RankingMetric.RecallLiang, 2), 12);
    }

    [Fact]
    public void YamlNamesTheStrategyAndTheMetric()
    {
        using var dir = new TempDirectory();
        dir.Write("tiny.tsv", "u1\ti1\nu1\ti2\n");
        var config = AdvRec.Tests.Experiments.Config.ConfigTestSupport.Load(dir, """
            experiment:
              dataset: tiny
              data_config:
                strategy: dataset
                dataset_path: tiny.tsv
              splitting:
                test_splitting:
                  strategy: strong_generalization
                  held_out_users: 100
                  test_ratio: 0.2
                  by_time: true
              evaluation:
                cutoffs: [20, 100]
                simple_metrics: [RecallLiang, nDCG]
              models:
                BPR-MF:
                  meta:
                    epochs: 1
            """);
        Assert.Equal(SplitStrategy.StrongGeneralization, config.Splitting!.Test.Strategy);
        Assert.Equal(100, config.Splitting.Test.HeldOutUsers);
        Assert.True(config.Splitting.Test.ByTime);
        Assert.Contains(RankingMetric.RecallLiang, config.Evaluation.SimpleMetrics);
    }

    private sealed class FixedScores(float[] scores) : IRecommender
    {
        public int NumUsers => 1;

        public int NumItems => scores.Length;

        public void Score(ReadOnlySpan<int> users, Span<float> output) => scores.CopyTo(output);
    }
}
