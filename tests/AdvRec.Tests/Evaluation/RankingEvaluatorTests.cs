using AdvRec.Data;
using AdvRec.Evaluation;
using AdvRec.Kernels;

namespace AdvRec.Tests.Evaluation;

public class RankingEvaluatorTests
{
    private const double Tol = 1e-12;

    /// <summary>Interactions from (user, item) pairs, with optional ratings.</summary>
    internal static Interactions Build(int users, int items, (int u, int i)[] pairs, float[]? ratings = null)
    {
        int[] us = pairs.Select(p => p.u).ToArray(), its = pairs.Select(p => p.i).ToArray();
        return ratings is null ? Interactions.Build(users, items, us, its) : Interactions.Build(users, items, us, its, ratings);
    }

    // Six items, five users:
    //   user 0: train {0}, test {3, 5}; scores 0.9 0.5 0.7 0.5 0.1 0.5 -> ranks 2, 3 (see PessimisticRanksTests).
    //   user 1: no test item -> skipped (no relevant item).
    //   user 2: train {1, 2}, test {4}; scores 0.2 0.9 0.8 0.3 0.3 0.4. Candidates 0, 3, 4, 5.
    //           Non-relevant at or above 0.3: item 3 (tie, counts against) and 5 -> pos 2; 3 negatives.
    //           The training items 1 and 2 score higher but are not candidates.
    //   user 3: train {0..4}, test {5} -> no non-relevant candidate -> skipped.
    //   user 4: train {0}, test {} -> skipped (no relevant item).
    private static (Interactions train, Interactions test, MatrixRecommender model) Example()
    {
        var train = Build(5, 6, [(0, 0), (2, 1), (2, 2), (3, 0), (3, 1), (3, 2), (3, 3), (3, 4), (4, 0)]);
        var test = Build(5, 6, [(0, 3), (0, 5), (2, 4), (3, 5)]);
        var model = new MatrixRecommender(new float[,]
        {
            { 0.9f, 0.5f, 0.7f, 0.5f, 0.1f, 0.5f },
            { 0, 0, 0, 0, 0, 0 },
            { 0.2f, 0.9f, 0.8f, 0.3f, 0.3f, 0.4f },
            { 0, 0, 0, 0, 0, 0 },
            { 0, 0, 0, 0, 0, 0 },
        });
        return (train, test, model);
    }

