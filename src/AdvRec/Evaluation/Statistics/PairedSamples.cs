namespace AdvRec.Evaluation.Statistics;

/// <summary>Checks and differences of paired samples, shared by the paired tests.</summary>
internal static class PairedSamples
{
    /// <summary>a[i] − b[i], after checking that the lengths agree and every value is finite.</summary>
    public static double[] Differences(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"paired samples must have equal lengths (got {a.Length} and {b.Length})", nameof(b));
        var d = new double[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            if (!double.IsFinite(a[i]) || !double.IsFinite(b[i]))
                throw new ArgumentException($"pair {i} is not finite ({a[i]}, {b[i]})", double.IsFinite(a[i]) ? nameof(b) : nameof(a));
            d[i] = a[i] - b[i];
        }
        return d;
    }

    /// <summary>The per-user values of <paramref name="key"/> in two results over the same users, checked to be aligned.</summary>
    public static (double[] A, double[] B) PerUser(EvaluationResult a, EvaluationResult b, MetricKey key)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!a.Users.SequenceEqual(b.Users))
            throw new ArgumentException(
                $"the two evaluations are over different users ({a.UsersEvaluated} and {b.UsersEvaluated} users, not the same list): a paired test needs the same users",
                nameof(b));
        return (a.PerUser(key), b.PerUser(key));
    }
}
