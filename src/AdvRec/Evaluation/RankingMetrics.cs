using System.Buffers;

namespace AdvRec.Evaluation;

/// <summary>
/// The ranking metrics of one user as pure functions of the ranks of the user's relevant items.
/// <para>
/// Input convention: <c>ranks</c> holds the 0-based position in the user's ranked list of every relevant
/// item, ascending and distinct; a relevant item that was not ranked at all (absent from a recommendation
/// list, or impossible to rank because it is also a training item) has rank <see cref="NotRanked"/>. The
/// number of relevant items is <c>ranks.Length</c>. A hit at cutoff k is a rank below k.
/// </para>
/// <para>
/// With the evaluator's pessimistic tie rule (ties count against the model) and one relevant item per
/// user, the single rank is PROTOCOLS §1's <c>pos</c>: HR@k = [pos &lt; k], nDCG@k = 1/log2(pos + 2) when
/// pos &lt; k, AUC = 1 − pos / #negatives.
/// </para>
/// </summary>
public static class RankingMetrics
{
    /// <summary>The rank of a relevant item that was not ranked (never a hit, contributes 0 to AUC).</summary>
    public const int NotRanked = int.MaxValue;

    /// <summary>
    /// The default metrics, in declaration order: every metric except <see cref="RankingMetric.RecallLiang"/>, which a
    /// study asks for by name (it equals Recall whenever a user has at most k relevant items).
    /// </summary>
    public static IReadOnlyList<RankingMetric> All { get; } =
    [
        RankingMetric.HitRate, RankingMetric.Ndcg, RankingMetric.Precision, RankingMetric.Recall,
        RankingMetric.Mrr, RankingMetric.Map, RankingMetric.ElliotMap, RankingMetric.Auc,
    ];

    /// <summary>Number of relevant items ranked within the top <paramref name="k"/>: #{j : ranks[j] &lt; k}.</summary>
    public static int Hits(ReadOnlySpan<int> ranks, int k)
    {
        int h = 0;
        while (h < ranks.Length && ranks[h] < k) h++;
        return h;
    }

    /// <summary>HR@k = 1 if some relevant item is ranked below k (0-based), else 0.</summary>
    public static double HitRate(ReadOnlySpan<int> ranks, int k)
    {
        CheckCutoff(k);
        return ranks.Length > 0 && ranks[0] < k ? 1.0 : 0.0;
    }

    /// <summary>Precision@k = hits@k / k (also when fewer than k items could be ranked, as in Elliot).</summary>
    public static double Precision(ReadOnlySpan<int> ranks, int k)
    {
        CheckCutoff(k);
        return (double)Hits(ranks, k) / k;
    }

    /// <summary>Recall@k = hits@k / |relevant|; 0 when there is no relevant item.</summary>
    public static double Recall(ReadOnlySpan<int> ranks, int k)
    {
        CheckCutoff(k);
        return ranks.Length == 0 ? 0.0 : (double)Hits(ranks, k) / ranks.Length;
    }

    /// <summary>
    /// Liang et al.'s Recall@k = hits@k / min(k, |relevant|) (the Mult-VAE paper's normalised recall); 0 when there is
    /// no relevant item. Equals <see cref="Recall"/> when |relevant| ≤ k.
    /// </summary>
    public static double RecallLiang(ReadOnlySpan<int> ranks, int k)
    {
        CheckCutoff(k);
        return ranks.Length == 0 ? 0.0 : (double)Hits(ranks, k) / Math.Min(k, ranks.Length);
    }

    /// <summary>MRR@k = 1 / (ranks[0] + 1) when the first hit is ranked below k, else 0.</summary>
    public static double Mrr(ReadOnlySpan<int> ranks, int k)
    {
        CheckCutoff(k);
        return ranks.Length > 0 && ranks[0] < k ? 1.0 / (ranks[0] + 1.0) : 0.0;
    }

    /// <summary>
    /// nDCG@k with binary gains: DCG = Σ over hits of 1/log2(rank + 2); IDCG = Σ_{p &lt; min(|relevant|, k)}
    /// 1/log2(p + 2); nDCG = DCG / IDCG (0 when there is no relevant item).
    /// </summary>
    public static double Ndcg(ReadOnlySpan<int> ranks, int k)
    {
        CheckCutoff(k);
        double dcg = 0;
        for (int j = 0; j < ranks.Length && ranks[j] < k; j++) dcg += 1.0 / Math.Log2(ranks[j] + 2.0);
        if (dcg == 0) return 0.0;
        int ideal = Math.Min(ranks.Length, k);
        double idcg = 0;
        for (int p = 0; p < ideal; p++) idcg += 1.0 / Math.Log2(p + 2.0);
        return dcg / idcg;
    }

