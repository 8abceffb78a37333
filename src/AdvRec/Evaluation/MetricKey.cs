namespace AdvRec.Evaluation;

/// <summary>
/// One computed column: a metric at a cutoff. Metrics without a cutoff (AUC) use cutoff 0.
/// <see cref="ToString"/> gives the display name, for example "nDCG@100" or "AUC".
/// </summary>
/// <param name="Metric">The metric.</param>
/// <param name="Cutoff">The cutoff k (1 or more), or 0 for a metric without a cutoff.</param>
public readonly record struct MetricKey(RankingMetric Metric, int Cutoff)
{
    /// <summary>The display name: the metric's name, then "@k" when it has a cutoff.</summary>
    public override string ToString() =>
        Metric.HasCutoff()
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Metric.Name()}@{Cutoff}")
            : Metric.Name();
}
