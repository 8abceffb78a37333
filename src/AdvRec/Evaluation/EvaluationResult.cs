using System.Globalization;

namespace AdvRec.Evaluation;

/// <summary>
/// The outcome of one evaluation: for every computed <see cref="MetricKey"/> (a metric at a cutoff, or AUC
/// with cutoff 0), the value of each evaluated user and their mean. Per-user values are aligned with
/// <see cref="Users"/>, so that two results of the same evaluator can be compared user by user (paired tests).
/// </summary>
public sealed class EvaluationResult
{
    private readonly MetricKey[] _keys;
    private readonly double[][] _values;
    private readonly double[] _means;
    private readonly int[] _users;

    internal EvaluationResult(int[] cutoffs, RankingMetric[] metrics, MetricKey[] keys, double[][] values, int[] users,
        int usersSkippedNoRelevant, int usersSkippedNoCandidates, int relevantInTraining, int usersWithoutList,
        IReadOnlyDictionary<MetricKey, double>? pooled = null)
    {
        Cutoffs = cutoffs;
        Metrics = metrics;
        _keys = keys;
        _values = values;
        _users = users;
        UsersSkippedNoRelevant = usersSkippedNoRelevant;
        UsersSkippedNoCandidates = usersSkippedNoCandidates;
        RelevantInTraining = relevantInTraining;
        UsersWithoutList = usersWithoutList;
        _means = new double[keys.Length];
        for (int c = 0; c < keys.Length; c++)
        {
            double sum = 0;
            foreach (double v in values[c]) sum += v;
            _means[c] = users.Length == 0 ? double.NaN : sum / users.Length;
            if (pooled is not null && pooled.TryGetValue(keys[c], out double p)) _means[c] = p;
        }
    }

    /// <summary>The cutoffs, ascending.</summary>
    public IReadOnlyList<int> Cutoffs { get; }

    /// <summary>The metrics computed, in the order asked for (AUC is absent from evaluations of recommendation lists).</summary>
    public IReadOnlyList<RankingMetric> Metrics { get; }

    /// <summary>Every computed column: for each cutoff, each metric with a cutoff; then the metrics without one (AUC).</summary>
    public IReadOnlyList<MetricKey> Keys => _keys;

    /// <summary>The dense indices of the evaluated users, ascending; per-user values follow this order.</summary>
    public IReadOnlyList<int> Users => _users;

    /// <summary>Number of users evaluated.</summary>
    public int UsersEvaluated => _users.Length;

    /// <summary>
    /// Users skipped for having no relevant test item (no test item at all, or none at or above the relevance
    /// threshold). <see cref="UsersEvaluated"/> + this + <see cref="UsersSkippedNoCandidates"/> = the number of users.
    /// </summary>
    public int UsersSkippedNoRelevant { get; }

    /// <summary>Users with a relevant item but no non-relevant candidate (every item is a training or relevant item): nothing to rank against, so skipped.</summary>
    public int UsersSkippedNoCandidates { get; }

    /// <summary>Relevant (user, item) pairs that are also training pairs: they cannot be ranked and count as misses.</summary>
    public int RelevantInTraining { get; }

    /// <summary>When evaluating recommendation lists: evaluated users who had no list (all their metrics are 0). Otherwise 0.</summary>
    public int UsersWithoutList { get; }

    /// <summary>Whether <paramref name="key"/> was computed.</summary>
    public bool Contains(MetricKey key) => Array.IndexOf(_keys, key) >= 0;

    /// <summary>
    /// The mean over evaluated users of <paramref name="key"/> (NaN when no user was evaluated); for RMSE and MAE, the
    /// value pooled over every test rating of those users.
    /// </summary>
    /// <exception cref="ArgumentException">The key was not computed.</exception>
    public double Mean(MetricKey key) => _means[IndexOf(key)];

    /// <summary>The mean of <paramref name="metric"/> at <paramref name="cutoff"/>.</summary>
    /// <exception cref="ArgumentException">The metric has no cutoff (use <see cref="Mean(RankingMetric)"/>), or it was not computed at that cutoff.</exception>
    public double Mean(RankingMetric metric, int cutoff) => _means[IndexOf(metric, cutoff)];

    /// <summary>The mean of a metric without a cutoff (AUC).</summary>
    /// <exception cref="ArgumentException">The metric has a cutoff (use <see cref="Mean(RankingMetric, int)"/>), or it was not computed.</exception>
    public double Mean(RankingMetric metric) => _means[IndexOf(metric)];

    /// <summary>A copy of the per-user values of <paramref name="key"/>, aligned with <see cref="Users"/>.</summary>
    /// <exception cref="ArgumentException">The key was not computed.</exception>
    public double[] PerUser(MetricKey key) => (double[])_values[IndexOf(key)].Clone();

    /// <summary>A copy of the per-user values of <paramref name="metric"/> at <paramref name="cutoff"/>, aligned with <see cref="Users"/>.</summary>
    public double[] PerUser(RankingMetric metric, int cutoff) => (double[])_values[IndexOf(metric, cutoff)].Clone();

    /// <summary>A copy of the per-user values of a metric without a cutoff (AUC), aligned with <see cref="Users"/>.</summary>
    public double[] PerUser(RankingMetric metric) => (double[])_values[IndexOf(metric)].Clone();

    /// <summary>One line per column, "HR@10=0.1234 …", for logs and debugging.</summary>
    public override string ToString() =>
        string.Join(' ', _keys.Select((k, c) => string.Create(CultureInfo.InvariantCulture, $"{k}={_means[c]:0.0000}")));

    private int IndexOf(RankingMetric metric, int cutoff)
    {
        if (!metric.HasCutoff())
            throw new ArgumentException($"{metric.Name()} has no cutoff: call Mean({nameof(RankingMetric)}.{metric}) or use cutoff 0 in a {nameof(MetricKey)}", nameof(metric));
        return IndexOf(new MetricKey(metric, cutoff));
    }

    private int IndexOf(RankingMetric metric)
    {
        if (metric.HasCutoff())
            throw new ArgumentException($"{metric.Name()} needs a cutoff: call Mean({nameof(RankingMetric)}.{metric}, k)", nameof(metric));
        return IndexOf(new MetricKey(metric, 0));
    }

    private int IndexOf(MetricKey key)
    {
        int c = Array.IndexOf(_keys, key);
        if (c >= 0) return c;
        string computed = string.Join(", ", _keys);
        throw new ArgumentException($"{key} was not computed (computed: {computed})", nameof(key));
    }
}
