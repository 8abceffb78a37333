namespace AdvRec.Evaluation.Statistics;

/// <summary>
/// The Wilcoxon signed-rank test, two-sided, as scipy.stats.wilcoxon with its defaults (zero_method "wilcox",
/// no continuity correction): differences d = a − b that are exactly 0 are dropped, |d| is ranked with average
/// ranks for ties, and the statistic is W = min(W+, W−). The p-value comes from the exact null distribution when
/// at most <see cref="ExactMaxN"/> differences remain and their magnitudes have no ties; otherwise from the normal
/// approximation with the tie correction of the variance.
/// </summary>
public static class WilcoxonSignedRank
{
    /// <summary>The largest number of nonzero differences for which the exact distribution is used.</summary>
    public const int ExactMaxN = 50;

    /// <summary>The <see cref="WilcoxonResult.Method"/> of an exact p-value.</summary>
    public const string ExactMethod = "exact";

    /// <summary>The <see cref="WilcoxonResult.Method"/> of a p-value from the normal approximation.</summary>
    public const string NormalMethod = "normal";

    /// <summary>Tests whether the differences a − b are symmetric about 0.</summary>
    /// <remarks>When every difference is 0, nothing is left to rank: W = 0, N = 0, p = 1 (scipy raises an error).</remarks>
    /// <exception cref="ArgumentException">The lengths differ, or a value is NaN or infinite.</exception>
    public static WilcoxonResult Test(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double[] all = PairedSamples.Differences(a, b);
        double[] d = all.Where(x => x != 0).ToArray();
        int n = d.Length;
        if (n == 0) return new WilcoxonResult(0, 0, 1, ExactMethod);

        // Rank |d| ascending, ties getting the average of the ranks they span.
        int[] order = Enumerable.Range(0, n).ToArray();
        double[] magnitude = d.Select(Math.Abs).ToArray();
        Array.Sort(magnitude.ToArray(), order);
        double plus = 0, minus = 0, tieTerm = 0;
        bool ties = false;
        for (int start = 0; start < n;)
        {
            int end = start + 1;
            while (end < n && magnitude[order[end]] == magnitude[order[start]]) end++;
            int t = end - start;
            double rank = (start + 1 + end) / 2.0; // mean of ranks start+1 … end
            if (t > 1)
            {
                ties = true;
                tieTerm += (double)t * t * t - t;
            }
            for (int k = start; k < end; k++)
            {
                if (d[order[k]] > 0) plus += rank;
                else minus += rank;
            }
            start = end;
        }
        double w = Math.Min(plus, minus);

        if (n <= ExactMaxN && !ties)
            return new WilcoxonResult(w, n, Math.Min(1, 2 * ExactLowerTail(n, (int)w)), ExactMethod);

        double mean = n * (n + 1.0) / 4;
        double variance = n * (n + 1.0) * (2 * n + 1.0) / 24 - tieTerm / 48;
        double z = (w - mean) / Math.Sqrt(variance);
        return new WilcoxonResult(w, n, SpecialFunctions.NormalTwoSided(z), NormalMethod);
    }

    /// <summary>Tests the per-user values of <paramref name="key"/> of two evaluations of the same users (a − b).</summary>
    /// <exception cref="ArgumentException">The evaluations are over different users, or the key was not computed in both.</exception>
    public static WilcoxonResult Test(EvaluationResult a, EvaluationResult b, MetricKey key)
    {
        var (x, y) = PairedSamples.PerUser(a, b, key);
        return Test(x, y);
    }

    /// <summary>
    /// P(W+ ≤ <paramref name="w"/>) under the null hypothesis for <paramref name="n"/> untied ranks: each of the 2^n
    /// sign patterns is equally likely, and the number of subsets of {1, …, n} with each sum is counted by dynamic
    /// programming (exact in 64-bit integers up to n = 62).
    /// </summary>
    internal static double ExactLowerTail(int n, int w)
    {
        if (n is < 0 or > 62) throw new ArgumentOutOfRangeException(nameof(n), n, "exact distribution needs 0 ≤ n ≤ 62");
        long[] counts = ExactCounts(n);
        if (w < 0) return 0;
        long below = 0;
        for (int s = 0; s <= Math.Min(w, counts.Length - 1); s++) below += counts[s];
        return below / Math.Pow(2, n);
    }

    /// <summary>counts[s] = the number of subsets of {1, …, n} whose elements sum to s, for s = 0 … n(n+1)/2.</summary>
    internal static long[] ExactCounts(int n)
    {
        var counts = new long[n * (n + 1) / 2 + 1];
        counts[0] = 1;
        int max = 0;
        for (int r = 1; r <= n; r++)
        {
            max += r;
            for (int s = max; s >= r; s--) counts[s] += counts[s - r];
        }
        return counts;
    }
}
