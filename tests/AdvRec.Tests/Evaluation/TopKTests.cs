using AdvRec.Kernels;

namespace AdvRec.Tests.Evaluation;

public class TopKTests
{
    [Fact]
    public void SmallExample_SortedDescending_TiesBySmallerIndex_SkipsExcluded()
    {
        //          0     1     2     3     4     5
        float[] s = [0.3f, 0.9f, 0.3f, 0.8f, 0.3f, 0.1f];
        var items = new int[3];
        var scores = new float[3];
        // Item 1 (0.9) is excluded: 3 (0.8), then the 0.3 ties in index order 0, 2 (4 is left out).
        int count = TopK.Select(s, [1], 3, items, scores);
        Assert.Equal(3, count);
        Assert.Equal([3, 0, 2], items);
        Assert.Equal([0.8f, 0.3f, 0.3f], scores);
    }

    [Fact]
    public void FewerCandidatesThanK_ReturnsWhatIsLeft()
    {
        float[] s = [1f, 2f, 3f];
        var items = new int[5];
        var scores = new float[5];
        Assert.Equal(2, TopK.Select(s, [1], 5, items, scores));
        Assert.Equal([2, 0], items[..2]);
        Assert.Equal(0, TopK.Select(s, [0, 1, 2], 5, items, scores));
        Assert.Equal(0, TopK.Select(s, [], 0, items, scores));
    }

    [Fact]
    public void NaN_RanksLast_AsNegativeInfinity()
    {
        float[] s = [float.NaN, 0f, float.NegativeInfinity, 1f];
        var items = new int[4];
        var scores = new float[4];
        Assert.Equal(4, TopK.Select(s, [], 4, items, scores));
        // -inf ties: NaN item 0 before item 2 by index.
        Assert.Equal([3, 1, 0, 2], items);
        Assert.Equal(float.NegativeInfinity, scores[2]);
    }

    [Fact]
    public void BadArguments_Throw()
    {
        float[] s = [1f, 2f, 3f];
        Assert.Throws<ArgumentOutOfRangeException>(() => TopK.Select(s, [], 3, new int[2], new float[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => TopK.Select(s, [], -1, new int[2], new float[3]));
        Assert.Throws<ArgumentException>(() => TopK.Select(s, [2, 1], 2, new int[2], new float[2]));
        Assert.Throws<ArgumentException>(() => TopK.Select(s, [1, 1], 2, new int[2], new float[2]));
        Assert.Throws<ArgumentException>(() => TopK.Select(s, [3], 2, new int[2], new float[2]));
    }

    [Fact]
    public void MatchesFullSort_OnRandomRows_WithAndWithoutTies()
    {
        for (ulong seed = 0; seed < 500; seed++)
        {
            var rng = new Xoshiro(seed);
            int n = 1 + rng.NextInt(300);
            // Two seeds in three draw from a handful of values, so that ties cross the k-th place.
            int levels = seed % 3 == 0 ? 0 : 1 + rng.NextInt(8);
            var s = new float[n];
            for (int i = 0; i < n; i++) s[i] = levels == 0 ? rng.NextFloat() : rng.NextInt(levels);
            int[] excluded = PessimisticRanksTests.Subset(ref rng, n, rng.NextDouble() * 0.6);
            int k = 1 + rng.NextInt(Math.Min(n + 5, 120));

            var expected = Enumerable.Range(0, n).Where(i => Array.BinarySearch(excluded, i) < 0)
                .OrderByDescending(i => s[i]).ThenBy(i => i).Take(k).ToArray();
            var items = new int[k];
            var scores = new float[k];
            int count = TopK.Select(s, excluded, k, items, scores);
            Assert.Equal(expected.Length, count);
            Assert.Equal(expected, items[..count]);
            Assert.Equal(expected.Select(i => s[i]), scores[..count]);
        }
    }
}
