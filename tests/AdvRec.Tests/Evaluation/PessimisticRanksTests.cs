using AdvRec.Evaluation;
using AdvRec.Kernels;

namespace AdvRec.Tests.Evaluation;

public class PessimisticRanksTests
{
    [Fact]
    public void TiesCountAgainstTheModel_AndTrainingItemsAreNotCandidates()
    {
        // item:    0    1    2    3    4    5
        float[] s = [0.9f, 0.5f, 0.7f, 0.5f, 0.1f, 0.5f];
        // Item 0 is a training item (excluded); items 3 and 5 are relevant.
        // Non-relevant candidates: 1 (0.5), 2 (0.7), 4 (0.1).
        // rank(3) = #{1, 2} (score >= 0.5) + 0 = 2.
        // rank(5) = #{1, 2} + 1 (item 3 ties and has the smaller index) = 3.
        var ranks = new int[2];
        var order = new int[2];
        int negatives = PessimisticRanks.Compute(s, [0], [3, 5], ranks, order);
        Assert.Equal(3, negatives);
        Assert.Equal([2, 3], ranks);
        Assert.Equal([0, 1], order);
        // AUC: item 3 beats item 4 only (1/3); item 5 too (1/3): mean 1/3.
        Assert.Equal(1.0 / 3, RankingMetrics.Auc(ranks, negatives), 1e-12);

        // Without the exclusion item 0 (0.9) is one more non-relevant item above both.
        negatives = PessimisticRanks.Compute(s, [], [3, 5], ranks, order);
        Assert.Equal(4, negatives);
        Assert.Equal([3, 4], ranks);
    }

    [Fact]
    public void RelevantItemsAreOrderedByScoreThenIndex()
    {
        //         0     1     2     3     4
        float[] s = [0.2f, 0.8f, 0.5f, 0.9f, 0.5f];
        // Relevant 0, 1, 3 (positions 0, 1, 2 in the relevant list). Non-relevant: 2 (0.5), 4 (0.5).
        // Order: 3 (0.9) rank 0; 1 (0.8) rank 1; 0 (0.2): 2 non-relevant above + 2 relevant -> rank 4.
        var ranks = new int[3];
        var order = new int[3];
        int negatives = PessimisticRanks.Compute(s, [], [0, 1, 3], ranks, order);
        Assert.Equal(2, negatives);
        Assert.Equal([0, 1, 4], ranks);
        Assert.Equal([2, 1, 0], order);
    }

    [Fact]
    public void RelevantTrainingItem_IsNotRanked()
    {
        float[] s = [0.1f, 0.2f, 0.3f, 0.4f];
        var ranks = new int[2];
        var order = new int[2];
        // Item 3 is relevant and a training item; item 0 is relevant: non-relevant candidates 1, 2 above it.
        int negatives = PessimisticRanks.Compute(s, [3], [0, 3], ranks, order);
        Assert.Equal(2, negatives);
        Assert.Equal([2, RankingMetrics.NotRanked], ranks);
        Assert.Equal([0, 1], order);
    }

    [Fact]
    public void NaNScores_CountAgainstRelevantItems()
    {
        var ranks = new int[1];
        var order = new int[1];
        // A relevant NaN is -inf: every other candidate (NaN ones aside) is above it.
        Assert.Equal(3, PessimisticRanks.Compute([0.1f, float.NaN, -1f, float.NegativeInfinity], [], [1], ranks, order));
        Assert.Equal(3, ranks[0]);
        // A non-relevant NaN is never above a relevant item.
        PessimisticRanks.Compute([float.NaN, 0.5f, 0.6f], [], [1], ranks, order);
        Assert.Equal(1, ranks[0]);
    }

    [Theory]
    [InlineData(80, 0.4, 300)]   // few relevant items: vector counting
    [InlineData(600, 0.8, 40)]   // up to ~480 relevant items: binary-search path and pooled scratch
    public void MatchesFullSortReference_OnRandomRows(int maxItems, double maxRelevantShare, int seeds)
    {
        for (ulong seed = 0; seed < (ulong)seeds; seed++)
        {
            var rng = new Xoshiro(seed);
            int n = 1 + rng.NextInt(maxItems);
            int levels = seed % 3 == 0 ? 0 : 1 + rng.NextInt(6); // many ties on most seeds
            var s = new float[n];
            for (int i = 0; i < n; i++) s[i] = levels == 0 ? rng.NextFloat() : rng.NextInt(levels) - 2;
            if (seed % 7 == 0) s[rng.NextInt(n)] = -0f;
            if (seed % 5 == 0) for (int x = 0; x < 3; x++) s[rng.NextInt(n)] = float.NaN;
            int[] excluded = Subset(ref rng, n, rng.NextDouble() * 0.5);
            int[] relevant = Subset(ref rng, n, rng.NextDouble() * maxRelevantShare);
            var ranks = new int[relevant.Length];
            var order = new int[relevant.Length];
            int negatives = PessimisticRanks.Compute(s, excluded, relevant, ranks, order);

            // Reference: sort candidates by (score desc with NaN lowest, non-relevant before relevant, item asc);
            // a non-relevant NaN is placed below every relevant item.
            bool IsRel(int i) => Array.BinarySearch(relevant, i) >= 0;
            var candidates = Enumerable.Range(0, n).Where(i => Array.BinarySearch(excluded, i) < 0)
                .OrderBy(i => float.IsNaN(s[i]) && !IsRel(i) ? 1 : 0)
                .ThenByDescending(i => float.IsNaN(s[i]) ? float.NegativeInfinity : s[i])
                .ThenBy(i => IsRel(i) ? 1 : 0).ThenBy(i => i).ToList();
            var expected = relevant.Select((item, q) => (rank: candidates.IndexOf(item) is int p && p >= 0 ? p : RankingMetrics.NotRanked, q))
                .OrderBy(t => t.rank).ThenBy(t => t.q).ToArray();
            Assert.Equal(candidates.Count(i => !IsRel(i)), negatives);
            Assert.Equal(expected.Select(t => t.rank), ranks);
            Assert.Equal(expected.Select(t => t.q), order);
        }
    }

    [Fact]
    public void ManyRelevantItems_UsePooledScratch()
    {
        // 300 relevant items (above the stack limit), all tied with 100 non-relevant ones.
        int n = 400;
        var s = new float[n];
        int[] relevant = [.. Enumerable.Range(100, 300)];
        var ranks = new int[300];
        var order = new int[300];
        Assert.Equal(100, PessimisticRanks.Compute(s, [], relevant, ranks, order));
        Assert.Equal(Enumerable.Range(100, 300), ranks);
    }

    internal static int[] Subset(ref Xoshiro rng, int n, double p)
    {
        var list = new List<int>();
        for (int i = 0; i < n; i++) if (rng.NextDouble() < p) list.Add(i);
        return [.. list];
    }
}
