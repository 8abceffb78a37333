using AdvRec.Kernels;

namespace AdvRec.Data;

/// <summary>
/// Per-user k-fold cross-validation: each user's rows are shuffled (with the user's own stream of the seed, so all
/// folds of one seed see the same shuffle) and dealt round robin into k folds; fold <see cref="Fold"/> is held out.
/// A user with fewer rows than folds holds out nothing in some folds; a user with one row stays in training only.
/// The validation part, when asked for, is the same fold of a fresh shuffle of the user's training rows.
/// </summary>
public sealed class KFoldSplitter : Splitter
{
    /// <summary>Creates the splitter for fold <paramref name="fold"/> (0-based) of <paramref name="folds"/> ≥ 2.</summary>
    public KFoldSplitter(int folds, int fold, bool validation = false)
        : base(validation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(fold);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(fold, folds);
        Folds = folds;
        Fold = fold;
    }

    /// <summary>Number of folds k.</summary>
    public int Folds { get; }

    /// <summary>The held-out fold, 0..k-1.</summary>
    public int Fold { get; }

    /// <inheritdoc/>
    public override string Description => $"fold {Fold + 1} of {Folds} (per-user k-fold)";

    /// <inheritdoc/>
    public override bool NeedsTimestamps => false;

    private protected override int HoldOut(Span<int> rows, long[] timestamps, ref Xoshiro rng)
    {
        rng.Shuffle(rows);
        // Positions p with p % Folds == Fold are held out; move them to the end, keeping the others in order.
        Span<int> shuffled = rows.ToArray();
        int front = 0, back = rows.Length;
        for (int p = shuffled.Length - 1; p >= 0; p--)
        {
            if (p % Folds == Fold) rows[--back] = shuffled[p];
        }
        for (int p = 0; p < shuffled.Length; p++)
        {
            if (p % Folds != Fold) rows[front++] = shuffled[p];
        }
        return Math.Min(rows.Length - back, rows.Length - 1);
    }
}