    [Fact]
    public void HandExample_AllMetrics()
    {
        var (train, test, model) = Example();
        var ev = new RankingEvaluator(train, test, new EvaluationOptions { Cutoffs = [3, 2] });
        var res = ev.Evaluate(model);

        Assert.Equal([2, 3], res.Cutoffs);
        Assert.Equal([0, 2], res.Users);
        Assert.Equal(2, res.UsersEvaluated);
        Assert.Equal(2, res.UsersSkippedNoRelevant);   // users 1 and 4
        Assert.Equal(1, res.UsersSkippedNoCandidates); // user 3
        Assert.Equal(0, res.RelevantInTraining);

        // k = 3. User 0 (ranks 2, 3): one hit at position 2. User 2 (rank 2): one hit at position 2.
        Assert.Equal(1.0, res.Mean(RankingMetric.HitRate, 3));
        Assert.Equal(1.0 / 3, res.Mean(RankingMetric.Precision, 3), Tol);      // (1/3 + 1/3) / 2
        Assert.Equal(0.75, res.Mean(RankingMetric.Recall, 3), Tol);            // (1/2 + 1) / 2
        Assert.Equal(1.0 / 3, res.Mean(RankingMetric.Mrr, 3), Tol);            // (1/3 + 1/3) / 2
        // nDCG: user 0 = (1/log2 4) / (1 + 1/log2 3) = 0.5 / 1.6309...; user 2 = (1/log2 4) / 1 = 0.5.
        double ndcg0 = 0.5 / (1 + 1 / Math.Log2(3));
        Assert.Equal([ndcg0, 0.5], res.PerUser(RankingMetric.Ndcg, 3));
        Assert.Equal((ndcg0 + 0.5) / 2, res.Mean(RankingMetric.Ndcg, 3), Tol);
        // AP: user 0 = (1/min(2,3)) * P@3 = (1/2)(1/3) = 1/6; user 2 = 1/3. Mean 1/4.
        Assert.Equal(0.25, res.Mean(RankingMetric.Map, 3), Tol);
        // Elliot MAP: both users (P@1 + P@2 + P@3)/3 = (0 + 0 + 1/3)/3 = 1/9.
        Assert.Equal(1.0 / 9, res.Mean(RankingMetric.ElliotMap, 3), Tol);
        // AUC: user 0: each relevant item has 1 of 3 negatives (item 4) below -> 1/3; user 2: 1 - 2/3 = 1/3.
        Assert.Equal(1.0 / 3, res.Mean(RankingMetric.Auc), Tol);

        // k = 2: no hit for anyone (the best rank is 2).
        foreach (var m in RankingMetrics.All.Where(m => m.HasCutoff()))
            Assert.Equal(0.0, res.Mean(m, 2));

        // Columns: per cutoff, the metrics with a cutoff; AUC last.
        Assert.Equal(2 * 7 + 1, res.Keys.Count);
        Assert.Equal(new MetricKey(RankingMetric.HitRate, 2), res.Keys[0]);
        Assert.Equal(new MetricKey(RankingMetric.Auc, 0), res.Keys[^1]);
        Assert.Throws<ArgumentException>(() => res.Mean(RankingMetric.Auc, 3));
        Assert.Throws<ArgumentException>(() => res.Mean(RankingMetric.HitRate));
        var missing = Assert.Throws<ArgumentException>(() => res.Mean(RankingMetric.HitRate, 10));
        Assert.Contains("HR@10 was not computed", missing.Message);
    }

    [Fact]
    public void TrainingItemsAreNotCandidates()
    {
        // Same as user 2 above, but without the training row the two items scored 0.9 and 0.8 count: pos 4.
        var (_, test, model) = Example();
        var emptyTrain = Build(5, 6, []);
        var res = new RankingEvaluator(emptyTrain, test, new EvaluationOptions { Cutoffs = [5], Metrics = [RankingMetric.Mrr, RankingMetric.Auc] })
            .Evaluate(model);
        int pos2 = res.Users.ToList().IndexOf(2);
        Assert.Equal(1.0 / 5, res.PerUser(RankingMetric.Mrr, 5)[pos2], Tol);
        // 5 negatives (items 0, 1, 2, 3, 5), 4 of them at or above 0.3: AUC = 1 - 4/5.
        Assert.Equal(1 - 4.0 / 5, res.PerUser(RankingMetric.Auc)[pos2], Tol);
    }

    [Fact]
    public void RelevantItemInTraining_CountsAsMiss()
    {
        // User 0: train {0, 1}, test {1, 2}: item 1 cannot be ranked; item 2 (score 0.5) is ranked below item 3 (0.6).
        var train = Build(1, 4, [(0, 0), (0, 1)]);
        var test = Build(1, 4, [(0, 1), (0, 2)]);
        var model = new MatrixRecommender(new float[,] { { 1f, 1f, 0.5f, 0.6f } });
        var ev = new RankingEvaluator(train, test, new EvaluationOptions { Cutoffs = [2] });
        Assert.Equal(1, ev.RelevantInTraining);
        var res = ev.Evaluate(model);
        Assert.Equal(1, res.RelevantInTraining);
        // Item 2 at position 1 of candidates {2, 3}: one hit in 2 relevant -> recall 1/2, precision 1/2.
        Assert.Equal(0.5, res.Mean(RankingMetric.Recall, 2), Tol);
        Assert.Equal(0.5, res.Mean(RankingMetric.Precision, 2), Tol);
        // One negative (item 3), above item 2 -> 0; item 1 unranked -> 0.
        Assert.Equal(0.0, res.Mean(RankingMetric.Auc), Tol);
    }

