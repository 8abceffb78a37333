namespace AdvRec.Data;

/// <summary>The layout of an interaction file.</summary>
public enum DataFormat
{
    /// <summary>
    /// Chosen from the file: a <c>.dat</c> file or a first line containing <c>::</c> is <see cref="MovieLens"/>,
    /// anything else is <see cref="Delimited"/>. The adjacency format is never guessed: choose it explicitly.
    /// </summary>
    Auto,

    /// <summary>Headerless <c>user item [rating [timestamp]]</c> rows separated by tabs, commas or runs of spaces.</summary>
    Delimited,

    /// <summary>MovieLens <c>user::item::rating::timestamp</c> rows (as in <c>ratings.dat</c>); 2 to 4 columns.</summary>
    MovieLens,

    /// <summary>
    /// The LightGCN/NGCF adjacency format: one line per user, <c>user item item ...</c>, whitespace separated,
    /// implicit feedback (no ratings, no timestamps). A line with only a user declares a user without interactions.
    /// </summary>
    Adjacency,
}
