namespace AdvRec.Evaluation;

/// <summary>
/// The metrics that AdvRec computes: ranking metrics and, for models that predict ratings, the error metrics
/// RMSE and MAE. Definitions (see <see cref="RankingMetrics"/> for the exact
/// formulas) follow PROTOCOLS §7 and Elliot; every one of them is a mean over the evaluated users.
/// </summary>
public enum RankingMetric
{
    /// <summary>HR@k: 1 when at least one relevant item is in the top k, else 0.</summary>
    HitRate,

    /// <summary>nDCG@k: DCG of the top k divided by the ideal DCG (binary gains, or Elliot's graded gains as an option).</summary>
    Ndcg,

    /// <summary>Precision@k: hits in the top k divided by k.</summary>
    Precision,

    /// <summary>Recall@k: hits in the top k divided by the number of relevant items.</summary>
    Recall,

    /// <summary>MRR@k: 1 / (1-based rank of the first hit) when it is within the top k, else 0.</summary>
    Mrr,

    /// <summary>MAP@k, textbook average precision: the sum of Precision@(p+1) over the hits at 0-based positions p &lt; k, divided by min(|relevant|, k).</summary>
    Map,

    /// <summary>Elliot's "MAP" as coded: the mean of Precision@1 … Precision@k.</summary>
    ElliotMap,

    /// <summary>AUC (no cutoff): per user, the mean over relevant items of the fraction of non-relevant candidates ranked strictly below it.</summary>
    Auc,

    /// <summary>
    /// RMSE (no cutoff, lower is better): the root of the mean squared error between the model's predicted ratings
    /// (<see cref="IRatingPredictor"/>) and the test ratings, pooled over every test rating of the evaluated users.
    /// </summary>
    Rmse,

    /// <summary>MAE (no cutoff, lower is better): the mean absolute error of the predicted ratings, pooled like <see cref="Rmse"/>.</summary>
    Mae,

    /// <summary>
    /// Liang et al.'s Recall@k (Mult-VAE, strong generalisation): hits in the top k divided by min(k, |relevant|), so
    /// that a user with more than k relevant items can reach 1. Named <c>RecallLiang</c> apart from <see cref="Recall"/>.
    /// </summary>
    RecallLiang,
}
