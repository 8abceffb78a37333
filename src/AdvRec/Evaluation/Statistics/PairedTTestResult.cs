namespace AdvRec.Evaluation.Statistics;

/// <summary>The outcome of a <see cref="PairedTTest"/>, as scipy.stats.ttest_rel reports it (two-sided).</summary>
/// <param name="Statistic">The t statistic, mean(a − b) / (sd(a − b) / √n); positive when a is larger on average.
/// NaN when every difference is 0 or n &lt; 2; ±∞ when every difference is the same nonzero value.</param>
/// <param name="DegreesOfFreedom">n − 1.</param>
/// <param name="PValue">Two-sided p-value from Student's t distribution. 1 when every difference is 0 (no evidence of
/// any difference), 0 when every difference is the same nonzero value, NaN when n &lt; 2.</param>
/// <param name="MeanDifference">mean(a − b).</param>
/// <param name="N">Number of pairs.</param>
public sealed record PairedTTestResult(double Statistic, double DegreesOfFreedom, double PValue, double MeanDifference, int N);
