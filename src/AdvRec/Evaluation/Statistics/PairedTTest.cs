namespace AdvRec.Evaluation.Statistics;

/// <summary>
/// The paired (dependent samples) t-test, two-sided, as scipy.stats.ttest_rel: t = mean(d) / (sd(d) / √n) with
/// d = a − b, sd with n − 1 in the denominator, and n − 1 degrees of freedom. Use it to compare two models (or a
/// model before and after an attack) on the same users' per-user metric values.
/// </summary>
public static class PairedTTest
{
    /// <summary>Tests whether mean(a − b) differs from 0.</summary>
    /// <remarks>
    /// Degenerate cases: n &lt; 2 gives t = NaN and p = NaN. When every difference is 0, t = 0/0 is NaN and p = 1 (the
    /// samples are identical: no evidence of a difference; scipy reports NaN for both). When every difference is the
    /// same nonzero value, t = ±∞ and p = 0.
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths differ, or a value is NaN or infinite.</exception>
    public static PairedTTestResult Test(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double[] d = PairedSamples.Differences(a, b);
        int n = d.Length;
        double df = n - 1;
        if (n == 0) return new PairedTTestResult(double.NaN, df, double.NaN, double.NaN, 0);
        double mean = 0;
        foreach (double x in d) mean += x;
        mean /= n;
        if (n < 2) return new PairedTTestResult(double.NaN, df, double.NaN, mean, n);

        bool constant = true;
        foreach (double x in d) constant &= x == d[0];
        if (constant)
            return d[0] == 0
                ? new PairedTTestResult(double.NaN, df, 1, 0, n)
                : new PairedTTestResult(d[0] > 0 ? double.PositiveInfinity : double.NegativeInfinity, df, 0, d[0], n);

        double ss = 0;
        foreach (double x in d) ss += (x - mean) * (x - mean);
        double sd = Math.Sqrt(ss / df);
        double t = mean / (sd / Math.Sqrt(n));
        return new PairedTTestResult(t, df, SpecialFunctions.StudentTTwoSided(t, df), mean, n);
    }

    /// <summary>Tests the per-user values of <paramref name="key"/> of two evaluations of the same users (a − b).</summary>
    /// <exception cref="ArgumentException">The evaluations are over different users, or the key was not computed in both.</exception>
    public static PairedTTestResult Test(EvaluationResult a, EvaluationResult b, MetricKey key)
    {
        var (x, y) = PairedSamples.PerUser(a, b, key);
        return Test(x, y);
    }
}
