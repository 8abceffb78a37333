namespace AdvRec.Evaluation.Statistics;

/// <summary>The outcome of a <see cref="WilcoxonSignedRank"/> test (two-sided), as scipy.stats.wilcoxon reports it.</summary>
/// <param name="Statistic">W = min(W+, W−): the smaller of the rank sums of the positive and of the negative differences.</param>
/// <param name="N">Number of pairs used: those whose difference is not zero.</param>
/// <param name="PValue">Two-sided p-value. 1 when every difference is zero (N = 0).</param>
/// <param name="Method"><see cref="WilcoxonSignedRank.ExactMethod"/> (exact null distribution) or
/// <see cref="WilcoxonSignedRank.NormalMethod"/> (normal approximation with tie correction, no continuity correction).</param>
public sealed record WilcoxonResult(double Statistic, int N, double PValue, string Method);