    /// <summary>
    /// nDCG@k with graded gains (Elliot's nDCG): <paramref name="gains"/>[j] is the gain of the relevant item
    /// with rank ranks[j] (the evaluator uses 2^(r − t + 1) − 1 for rating r and relevance threshold t).
    /// DCG = Σ over hits of gain/log2(rank + 2); IDCG = Σ_{p &lt; min(|relevant|, k)} g_(p)/log2(p + 2) with the
    /// gains g_(0) ≥ g_(1) ≥ … sorted descending; nDCG = DCG / IDCG, and 0 when DCG is 0.
    /// </summary>
    public static double Ndcg(ReadOnlySpan<int> ranks, ReadOnlySpan<double> gains, int k)
    {
        CheckCutoff(k);
        if (gains.Length != ranks.Length) throw new ArgumentException($"{gains.Length} gains for {ranks.Length} ranks", nameof(gains));
        double dcg = 0;
        for (int j = 0; j < ranks.Length && ranks[j] < k; j++) dcg += gains[j] / Math.Log2(ranks[j] + 2.0);
        if (dcg == 0) return 0.0;

        double[]? rented = null;
        Span<double> sorted = gains.Length <= 64 ? stackalloc double[64] : (rented = ArrayPool<double>.Shared.Rent(gains.Length));
        sorted = sorted[..gains.Length];
        gains.CopyTo(sorted);
        sorted.Sort();
        int ideal = Math.Min(gains.Length, k);
        double idcg = 0;
        for (int p = 0; p < ideal; p++) idcg += sorted[gains.Length - 1 - p] / Math.Log2(p + 2.0);
        if (rented is not null) ArrayPool<double>.Shared.Return(rented);
        return dcg / idcg;
    }

    /// <summary>
    /// MAP@k as textbook average precision: (1 / min(|relevant|, k)) · Σ over hits j (ranks[j] &lt; k) of
    /// Precision@(ranks[j] + 1) = (j + 1) / (ranks[j] + 1). 0 when there is no relevant item.
    /// </summary>
    public static double AveragePrecision(ReadOnlySpan<int> ranks, int k)
    {
        CheckCutoff(k);
        if (ranks.Length == 0) return 0.0;
        double sum = 0;
        for (int j = 0; j < ranks.Length && ranks[j] < k; j++) sum += (j + 1.0) / (ranks[j] + 1.0);
        return sum / Math.Min(ranks.Length, k);
    }

    /// <summary>
    /// Elliot's "MAP@k" as coded: (1/k) · Σ_{n = 1..k} Precision@n, with Precision@n = hits@n / n.
    /// </summary>
    public static double ElliotMap(ReadOnlySpan<int> ranks, int k)
    {
        CheckCutoff(k);
        double sum = 0;
        int hits = 0;
        for (int n = 1; n <= k; n++)
        {
            while (hits < ranks.Length && ranks[hits] < n) hits++;
            if (hits == 0)
            {
                // No hit yet: skip ahead to the first hit (or the end).
                if (ranks.Length == 0 || ranks[0] >= k) break;
                n = ranks[0];
                continue;
            }
            sum += (double)hits / n;
        }
        return sum / k;
    }

    /// <summary>
    /// AUC of one user: the mean over the relevant items of the fraction of the user's
    /// <paramref name="numNegatives"/> non-relevant candidates ranked strictly below the item. The relevant
    /// item at ranks[j] has j relevant items and ranks[j] − j non-relevant ones above it, so it contributes
    /// (N − (ranks[j] − j)) / N; a <see cref="NotRanked"/> item contributes 0. With one relevant item of rank
    /// pos this is 1 − pos / N (PROTOCOLS §1). The mean of this over users is the pooled AUC over all (user,
    /// relevant item) pairs when every user has one relevant item, and otherwise Elliot's GAUC. Elliot's code
    /// divides by N + 1 (its <c>neg_num = n_items − |train| − |rel| + 1</c>); AdvRec uses the exact N. 0 when
    /// there is no relevant item.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numNegatives"/> is below 1.</exception>
    public static double Auc(ReadOnlySpan<int> ranks, int numNegatives)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numNegatives, 1);
        if (ranks.Length == 0) return 0.0;
        double sum = 0;
        for (int j = 0; j < ranks.Length && ranks[j] != NotRanked; j++)
            sum += (double)(numNegatives - (ranks[j] - j)) / numNegatives;
        return sum / ranks.Length;
    }

    /// <summary>
    /// The value of <paramref name="metric"/> for one user (the dispatcher the evaluator uses).
    /// <paramref name="cutoff"/> is ignored by AUC; <paramref name="numNegatives"/> is used by AUC only;
    /// non-empty <paramref name="gains"/> make nDCG graded.
    /// </summary>
    public static double Compute(RankingMetric metric, ReadOnlySpan<int> ranks, int cutoff, int numNegatives = 0,
        ReadOnlySpan<double> gains = default) => metric switch
        {
            RankingMetric.HitRate => HitRate(ranks, cutoff),
            RankingMetric.Ndcg => gains.IsEmpty ? Ndcg(ranks, cutoff) : Ndcg(ranks, gains, cutoff),
            RankingMetric.Precision => Precision(ranks, cutoff),
            RankingMetric.Recall => Recall(ranks, cutoff),
            RankingMetric.Mrr => Mrr(ranks, cutoff),
            RankingMetric.Map => AveragePrecision(ranks, cutoff),
            RankingMetric.ElliotMap => ElliotMap(ranks, cutoff),
            RankingMetric.Auc => Auc(ranks, numNegatives),
            RankingMetric.RecallLiang => RecallLiang(ranks, cutoff),
            _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown ranking metric"),
        };

    private static void CheckCutoff(int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "the cutoff must be at least 1");
    }
}
