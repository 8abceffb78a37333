using AdvRec.Evaluation;

namespace AdvRec.Tests.Evaluation;

public class RankingMetricsTests
{
    private const double Tol = 1e-12;
    private static readonly double Log2Of3 = Math.Log2(3); // 1.5849625007211562
    private static readonly double Log2Of5 = Math.Log2(5); // 2.321928094887362

    // Three relevant items at 0-based positions 0, 2 and 5 of the ranked list.
    private static readonly int[] Ranks025 = [0, 2, 5];

    [Fact]
    public void AtCutoff3_ThreeRelevantItems()
    {
        ReadOnlySpan<int> r = Ranks025;
        // Hits in the top 3: positions 0 and 2 -> 2.
        Assert.Equal(2, RankingMetrics.Hits(r, 3));
        Assert.Equal(1.0, RankingMetrics.HitRate(r, 3));
        // Precision = 2/3, Recall = 2/3 (three relevant items).
        Assert.Equal(2.0 / 3, RankingMetrics.Precision(r, 3), Tol);
        Assert.Equal(2.0 / 3, RankingMetrics.Recall(r, 3), Tol);
        // First hit at position 0 -> 1/1.
        Assert.Equal(1.0, RankingMetrics.Mrr(r, 3));
        // DCG = 1/log2(0+2) + 1/log2(2+2) = 1 + 0.5 = 1.5; IDCG (3 ideal slots) = 1 + 1/log2 3 + 1/log2 4.
        Assert.Equal(1.5 / (1 + 1 / Log2Of3 + 0.5), RankingMetrics.Ndcg(r, 3), Tol);
        // AP = (1/min(3,3)) * (P@1 + P@3) = (1/3) * (1/1 + 2/3) = 5/9.
        Assert.Equal(5.0 / 9, RankingMetrics.AveragePrecision(r, 3), Tol);
        // Elliot: mean of P@1, P@2, P@3 = (1 + 1/2 + 2/3) / 3 = 13/18.
        Assert.Equal(13.0 / 18, RankingMetrics.ElliotMap(r, 3), Tol);
    }

    [Fact]
    public void AtCutoff5_ThreeRelevantItems()
    {
        ReadOnlySpan<int> r = Ranks025;
        // Position 5 is still outside the top 5: 2 hits.
        Assert.Equal(2.0 / 5, RankingMetrics.Precision(r, 5), Tol);
        Assert.Equal(2.0 / 3, RankingMetrics.Recall(r, 5), Tol);
        // IDCG uses min(|rel|, k) = 3 slots, as at k = 3.
        Assert.Equal(1.5 / (1 + 1 / Log2Of3 + 0.5), RankingMetrics.Ndcg(r, 5), Tol);
        // AP = (1/min(3,5)) * (1 + 2/3) = 5/9.
        Assert.Equal(5.0 / 9, RankingMetrics.AveragePrecision(r, 5), Tol);
        // Elliot: (P@1..P@5) = 1, 1/2, 2/3, 2/4, 2/5 -> sum 46/15 -> / 5 = 46/75.
        Assert.Equal(46.0 / 75, RankingMetrics.ElliotMap(r, 5), Tol);
        // At k = 6 all three are hits: AP = (1/3)(1 + 2/3 + 3/6) = 13/18.
        Assert.Equal(13.0 / 18, RankingMetrics.AveragePrecision(r, 6), Tol);
    }

    [Fact]
    public void Auc_CountsNegativesAboveEachRelevantItem()
    {
        // 10 negatives. Rank 0 (j=0): 0 negatives above -> 10/10. Rank 2 (j=1): 2-1 = 1 above -> 9/10.
        // Rank 5 (j=2): 5-2 = 3 above -> 7/10. Mean = 2.6/3.
        Assert.Equal(2.6 / 3, RankingMetrics.Auc(Ranks025, 10), Tol);
        // Leave-one-out: AUC = 1 - pos/#neg = 1 - 4/9.
        Assert.Equal(1 - 4.0 / 9, RankingMetrics.Auc([4], 9), Tol);
        Assert.Equal(1.0, RankingMetrics.Auc([0], 9), Tol);
        Assert.Equal(0.0, RankingMetrics.Auc([9], 9), Tol);
        Assert.Throws<ArgumentOutOfRangeException>(() => RankingMetrics.Auc([0], 0));
    }

    [Fact]
    public void NoHitWithinCutoff_GivesZeros()
    {
        int[] r = [4];
        foreach (var m in new[] { RankingMetric.HitRate, RankingMetric.Ndcg, RankingMetric.Precision, RankingMetric.Recall,
                     RankingMetric.Mrr, RankingMetric.Map, RankingMetric.ElliotMap })
            Assert.Equal(0.0, RankingMetrics.Compute(m, r, 3));
        // Empty relevant set: zeros too.
        Assert.Equal(0.0, RankingMetrics.Ndcg([], 3));
        Assert.Equal(0.0, RankingMetrics.Recall([], 3));
        Assert.Equal(0.0, RankingMetrics.AveragePrecision([], 3));
        Assert.Equal(0.0, RankingMetrics.ElliotMap([], 3));
    }

