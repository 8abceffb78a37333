using AdvRec.Data;
using AdvRec.Evaluation;

namespace AdvRec.Tests.Evaluation;

/// <summary>
/// A deliberately naive reference evaluator: sorts every candidate list and applies each metric's textbook
/// definition to the sorted list, sharing no code with the library's metric functions.
/// </summary>
internal static class BruteForce
{
    public static (List<int> users, Dictionary<MetricKey, List<double>> values) Evaluate(MatrixRecommender model, Interactions train,
        Interactions test, IReadOnlyList<MetricKey> keys, float? threshold, bool graded)
    {
        var users = new List<int>();
        var values = keys.ToDictionary(k => k, _ => new List<double>());
        for (int u = 0; u < model.NumUsers; u++)
        {
            var testItems = test.ItemsOf(u).ToArray();
            var ratings = test.HasRatings ? test.RatingsOf(u).ToArray() : testItems.Select(_ => 1f).ToArray();
            var gain = new Dictionary<int, double>();
            for (int p = 0; p < testItems.Length; p++)
            {
                if (threshold is float t && test.HasRatings && ratings[p] < t) continue;
                gain[testItems[p]] = graded && test.HasRatings ? Math.Pow(2, ratings[p] - (threshold ?? 0f) + 1) - 1 : 1.0;
            }
            if (gain.Count == 0) continue;
            var candidates = Enumerable.Range(0, model.NumItems).Where(i => !train.Contains(u, i)).ToList();
            var negatives = candidates.Where(i => !gain.ContainsKey(i)).ToList();
            if (negatives.Count == 0) continue;
            users.Add(u);

            // Pessimistic order: score descending; among equal scores non-relevant first; then item index.
            var sorted = candidates.OrderByDescending(i => model[u, i]).ThenBy(i => gain.ContainsKey(i) ? 1 : 0).ThenBy(i => i).ToList();
            foreach (var key in keys)
            {
                int k = key.Cutoff;
                double v;
                switch (key.Metric)
                {
                    case RankingMetric.HitRate:
                        v = sorted.Take(k).Any(gain.ContainsKey) ? 1 : 0;
                        break;
                    case RankingMetric.Precision:
                        v = (double)sorted.Take(k).Count(gain.ContainsKey) / k;
                        break;
                    case RankingMetric.Recall:
                        v = (double)sorted.Take(k).Count(gain.ContainsKey) / gain.Count;
                        break;
                    case RankingMetric.Mrr:
                        int first = sorted.Take(k).ToList().FindIndex(gain.ContainsKey);
                        v = first < 0 ? 0 : 1.0 / (first + 1);
                        break;
                    case RankingMetric.Ndcg:
                        double dcg = 0;
                        for (int p = 0; p < Math.Min(k, sorted.Count); p++)
                            if (gain.TryGetValue(sorted[p], out double g)) dcg += g / Math.Log2(p + 2);
                        var ideal = gain.Values.OrderByDescending(x => x).Take(k).ToList();
                        double idcg = 0;
                        for (int p = 0; p < ideal.Count; p++) idcg += ideal[p] / Math.Log2(p + 2);
                        v = dcg == 0 ? 0 : dcg / idcg;
                        break;
                    case RankingMetric.Map:
                        double ap = 0;
                        for (int p = 0; p < Math.Min(k, sorted.Count); p++)
                            if (gain.ContainsKey(sorted[p])) ap += (double)sorted.Take(p + 1).Count(gain.ContainsKey) / (p + 1);
                        v = ap / Math.Min(gain.Count, k);
                        break;
                    case RankingMetric.ElliotMap:
                        double sum = 0;
                        for (int n = 1; n <= k; n++) sum += (double)sorted.Take(n).Count(gain.ContainsKey) / n;
                        v = sum / k;
                        break;
                    case RankingMetric.Auc:
                        // Per relevant item: the fraction of negatives scored strictly lower; unrankable (training) items 0.
                        double auc = 0;
                        foreach (int r in gain.Keys)
                            if (!train.Contains(u, r)) auc += (double)negatives.Count(i => model[u, i] < model[u, r]) / negatives.Count;
                        v = auc / gain.Count;
                        break;
                    default:
                        throw new InvalidOperationException();
                }
                values[key].Add(v);
            }
        }
        return (users, values);
    }
}
