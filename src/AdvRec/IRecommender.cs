namespace AdvRec;

/// <summary>
/// The one interface every model implements: the shape of its user and item space and the scores of all
/// items for a block of users. Everything else (top-K lists, removing training items, metrics, attacks)
/// is shared code built on this.
/// </summary>
public interface IRecommender
{
    /// <summary>Number of users (dense indices 0..NumUsers-1).</summary>
    int NumUsers { get; }

    /// <summary>Number of items (dense indices 0..NumItems-1).</summary>
    int NumItems { get; }

    /// <summary>
    /// Writes the score of every item for each user of <paramref name="users"/> into
    /// <paramref name="scores"/>, row-major: the score of item i for users[r] goes to
    /// <c>scores[r * NumItems + i]</c>. Higher means more recommended. Must be safe to call from several
    /// threads at once on disjoint outputs.
    /// </summary>
    void Score(ReadOnlySpan<int> users, Span<float> scores);
}
