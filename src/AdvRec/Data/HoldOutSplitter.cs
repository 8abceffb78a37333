using AdvRec.Kernels;

namespace AdvRec.Data;

/// <summary>
/// Hold-out by ratio, per user: round(ratio × rows) of each user's rows are held out, at random or the latest
/// ones (temporal hold-out; ties broken by the later row in the input). At least one row of each user stays in
/// training, so a user whose share rounds to zero (or who has one row) stays in training only.
/// </summary>
public sealed class HoldOutSplitter : Splitter
{
    /// <summary>Creates the splitter; <paramref name="ratio"/> in (0, 1) is the share of each user's rows held out.</summary>
    public HoldOutSplitter(double ratio = 0.2, bool byTime = false, bool validation = false)
        : base(validation)
    {
        if (!(ratio > 0 && ratio < 1)) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "the hold-out ratio must lie strictly between 0 and 1");
        Ratio = ratio;
        ByTime = byTime;
    }

    /// <summary>The share of each user's rows held out.</summary>
    public double Ratio { get; }

    /// <summary>Whether the latest rows are held out (temporal hold-out) or random ones.</summary>
    public bool ByTime { get; }

    /// <inheritdoc/>
    public override string Description =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(ByTime ? "temporal" : "random")} hold-out of {Ratio:0.###} per user");

    /// <inheritdoc/>
    public override bool NeedsTimestamps => ByTime;

    private protected override int HoldOut(Span<int> rows, long[] timestamps, ref Xoshiro rng)
    {
        int count = Math.Min((int)Math.Round(Ratio * rows.Length, MidpointRounding.AwayFromZero), rows.Length - 1);
        if (ByTime) SortByTime(rows, timestamps);
        else MoveRandomToEnd(rows, count, ref rng);
        return count;
    }
}
