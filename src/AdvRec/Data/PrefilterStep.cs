using System.Globalization;

namespace AdvRec.Data;

/// <summary>
/// One prefiltering step of <see cref="Prefilter"/>, applied to an <see cref="InteractionLog"/> before splitting
/// (Elliot's <c>prefiltering</c> strategies). Counts are of rows, duplicates included, as in Elliot.
/// </summary>
public abstract record PrefilterStep
{
    /// <summary>A one-line description, such as "user 5-core".</summary>
    public abstract string Description { get; }

    /// <summary>Checks the step's settings; throws <see cref="ArgumentOutOfRangeException"/> naming the bad one.</summary>
    public abstract void Validate();
}

/// <summary>
/// Elliot's <c>global_threshold</c>: keeps the rows whose rating is at least <see cref="Threshold"/>, or at least
/// the mean rating of the rows still present when <see cref="Threshold"/> is null (Elliot's <c>threshold: average</c>).
/// A log without ratings reads every rating as 1.
/// </summary>
/// <param name="Threshold">The lowest rating kept; null for the global mean.</param>
public sealed record GlobalThresholdPrefilter(float? Threshold) : PrefilterStep
{
    /// <inheritdoc/>
    public override string Description =>
        Threshold is { } t ? string.Create(CultureInfo.InvariantCulture, $"global threshold {t}") : "global threshold at the average rating";

    /// <inheritdoc/>
    public override void Validate()
    {
        if (Threshold is { } t && float.IsNaN(t)) throw new ArgumentOutOfRangeException(nameof(Threshold), t, "threshold must be a number");
    }
}

/// <summary>Elliot's <c>user_k_core</c>: keeps the users with at least <see cref="Core"/> rows (one pass).</summary>
/// <param name="Core">The fewest rows a user keeps (at least 1).</param>
public sealed record UserKCorePrefilter(int Core) : PrefilterStep
{
    /// <inheritdoc/>
    public override string Description => $"user {Core}-core";

    /// <inheritdoc/>
    public override void Validate() => ArgumentOutOfRangeException.ThrowIfLessThan(Core, 1, nameof(Core));
}

/// <summary>Elliot's <c>item_k_core</c>: keeps the items with at least <see cref="Core"/> rows (one pass).</summary>
/// <param name="Core">The fewest rows an item keeps (at least 1).</param>
public sealed record ItemKCorePrefilter(int Core) : PrefilterStep
{
    /// <inheritdoc/>
    public override string Description => $"item {Core}-core";

    /// <inheritdoc/>
    public override void Validate() => ArgumentOutOfRangeException.ThrowIfLessThan(Core, 1, nameof(Core));
}

/// <summary>
/// Elliot's <c>iterative_k_core</c> (and <c>n_rounds_k_core</c> with <see cref="MaxRounds"/> = rounds): repeats a
/// user <see cref="Core"/>-core then an item <see cref="Core"/>-core pass until a round removes nothing or
/// <see cref="MaxRounds"/> rounds have run. The report says whether it became stable.
/// </summary>
/// <param name="Core">The fewest rows each surviving user and item keeps (at least 1).</param>
/// <param name="MaxRounds">The most rounds run (at least 1); default 100.</param>
public sealed record IterativeKCorePrefilter(int Core, int MaxRounds = 100) : PrefilterStep
{
    /// <inheritdoc/>
    public override string Description => $"iterative {Core}-core (at most {MaxRounds} rounds)";

    /// <inheritdoc/>
    public override void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Core, 1, nameof(Core));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRounds, 1, nameof(MaxRounds));
    }
}

/// <summary>
/// Elliot's <c>user_average</c>: keeps each user's rows rated at least that user's mean rating (over the rows still
/// present). A log without ratings keeps every row.
/// </summary>
public sealed record UserAveragePrefilter : PrefilterStep
{
    /// <inheritdoc/>
    public override string Description => "ratings at or above each user's average";

    /// <inheritdoc/>
    public override void Validate()
    {
    }
}

/// <summary>Elliot's <c>cold_users</c>: keeps only the users with at most <see cref="Threshold"/> rows (cold users).</summary>
/// <param name="Threshold">The most rows a kept user has (at least 1).</param>
public sealed record ColdUsersPrefilter(int Threshold) : PrefilterStep
{
    /// <inheritdoc/>
    public override string Description => $"cold users (at most {Threshold} rows)";

    /// <inheritdoc/>
    public override void Validate() => ArgumentOutOfRangeException.ThrowIfLessThan(Threshold, 1, nameof(Threshold));
}
