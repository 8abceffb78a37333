using AdvRec.Data;
using AdvRec.Evaluation;
using AdvRec.Kernels;

namespace AdvRec.Tests.Evaluation;

public sealed class RecommendationFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>An id map whose original ids differ from the dense indices ("u10", "u11", …).</summary>
    private static IdMap Ids(string prefix, int count)
    {
        var map = new IdMap();
        for (int i = 0; i < count; i++) map.GetOrAdd(prefix + (10 + i).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return map;
    }

    private static (Interactions train, Interactions test, MatrixRecommender model) RandomSplit(ulong seed, int users, int items, int levels)
    {
        var rng = new Xoshiro(seed);
        var model = MatrixRecommender.Random(users, items, seed, levels);
        var trainPairs = new List<(int, int)>();
        var testPairs = new List<(int, int)>();
        for (int u = 0; u < users; u++)
            foreach (int i in PessimisticRanksTests.Subset(ref rng, items, 0.5))
                (rng.NextInt(4) == 0 ? testPairs : trainPairs).Add((u, i));
        return (RankingEvaluatorTests.Build(users, items, [.. trainPairs]), RankingEvaluatorTests.Build(users, items, [.. testPairs]), model);
    }

    [Fact]
    public void WriteThenRead_GivesTheSameLists_AndTheSameMetrics()
    {
        var (train, test, model) = RandomSplit(3, 40, 30, levels: 4); // many ties inside the lists
        var users = Ids("u", 40);
        var items = Ids("i", 30);
        var lists = TopKRecommender.Recommend(model, 10, train, maxDegreeOfParallelism: 2, userBlockSize: 7);
        string path = _dir.File("recs.tsv");
        RecommendationFile.Write(path, lists, users, items);
        Assert.Equal(["recs.tsv"], Directory.GetFiles(_dir.FullPath).Select(Path.GetFileName));

        var back = RecommendationFile.Read(path, users, items);
        Assert.Equal(lists.Count, back.Count);
        for (int l = 0; l < lists.Count; l++)
        {
            int b = back.IndexOfUser(lists.UserOf(l));
            Assert.Equal(lists.ItemsOf(l).ToArray(), back.ItemsOf(b).ToArray());
            Assert.Equal(lists.ScoresOf(l).ToArray(), back.ScoresOf(b).ToArray());
        }

        var ev = new RankingEvaluator(train, test, new EvaluationOptions { Cutoffs = [1, 5, 10, 20] });
        var inMemory = ev.Evaluate(lists);
        var fromFile = ev.EvaluateFile(path, users, items);
        Assert.DoesNotContain(RankingMetric.Auc, fromFile.Metrics);
        Assert.Equal(inMemory.Keys, fromFile.Keys);
        Assert.Equal(inMemory.Users, fromFile.Users);
        foreach (var key in inMemory.Keys) Assert.Equal(inMemory.PerUser(key), fromFile.PerUser(key));
    }

    [Fact]
    public void FullLengthLists_WithoutTies_AgreeWithModelEvaluation()
    {
        // Without ties the list order is the model's ranking, so every metric but AUC must agree.
        var (train, test, model) = RandomSplit(9, 25, 40, levels: 0);
        var lists = TopKRecommender.Recommend(model, 40, train);
        var ev = new RankingEvaluator(train, test, new EvaluationOptions { Cutoffs = [3, 10, 40] });
        var fromModel = ev.Evaluate(model);
        var fromLists = ev.Evaluate(lists);
        foreach (var key in fromLists.Keys)
        {
            double[] a = fromModel.PerUser(key), b = fromLists.PerUser(key);
            for (int p = 0; p < a.Length; p++) Assert.Equal(a[p], b[p], 1e-12);
        }
        Assert.Equal(fromModel.Keys.Count - 1, fromLists.Keys.Count);
    }

    [Fact]
    public void HandWrittenFile_MixedSeparators_TiesByItemIndex_ShortLists()
    {
        // Items i10..i14 are dense 0..4; users u10, u11 are 0, 1.
        var users = Ids("u", 3);
        var items = Ids("i", 5);
        string path = _dir.File("other-tool.csv");
        File.WriteAllText(path,
            "u10,i13,0.5\n" +
            "u10\ti11\t0.5\n" +   // ties with i13: i11 (index 1) comes first
            "u10 i14   0.9\n" +
            "\n" +
            "u11,i10,1e-3\n");
        var lists = RecommendationFile.Read(path, users, items);
        Assert.Equal(2, lists.Count);
        Assert.Equal([4, 1, 3], lists.ItemsOf(lists.IndexOfUser(0)).ToArray());
        Assert.Equal([0], lists.ItemsOf(lists.IndexOfUser(1)).ToArray());
        Assert.Equal(-1, lists.IndexOfUser(2));

        // Test: user 0 -> item 3 (position 2 of its list); user 1 -> item 2 (absent); user 2 -> item 0 (no list).
        var train = RankingEvaluatorTests.Build(3, 5, []);
        var test = RankingEvaluatorTests.Build(3, 5, [(0, 3), (1, 2), (2, 0)]);
        var res = new RankingEvaluator(train, test, new EvaluationOptions { Cutoffs = [2, 5] }).EvaluateFile(path, users, items);
        Assert.Equal(1, res.UsersWithoutList);
        Assert.Equal([0, 1, 2], res.Users);
        // HR@2: nobody (position 2 is the third place). HR@5: user 0 only -> 1/3; the cutoff is longer than every list.
        Assert.Equal(0.0, res.Mean(RankingMetric.HitRate, 2));
        Assert.Equal(1.0 / 3, res.Mean(RankingMetric.HitRate, 5), 1e-12);
        // MRR@5 of user 0 = 1/3; nDCG@5 = 1/log2(4) = 0.5.
        Assert.Equal([1.0 / 3, 0, 0], res.PerUser(RankingMetric.Mrr, 5));
        Assert.Equal([0.5, 0, 0], res.PerUser(RankingMetric.Ndcg, 5));
        Assert.Throws<ArgumentException>(() => res.Mean(RankingMetric.Auc));
    }

    [Theory]
    [InlineData("u10\ti10\t0.5\nu99\ti11\t0.4\n", 2, "unknown user id 'u99'")]
    [InlineData("u10\ti10\t0.5\nu10\ti77\t0.4\n", 2, "unknown item id 'i77'")]
    [InlineData("u10\ti10\t0.5\n\nu10\ti11\tabc\n", 3, "score 'abc' is not a number")]
    [InlineData("u10\ti10\tNaN\n", 1, "score 'NaN' is not a number")]
    [InlineData("u10\ti10\n", 1, "found 2 field(s)")]
    [InlineData("u10\ti10\t0.5\nu10\ti10\t0.4\n", 2, "item 'i10' is listed twice for user 'u10' (first on line 1)")]
    public void BadInput_NamesFileAndLine(string content, int line, string problem)
    {
        string path = _dir.File("bad.tsv");
        File.WriteAllText(path, content);
        var e = Assert.Throws<DataFormatException>(() => RecommendationFile.Read(path, Ids("u", 2), Ids("i", 2)));
        Assert.Equal(path, e.File);
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Problem);
        Assert.StartsWith($"{path}:{line}: ", e.Message);
    }

    [Fact]
    public void Write_ReplacesAnExistingFile_AndLeavesNoTemporaryFile()
    {
        var users = Ids("u", 2);
        var items = Ids("i", 3);
        string path = _dir.File("recs.tsv");
        File.WriteAllText(path, "old content that is longer than the new one\n");
        var lists = new RecommendationLists(2, 3, [1], [0, 2], [2, 0], [0.25f, -1.5f]);
        RecommendationFile.Write(path, lists, users, items);
        Assert.Equal("u11\ti12\t0.25\nu11\ti10\t-1.5\n", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir.FullPath));
    }

    [Fact]
    public void Lists_RejectBadShapes()
    {
        // Not ordered by score.
        Assert.Throws<ArgumentException>(() => new RecommendationLists(1, 3, [0], [0, 2], [0, 1], [0.1f, 0.2f]));
        // Equal scores, larger index first.
        Assert.Throws<ArgumentException>(() => new RecommendationLists(1, 3, [0], [0, 2], [1, 0], [0.2f, 0.2f]));
        // Repeated item, repeated user, NaN, out-of-range item.
        Assert.Throws<ArgumentException>(() => new RecommendationLists(1, 3, [0], [0, 3], [0, 1, 0], [0.3f, 0.2f, 0.1f]));
        Assert.Throws<ArgumentException>(() => new RecommendationLists(1, 3, [0, 0], [0, 1, 2], [0, 1], [0.3f, 0.2f]));
        Assert.Throws<ArgumentException>(() => new RecommendationLists(1, 3, [0], [0, 1], [0], [float.NaN]));
        Assert.Throws<ArgumentException>(() => new RecommendationLists(1, 3, [0], [0, 1], [3], [0f]));
    }

    [Fact]
    public void Recommend_ExcludesTrainingItems_AndValidatesK()
    {
        var model = new MatrixRecommender(new float[,] { { 0.9f, 0.1f, 0.5f, 0.5f }, { 0f, 0f, 0f, 1f } });
        var train = RankingEvaluatorTests.Build(2, 4, [(0, 0), (1, 0), (1, 1), (1, 2)]);
        var lists = TopKRecommender.Recommend(model, 3, train);
        Assert.Equal([0, 1], lists.Users.ToArray());
        Assert.Equal([2, 3, 1], lists.ItemsOf(0).ToArray()); // 0.5 tie: item 2 first
        Assert.Equal([3], lists.ItemsOf(1).ToArray());       // only one candidate left
        var only = TopKRecommender.Recommend(model, 2, null, users: [1]);
        Assert.Equal([3, 0], only.ItemsOf(0).ToArray());
        var e = Assert.Throws<ArgumentException>(() => TopKRecommender.Recommend(model, 5, train));
        Assert.StartsWith("the list length k = 5 is larger than the catalogue (4 items)", e.Message);
        Assert.Throws<ArgumentException>(() => TopKRecommender.Recommend(model, 0, train));
    }
}