    [Fact]
    public void RelevanceThreshold_AndGradedNdcg()
    {
        // Ratings: user 0 rates item 1 with 5 and item 2 with 4, item 3 with 2 (below t = 4).
        // User 1 has only a rating 3 (below t) -> skipped.
        var train = Build(2, 5, [(0, 0), (1, 0)]);
        var test = Build(2, 5, [(0, 1), (0, 2), (0, 3), (1, 4)], [5f, 4f, 2f, 3f]);
        // Scores for user 0: item 2 first (0.9), item 3 (0.8, not relevant), item 1 (0.7), item 4 (0.1).
        var model = new MatrixRecommender(new float[,] { { 1f, 0.7f, 0.9f, 0.8f, 0.1f }, { 0, 0, 0, 0, 0 } });
        var options = new EvaluationOptions { Cutoffs = [3], RelevanceThreshold = 4f, Metrics = [RankingMetric.Ndcg, RankingMetric.Recall] };
        var res = new RankingEvaluator(train, test, options).Evaluate(model);
        Assert.Equal([0], res.Users);
        Assert.Equal(1, res.UsersSkippedNoRelevant);
        // Relevant {1, 2} at positions 2 and 0. Binary nDCG@3 = (1 + 1/log2 4) / (1 + 1/log2 3).
        Assert.Equal((1 + 0.5) / (1 + 1 / Math.Log2(3)), res.Mean(RankingMetric.Ndcg, 3), Tol);
        Assert.Equal(1.0, res.Mean(RankingMetric.Recall, 3), Tol);

        // Graded: gain(5) = 2^(5-4+1)-1 = 3 for item 1 (position 2), gain(4) = 1 for item 2 (position 0).
        // DCG = 1/log2 2 + 3/log2 4 = 2.5; IDCG = 3/log2 2 + 1/log2 3.
        var graded = new RankingEvaluator(train, test, options with { GradedNdcg = true }).Evaluate(model);
        Assert.Equal(2.5 / (3 + 1 / Math.Log2(3)), graded.Mean(RankingMetric.Ndcg, 3), Tol);

        // Without a threshold every test item is relevant (user 1 too).
        var all = new RankingEvaluator(train, test, options with { RelevanceThreshold = null }).Evaluate(model);
        Assert.Equal([0, 1], all.Users);
    }

    [Fact]
    public void LeaveOneOut_AucIsOneMinusPosOverNegatives()
    {
        var rng = new Xoshiro(11);
        int users = 30, items = 50;
        var model = MatrixRecommender.Random(users, items, 5, levels: 7);
        var trainPairs = new List<(int, int)>();
        var testPairs = new List<(int, int)>();
        var held = new int[users];
        for (int u = 0; u < users; u++)
        {
            int[] row = PessimisticRanksTests.Subset(ref rng, items, 0.3);
            if (row.Length < 2) row = [0, 1];
            held[u] = row[rng.NextInt(row.Length)];
            foreach (int i in row) (i == held[u] ? testPairs : trainPairs).Add((u, i));
        }
        var train = Build(users, items, [.. trainPairs]);
        var test = Build(users, items, [.. testPairs]);
        var res = new RankingEvaluator(train, test, new EvaluationOptions { Cutoffs = [10] }).Evaluate(model);
        double[] auc = res.PerUser(RankingMetric.Auc);
        double[] hr = res.PerUser(RankingMetric.HitRate, 10);
        double[] ndcg = res.PerUser(RankingMetric.Ndcg, 10);
        for (int p = 0; p < res.Users.Count; p++)
        {
            int u = res.Users[p];
            var negatives = Enumerable.Range(0, items).Where(i => !train.Contains(u, i) && i != held[u]).ToArray();
            int pos = negatives.Count(i => model[u, i] >= model[u, held[u]]);
            Assert.Equal(1 - (double)pos / negatives.Length, auc[p], Tol);
            Assert.Equal(pos < 10 ? 1.0 : 0.0, hr[p]);
            Assert.Equal(pos < 10 ? 1 / Math.Log2(pos + 2) : 0.0, ndcg[p], Tol);
        }
    }

