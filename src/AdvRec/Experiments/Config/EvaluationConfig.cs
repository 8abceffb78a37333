using AdvRec.Evaluation;

namespace AdvRec.Experiments.Config;

/// <summary>The <c>evaluation</c> section.</summary>
public sealed record EvaluationConfig
{
    /// <summary><c>cutoffs</c>: one integer or a list (each between 1 and top_k); default [top_k].</summary>
    public IReadOnlyList<int> Cutoffs { get; init; } = [10];

    /// <summary><c>simple_metrics</c>: metric names (HR, nDCG, Precision, Recall, MRR, MAP, ElliotMAP, AUC, and the rating errors RMSE and MAE); default every ranking metric.</summary>
    public IReadOnlyList<RankingMetric> SimpleMetrics { get; init; } = RankingMetrics.All;

    /// <summary><c>relevance_threshold</c>: a test item is relevant only if its rating is at least this; default none.</summary>
    public float? RelevanceThreshold { get; init; }

    /// <summary><c>graded_ndcg</c>: Elliot's graded nDCG gains instead of binary ones; default false.</summary>
    public bool GradedNdcg { get; init; }

    /// <summary><c>paired_ttest</c>: paired t-tests between models; default false.</summary>
    public bool PairedTTest { get; init; }

    /// <summary><c>wilcoxon_test</c>: Wilcoxon signed-rank tests between models; default false.</summary>
    public bool WilcoxonTest { get; init; }

    /// <summary>The robustness sweep (evaluation.robustness): the attack at every eps, with the random control; null = none.</summary>
    public RobustnessConfig? Robustness { get; init; }

    /// <summary>
    /// <c>eps</c>, <c>nb_iter</c>, <c>eps_iter</c>, <c>projection</c>: the attack of every model's eval_perturbations (a
    /// model's <c>meta</c> may override them); null when none is written, and then each model falls back to its own
    /// Elliot keys (<c>eps</c>, <c>nb_iter</c>, <c>eps_iter</c>) or to the defaults.
    /// </summary>
    public AttackBudgetConfig? Attack { get; init; }

    /// <summary>The evaluator options for these settings (other options at their defaults).</summary>
    public EvaluationOptions ToEvaluationOptions() => new()
    {
        Cutoffs = Cutoffs,
        Metrics = SimpleMetrics,
        RelevanceThreshold = RelevanceThreshold,
        GradedNdcg = GradedNdcg,
    };
}