    [Fact]
    public void LeaveOneOut_MatchesProtocolFormulas()
    {
        // PROTOCOLS §1: HR@K = [pos < K]; nDCG@K = 1/log2(pos + 2).
        Assert.Equal(1.0, RankingMetrics.HitRate([99], 100));
        Assert.Equal(0.0, RankingMetrics.HitRate([100], 100));
        Assert.Equal(1 / Math.Log2(99 + 2), RankingMetrics.Ndcg([99], 100), Tol);
        Assert.Equal(1.0 / 100, RankingMetrics.Mrr([99], 100), Tol);
        // One relevant item: AP@K = 1/(pos+1) = MRR.
        Assert.Equal(1.0 / 4, RankingMetrics.AveragePrecision([3], 100), Tol);
    }

    [Fact]
    public void NotRankedItems_AreMissesAndCountInRecallDenominator()
    {
        int[] r = [1, RankingMetrics.NotRanked];
        // One hit at position 1: P@2 = 1/2, R@2 = 1/2.
        Assert.Equal(0.5, RankingMetrics.Precision(r, 2));
        Assert.Equal(0.5, RankingMetrics.Recall(r, 2));
        // DCG = 1/log2 3; IDCG over min(2,2) slots = 1 + 1/log2 3.
        Assert.Equal(1 / Log2Of3 / (1 + 1 / Log2Of3), RankingMetrics.Ndcg(r, 2), Tol);
        // AUC with 5 negatives: j=0 rank 1 -> 1 negative above -> 4/5; unranked -> 0; mean 0.4.
        Assert.Equal(0.4, RankingMetrics.Auc(r, 5), Tol);
        // Elliot MAP@3: P@1 = 0, P@2 = 1/2, P@3 = 1/3 -> (5/6)/3.
        Assert.Equal(5.0 / 18, RankingMetrics.ElliotMap(r, 3), Tol);
    }

    [Fact]
    public void GradedNdcg_UsesGainsAndIdealOrder()
    {
        // Ratings 4 and 5 with threshold t = 4: gains 2^(4-4+1)-1 = 1 and 2^(5-4+1)-1 = 3.
        // The gain-1 item is at position 0, the gain-3 item at position 3.
        int[] r = [0, 3];
        double[] g = [1, 3];
        // k = 4: DCG = 1/log2 2 + 3/log2 5; IDCG = 3/log2 2 + 1/log2 3 (gains sorted descending).
        double idcg = 3 + 1 / Log2Of3;
        Assert.Equal((1 + 3 / Log2Of5) / idcg, RankingMetrics.Ndcg(r, g, 4), Tol);
        // k = 2: DCG = 1 (position 3 is cut off); IDCG unchanged (2 slots).
        Assert.Equal(1 / idcg, RankingMetrics.Ndcg(r, g, 2), Tol);
        // k = 1: DCG = 1; IDCG = 3 (one slot).
        Assert.Equal(1.0 / 3, RankingMetrics.Ndcg(r, g, 1), Tol);
        // Equal gains reduce to binary nDCG.
        Assert.Equal(RankingMetrics.Ndcg(r, 4), RankingMetrics.Ndcg(r, [7.0, 7.0], 4), Tol);
        // Through the dispatcher.
        Assert.Equal(1 / idcg, RankingMetrics.Compute(RankingMetric.Ndcg, r, 2, gains: g), Tol);
    }

    [Fact]
    public void ElliotMap_MatchesDirectDefinition()
    {
        // Direct (1/k) Σ_{n=1..k} hits(n)/n against the implementation's skip-ahead loop.
        var rng = new AdvRec.Kernels.Xoshiro(7);
        for (int trial = 0; trial < 500; trial++)
        {
            int m = rng.NextInt(5);
            var set = new SortedSet<int>();
            while (set.Count < m) set.Add(rng.NextInt(30));
            int[] ranks = [.. set];
            int k = 1 + rng.NextInt(25);
            double expected = 0;
            for (int n = 1; n <= k; n++) expected += (double)ranks.Count(x => x < n) / n;
            expected /= k;
            Assert.Equal(expected, RankingMetrics.ElliotMap(ranks, k), 1e-12);
        }
    }

    [Fact]
    public void CutoffBelowOne_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RankingMetrics.HitRate([0], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RankingMetrics.Ndcg([0], -1));
    }

    [Fact]
    public void NamesParsingAndDirection()
    {
        Assert.Equal("HR", RankingMetric.HitRate.Name());
        Assert.Equal("nDCG", RankingMetric.Ndcg.Name());
        Assert.Equal("ElliotMAP", RankingMetric.ElliotMap.Name());
        Assert.Equal("nDCG@100", new MetricKey(RankingMetric.Ndcg, 100).ToString());
        Assert.Equal("AUC", new MetricKey(RankingMetric.Auc, 0).ToString());
        foreach (var m in RankingMetrics.All)
        {
            Assert.True(m.HigherIsBetter());
            Assert.True(RankingMetricExtensions.TryParse(m.Name().ToLowerInvariant(), out var parsed));
            Assert.Equal(m, parsed);
            Assert.Equal(m != RankingMetric.Auc, m.HasCutoff());
        }
        Assert.True(RankingMetricExtensions.TryParse("HitRate", out var hr));
        Assert.Equal(RankingMetric.HitRate, hr);
        Assert.False(RankingMetricExtensions.TryParse("F1", out _));
        Assert.False(RankingMetricExtensions.TryParse(null, out _));
    }
}
