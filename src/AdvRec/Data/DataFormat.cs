namespace AdvRec.Data;

/// <summary>The layout of an interaction file.</summary>
public enum DataFormat
{
    /// <summary>
    /// Told from the file's first lines: <c>::</c> separators are <see cref="MovieLens"/>; lines of a user and a varying
    /// number of items (or more than 4 fields) are <see cref="Adjacency"/>; rows of 2 to 4 tab-, comma- or
    /// space-separated fields are <see cref="Delimited"/>, and a header row (column names, or text above numbers) is
    /// skipped. A file that reads differently in two formats (every line 3 or 4 space-separated integers, no user
    /// repeated) is an error that lists the candidates. The choice is recorded in <see cref="InteractionLog.Format"/>.
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
