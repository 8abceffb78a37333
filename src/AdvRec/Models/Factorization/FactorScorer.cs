using AdvRec.Kernels;

namespace AdvRec.Models.Factorization;

/// <summary>Scores with fixed factor tables (<c>bias[i] + P[u] · Q[i]</c>); used for perturbed views of a model.</summary>
internal sealed class FactorScorer(float[] p, float[] q, float[]? bias, int factors, int numUsers, int numItems) : IPerturbedView
{
    public int NumUsers => numUsers;

    public int NumItems => numItems;

    public void Score(ReadOnlySpan<int> users, Span<float> scores) =>
        FactorKernels.ScoreUsers(users, p, q, bias, factors, numItems, scores);

    // The tables are managed copies: nothing to free.
    public void Dispose()
    {
    }
}