    [Fact]
    public void MatchesBruteForceReference_OnRandomData()
    {
        for (ulong seed = 0; seed < 40; seed++)
        {
            var rng = new Xoshiro(seed);
            int users = 5 + rng.NextInt(30), items = 5 + rng.NextInt(60);
            var model = MatrixRecommender.Random(users, items, seed, levels: seed % 2 == 0 ? 5 : 0);
            var trainPairs = new List<(int, int)>();
            var testPairs = new List<(int, int)>();
            var ratings = new List<float>();
            for (int u = 0; u < users; u++)
            {
                foreach (int i in PessimisticRanksTests.Subset(ref rng, items, 0.4)) trainPairs.Add((u, i));
                foreach (int i in PessimisticRanksTests.Subset(ref rng, items, 0.15))
                {
                    // A few test items overlap training on purpose; ratings 1..5.
                    if (trainPairs.Contains((u, i)) && rng.NextInt(4) != 0) continue;
                    testPairs.Add((u, i));
                    ratings.Add(1 + rng.NextInt(5));
                }
            }
            var train = Build(users, items, [.. trainPairs]);
            var test = Build(users, items, [.. testPairs], [.. ratings]);
            int[] cutoffs = [1, 1 + rng.NextInt(items), items];
            float? threshold = seed % 3 == 0 ? null : 3f;
            bool graded = seed % 4 == 1;
            var options = new EvaluationOptions
            {
                Cutoffs = cutoffs,
                RelevanceThreshold = threshold,
                GradedNdcg = graded,
                UserBlockSize = 1 + rng.NextInt(7),
                MaxDegreeOfParallelism = 1 + rng.NextInt(3),
            };
            var res = new RankingEvaluator(train, test, options).Evaluate(model);
            var (refUsers, refValues) = BruteForce.Evaluate(model, train, test, res.Keys, threshold, graded);
            Assert.NotEmpty(refUsers);
            Assert.Equal(refUsers, res.Users);
            foreach (var key in res.Keys)
            {
                double[] actual = res.PerUser(key);
                for (int p = 0; p < actual.Length; p++)
                    Assert.True(Math.Abs(refValues[key][p] - actual[p]) < 1e-9,
                        $"seed {seed}, {key}, user {refUsers[p]}: expected {refValues[key][p]}, got {actual[p]}");
            }
        }
    }

    [Fact]
    public void SameResult_ForAnyBlockSizeAndParallelism()
    {
        var model = MatrixRecommender.Random(97, 40, 3, levels: 4);
        var rng = new Xoshiro(1);
        var trainPairs = new List<(int, int)>();
        var testPairs = new List<(int, int)>();
        for (int u = 0; u < 97; u++)
        {
            foreach (int i in PessimisticRanksTests.Subset(ref rng, 40, 0.5))
                (rng.NextInt(5) == 0 ? testPairs : trainPairs).Add((u, i));
        }
        var train = Build(97, 40, [.. trainPairs]);
        var test = Build(97, 40, [.. testPairs]);
        var baseline = new RankingEvaluator(train, test, new EvaluationOptions { Cutoffs = [5, 10], UserBlockSize = 1000, MaxDegreeOfParallelism = 1 })
            .Evaluate(model);
        foreach (var (block, dop) in new[] { (1, 4), (3, 2), (16, 8), (128, null as int?) })
        {
            var res = new RankingEvaluator(train, test, new EvaluationOptions { Cutoffs = [5, 10], UserBlockSize = block, MaxDegreeOfParallelism = dop })
                .Evaluate(model);
            foreach (var key in baseline.Keys) Assert.Equal(baseline.PerUser(key), res.PerUser(key));
        }
    }

    [Fact]
    public void ReportsProgress_AndScoresInBlocks()
    {
        var (train, test, model) = Example();
        var reports = new List<ProgressUpdate>();
        var sink = new SyncProgress(reports);
        new RankingEvaluator(train, test, new EvaluationOptions { Cutoffs = [3], UserBlockSize = 1, MaxDegreeOfParallelism = 1 }).Evaluate(model, sink);
        Assert.Equal(2, model.ScoreCalls);
        Assert.Equal(new ProgressUpdate("evaluate", 2, 2), reports[^1]);
    }

