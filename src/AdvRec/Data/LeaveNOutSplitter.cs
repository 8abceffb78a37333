using AdvRec.Kernels;

namespace AdvRec.Data;

/// <summary>
/// Leave-N-out: for each user, the N latest rows (by timestamp; ties broken by the later row in the input) or N
/// rows at random are held out. A user with N rows or fewer keeps at least one in training (so holds out
/// rows − 1; a user with one row stays in training only).
/// </summary>
public sealed class LeaveNOutSplitter : Splitter
{
    /// <summary>Creates the splitter; <paramref name="n"/> ≥ 1 rows per user are held out.</summary>
    public LeaveNOutSplitter(int n = 1, bool byTime = true, bool validation = false)
        : base(validation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        N = n;
        ByTime = byTime;
    }

    /// <summary>Rows held out per user.</summary>
    public int N { get; }

    /// <summary>Whether the latest rows are held out (true) or random ones (false).</summary>
    public bool ByTime { get; }

    /// <inheritdoc/>
    public override string Description => $"leave-{N}-out {(ByTime ? "by time" : "at random")}";

    /// <inheritdoc/>
    public override bool NeedsTimestamps => ByTime;

    private protected override int HoldOut(Span<int> rows, long[] timestamps, ref Xoshiro rng)
    {
        int count = Math.Min(N, rows.Length - 1);
        if (ByTime) SortByTime(rows, timestamps);
        else MoveRandomToEnd(rows, count, ref rng);
        return count;
    }
}
