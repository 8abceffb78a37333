namespace AdvRec.Evaluation;

/// <summary>Names and properties of the <see cref="RankingMetric"/> values.</summary>
public static class RankingMetricExtensions
{
    /// <summary>
    /// The metric's display name: HR, nDCG, Precision, Recall, MRR, MAP, ElliotMAP, AUC, RMSE, MAE, RecallLiang. These names are
    /// also accepted by <see cref="TryParse"/>.
    /// </summary>
    public static string Name(this RankingMetric metric) => metric switch
    {
        RankingMetric.HitRate => "HR",
        RankingMetric.Ndcg => "nDCG",
        RankingMetric.Precision => "Precision",
        RankingMetric.Recall => "Recall",
        RankingMetric.Mrr => "MRR",
        RankingMetric.Map => "MAP",
        RankingMetric.ElliotMap => "ElliotMAP",
        RankingMetric.Auc => "AUC",
        RankingMetric.Rmse => "RMSE",
        RankingMetric.Mae => "MAE",
        RankingMetric.RecallLiang => "RecallLiang",
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown ranking metric"),
    };

    /// <summary>Whether a higher value is better: true for every ranking metric, false for the error metrics RMSE and MAE.</summary>
    public static bool HigherIsBetter(this RankingMetric metric) => metric switch
    {
        RankingMetric.HitRate or RankingMetric.Ndcg or RankingMetric.Precision or RankingMetric.Recall
            or RankingMetric.Mrr or RankingMetric.Map or RankingMetric.ElliotMap or RankingMetric.Auc or RankingMetric.RecallLiang => true,
        RankingMetric.Rmse or RankingMetric.Mae => false,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown ranking metric"),
    };

    /// <summary>Whether the metric is an error metric of predicted ratings (RMSE, MAE) rather than a ranking metric.</summary>
    public static bool IsRatingError(this RankingMetric metric) => metric is RankingMetric.Rmse or RankingMetric.Mae;

    /// <summary>Whether the metric is computed at a cutoff k (all but AUC, RMSE and MAE).</summary>
    public static bool HasCutoff(this RankingMetric metric) => metric switch
    {
        RankingMetric.Auc or RankingMetric.Rmse or RankingMetric.Mae => false,
        RankingMetric.HitRate or RankingMetric.Ndcg or RankingMetric.Precision or RankingMetric.Recall
            or RankingMetric.Mrr or RankingMetric.Map or RankingMetric.ElliotMap or RankingMetric.RecallLiang => true,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown ranking metric"),
    };

    /// <summary>
    /// Parses a metric name, case-insensitively: the display names (HR, nDCG, Precision, Recall, MRR, MAP,
    /// ElliotMAP, AUC, RMSE, MAE, RecallLiang) and the enum names (HitRate, Ndcg, Mrr, Map, ElliotMap, Auc); "nRecall" also names
    /// RecallLiang. "MAP" is the textbook average precision; Elliot's variant is "ElliotMAP".
    /// </summary>
    public static bool TryParse(string? name, out RankingMetric metric)
    {
        metric = default;
        if (string.IsNullOrWhiteSpace(name)) return false;
        switch (name.Trim().ToUpperInvariant())
        {
            case "HR": case "HITRATE": metric = RankingMetric.HitRate; return true;
            case "NDCG": metric = RankingMetric.Ndcg; return true;
            case "PRECISION": metric = RankingMetric.Precision; return true;
            case "RECALL": metric = RankingMetric.Recall; return true;
            case "MRR": metric = RankingMetric.Mrr; return true;
            case "MAP": metric = RankingMetric.Map; return true;
            case "ELLIOTMAP": metric = RankingMetric.ElliotMap; return true;
            case "AUC": metric = RankingMetric.Auc; return true;
            case "RMSE": metric = RankingMetric.Rmse; return true;
            case "MAE": metric = RankingMetric.Mae; return true;
            case "RECALLLIANG": case "NRECALL": metric = RankingMetric.RecallLiang; return true;
            default: return false;
        }
    }
}