    [Fact]
    public void CutoffValidation()
    {
        var train = Build(1, 3172, []);
        var test = Build(1, 3172, [(0, 1)]);
        var e = Assert.Throws<ArgumentException>(() => new RankingEvaluator(train, test, new EvaluationOptions { Cutoffs = [10, 5000] }));
        Assert.StartsWith("cutoff 5000 is larger than the catalogue (3,172 items)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new RankingEvaluator(train, test, new EvaluationOptions { Cutoffs = [0] }));
        Assert.StartsWith("cutoff 0 must be at least 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => new RankingEvaluator(train, test, new EvaluationOptions { Cutoffs = [] }));
        Assert.StartsWith("at least one cutoff is needed", e.Message);
        e = Assert.Throws<ArgumentException>(() => new RankingEvaluator(train, test, new EvaluationOptions { Metrics = [] }));
        Assert.StartsWith("at least one metric is needed", e.Message);
        Assert.Throws<ArgumentException>(() => new RankingEvaluator(train, test, new EvaluationOptions { UserBlockSize = 0 }));
        Assert.Throws<ArgumentException>(() => new RankingEvaluator(train, test, new EvaluationOptions { MaxDegreeOfParallelism = 0 }));
        // The catalogue size itself is a valid cutoff; duplicates merge.
        var ev = new RankingEvaluator(train, test, new EvaluationOptions { Cutoffs = [3172, 10, 10] });
        Assert.Equal([10, 3172], ev.Cutoffs);
    }

    [Fact]
    public void ShapeMismatch_Throws()
    {
        var (train, test, _) = Example();
        var e = Assert.Throws<ArgumentException>(() => new RankingEvaluator(train, Build(5, 7, []), new EvaluationOptions { Cutoffs = [1] }));
        Assert.Contains("train has 5 users × 6 items but test has 5 × 7", e.Message);
        var ev = new RankingEvaluator(train, test, new EvaluationOptions { Cutoffs = [1] });
        e = Assert.Throws<ArgumentException>(() => ev.Evaluate(new MatrixRecommender(new float[5, 8])));
        Assert.Contains("the model has 5 users × 8 items but the data has 5 × 6", e.Message);
        Assert.Throws<ArgumentException>(() => ev.Evaluate(new MatrixRecommender(new float[4, 6])));
    }

    [Fact]
    public void OneShotOverload_AndCancellation()
    {
        var (train, test, model) = Example();
        var options = new EvaluationOptions { Cutoffs = [3] };
        var once = RankingEvaluator.Evaluate(model, train, test, options);
        var reused = new RankingEvaluator(train, test, options).Evaluate(model);
        foreach (var key in once.Keys) Assert.Equal(reused.PerUser(key), once.PerUser(key));

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        foreach (int dop in new[] { 1, 2 })
        {
            var ev = new RankingEvaluator(train, test, options with { UserBlockSize = 1, MaxDegreeOfParallelism = dop });
            Assert.ThrowsAny<OperationCanceledException>(() => ev.Evaluate(model, null, cts.Token));
        }
    }

    [Fact]
    public void ModelExceptions_AreNotWrapped()
    {
        var (train, test, _) = Example();
        var ev = new RankingEvaluator(train, test, new EvaluationOptions { Cutoffs = [1], UserBlockSize = 1, MaxDegreeOfParallelism = 2 });
        Assert.Throws<InvalidOperationException>(() => ev.Evaluate(new FailingRecommender()));
    }

    private sealed class FailingRecommender : IRecommender
    {
        public int NumUsers => 5;
        public int NumItems => 6;
        public void Score(ReadOnlySpan<int> users, Span<float> scores) => throw new InvalidOperationException("broken model");
    }

    private sealed class SyncProgress(List<ProgressUpdate> reports) : IProgress<ProgressUpdate>
    {
        public void Report(ProgressUpdate value)
        {
            lock (reports) reports.Add(value);
        }
    }
}
