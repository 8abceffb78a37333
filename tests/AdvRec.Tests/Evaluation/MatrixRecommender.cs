using AdvRec.Kernels;

namespace AdvRec.Tests.Evaluation;

/// <summary>A test model whose scores are a fixed users × items matrix.</summary>
internal sealed class MatrixRecommender : IRecommender
{
    private readonly float[,] _scores;

    public MatrixRecommender(float[,] scores) => _scores = scores;

    public int NumUsers => _scores.GetLength(0);

    public int NumItems => _scores.GetLength(1);

    public int ScoreCalls;

    public void Score(ReadOnlySpan<int> users, Span<float> scores)
    {
        Interlocked.Increment(ref ScoreCalls);
        int n = NumItems;
        for (int r = 0; r < users.Length; r++)
            for (int i = 0; i < n; i++)
                scores[r * n + i] = _scores[users[r], i];
    }

    public float this[int user, int item] => _scores[user, item];

    /// <summary>Random scores; with <paramref name="levels"/> > 0 they take only that many values (many ties).</summary>
    public static MatrixRecommender Random(int users, int items, ulong seed, int levels = 0)
    {
        var rng = new Xoshiro(seed);
        var s = new float[users, items];
        for (int u = 0; u < users; u++)
            for (int i = 0; i < items; i++)
                s[u, i] = levels > 0 ? (float)(rng.NextUInt64() % (ulong)levels) : (float)(rng.NextUInt64() >> 40) / (1 << 24);
        return new MatrixRecommender(s);
    }
}
