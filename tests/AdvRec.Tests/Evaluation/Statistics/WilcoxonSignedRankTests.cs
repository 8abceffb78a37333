using AdvRec.Evaluation.Statistics;

namespace AdvRec.Tests.Evaluation.Statistics;

public class WilcoxonSignedRankTests
{
    /// <summary>Darwin's Zea mays data (Fisher, The Design of Experiments): cross- minus self-fertilised heights, eighths of an inch.</summary>
    private static readonly double[] ZeaMays = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];

    [Fact]
    public void Darwin_data_exact_matches_scipy_documentation()
    {
        // |d| are 1 … 15 distinct; the negatives 48 and 67 have ranks 10 and 14, so W− = 24 = W.
        // scipy docs: wilcoxon(d) → statistic=24.0, pvalue=0.041259765625 (= 2 · 676 / 2^15).
        var r = WilcoxonSignedRank.Test(ZeaMays, new double[ZeaMays.Length]);
        Assert.Equal(24.0, r.Statistic);
        Assert.Equal(15, r.N);
        Assert.Equal(WilcoxonSignedRank.ExactMethod, r.Method);
        Assert.Equal(0.041259765625, r.PValue, 1e-15);
        Assert.Equal(r.PValue, EnumeratedPValue([.. ZeaMays]), 1e-15);
    }

    [Fact]
    public void Normal_tail_of_Darwin_data_matches_scipy_documentation()
    {
        // scipy docs: wilcoxon(d, method='approx') → statistic=24.0, pvalue=0.04088813291185591. By hand: n = 15,
        // mean n(n+1)/4 = 60, var n(n+1)(2n+1)/24 = 310, z = (24 − 60)/√310 = −2.04467 (no ties, no continuity correction).
        double z = (24 - 60) / Math.Sqrt(310);
        Assert.Equal(0.04088813291185591, SpecialFunctions.NormalTwoSided(z), 1e-12);
    }

    [Fact]
    public void Ties_use_the_normal_approximation_with_tie_correction()
    {
        // d = [1, 2, 2, −3, 4, 4, 4, 5, −6, 7] plus two zero differences (dropped): n = 10.
        // Ranks of |d|: 1 → 1; 2, 2 → 2.5; 3 → 4; 4, 4, 4 → 6; 5 → 8; 6 → 9; 7 → 10. W− = 4 + 9 = 13, W+ = 42, W = 13.
        // mean = 10·11/4 = 27.5; var = 10·11·21/24 − ((2³ − 2) + (3³ − 3))/48 = 96.25 − 0.625 = 95.625;
        // z = (13 − 27.5)/√95.625 = −1.48280; two-sided p = 2Φ(−1.4828) ≈ 0.13814 (normal table: Φ(1.48) = 0.93056,
        // Φ(1.49) = 0.93189, interpolated at 1.4828 → 0.93093).
        double[] d = [1, 2, 2, -3, 4, 4, 4, 5, -6, 7, 0, 0];
        var r = WilcoxonSignedRank.Test(d, new double[d.Length]);
        Assert.Equal(13.0, r.Statistic);
        Assert.Equal(10, r.N);
        Assert.Equal(WilcoxonSignedRank.NormalMethod, r.Method);
        Assert.Equal(SpecialFunctions.NormalTwoSided(-14.5 / Math.Sqrt(95.625)), r.PValue, 1e-15);
        Assert.Equal(0.13814, r.PValue, 2e-4);
    }

    [Fact]
    public void More_than_fifty_pairs_use_the_normal_approximation()
    {
        // d = 1 … 60 with the signs of multiples of 3 negative (untied): W− = 3·(1 + … + 20) = 630, W+ = 1830 − 630 = 1200.
        // mean = 60·61/4 = 915, var = 60·61·121/24 = 18452.5, z = (630 − 915)/√18452.5.
        double[] d = Enumerable.Range(1, 60).Select(i => i % 3 == 0 ? -(double)i : i).ToArray();
        var r = WilcoxonSignedRank.Test(d, new double[60]);
        Assert.Equal(630.0, r.Statistic);
        Assert.Equal(WilcoxonSignedRank.NormalMethod, r.Method);
        Assert.Equal(SpecialFunctions.NormalTwoSided(-285 / Math.Sqrt(18452.5)), r.PValue, 1e-15);
    }

    [Fact]
    public void Exact_distribution_matches_enumeration_of_all_sign_patterns()
    {
        for (int n = 1; n <= 14; n++)
        {
            // Enumerate: for every subset of {1..n} (the positively signed ranks), its rank sum W+.
            var counts = new long[n * (n + 1) / 2 + 1];
            for (int mask = 0; mask < 1 << n; mask++)
            {
                int sum = 0;
                for (int r = 1; r <= n; r++)
                    if ((mask & (1 << (r - 1))) != 0) sum += r;
                counts[sum]++;
            }
            Assert.Equal(counts, WilcoxonSignedRank.ExactCounts(n));
            long cumulative = 0;
            for (int w = 0; w < counts.Length; w++)
            {
                cumulative += counts[w];
                Assert.Equal(cumulative / Math.Pow(2, n), WilcoxonSignedRank.ExactLowerTail(n, w), 1e-15);
            }
        }
    }

    [Fact]
    public void Exact_p_values_of_random_samples_match_enumeration()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 20; trial++)
        {
            int n = rng.Next(1, 13);
            double[] a = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
            double[] b = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
            var r = WilcoxonSignedRank.Test(a, b);
            Assert.Equal(WilcoxonSignedRank.ExactMethod, r.Method);
            Assert.Equal(EnumeratedPValue(a.Zip(b, (x, y) => x - y).ToArray()), r.PValue, 1e-15);
        }
    }

    [Fact]
    public void Exact_p_is_capped_at_one_and_statistic_is_symmetric()
    {
        // d = [1, −2, 3, −4]: W+ = 1 + 3 = 4, W− = 6, W = 4. Subsets of {1, 2, 3, 4} with sum ≤ 4: {}, {1}, {2}, {3},
        // {4}, {1, 2}, {1, 3} → P(W+ ≤ 4) = 7/16, p = 2 · 7/16 = 0.875.
        var r = WilcoxonSignedRank.Test([1, -2, 3, -4], [0, 0, 0, 0]);
        Assert.Equal(4.0, r.Statistic);
        Assert.Equal(0.875, r.PValue, 1e-15);
        // d = [1, 2, −3]: W+ = W− = 3, the centre. P(W+ ≤ 3) = 5/8 ({}, {1}, {2}, {3}, {1, 2}); 2 · 5/8 > 1 → p = 1.
        var centre = WilcoxonSignedRank.Test([1, 2, -3], [0, 0, 0]);
        Assert.Equal(3.0, centre.Statistic);
        Assert.Equal(1.0, centre.PValue);
    }

    [Fact]
    public void All_zero_differences_give_p_one()
    {
        var r = WilcoxonSignedRank.Test([1.0, 2.0], [1.0, 2.0]);
        Assert.Equal(0, r.N);
        Assert.Equal(1.0, r.PValue);
    }

    [Fact]
    public void Unequal_lengths_are_rejected() =>
        Assert.Throws<ArgumentException>(() => WilcoxonSignedRank.Test([1.0, 2.0], [1.0]));

    /// <summary>
    /// Two-sided p by brute force: the fraction of the 2^n sign patterns whose W+ is at most the observed
    /// min(W+, W−), doubled and capped at 1. Needs untied, nonzero |d|.
    /// </summary>
    private static double EnumeratedPValue(double[] d)
    {
        int n = d.Length;
        var order = Enumerable.Range(0, n).OrderBy(i => Math.Abs(d[i])).ToArray();
        var rank = new int[n];
        for (int r = 0; r < n; r++) rank[order[r]] = r + 1;
        int plus = 0, total = n * (n + 1) / 2;
        for (int i = 0; i < n; i++)
            if (d[i] > 0) plus += rank[i];
        int w = Math.Min(plus, total - plus);
        long atMost = 0;
        for (int mask = 0; mask < 1 << n; mask++)
        {
            int sum = 0;
            for (int i = 0; i < n; i++)
                if ((mask & (1 << i)) != 0) sum += i + 1;
            if (sum <= w) atMost++;
        }
        return Math.Min(1, 2.0 * atMost / (1L << n));
    }
}
