namespace AdvRec.Data;

/// <summary>How to read interaction files and how to prepare their ratings.</summary>
public sealed record ReadOptions
{
    /// <summary>The default options: format and separator detected from the file, no binarisation.</summary>
    public static ReadOptions Default { get; } = new();

    /// <summary>The file layout; default <see cref="DataFormat.Auto"/> (told from the file's first lines); any other value forces it.</summary>
    public DataFormat Format { get; init; } = DataFormat.Auto;

    /// <summary>
    /// The column separator of <see cref="DataFormat.Delimited"/> files (given with <see cref="DataFormat.Auto"/>, it makes
    /// the file delimited); default null: detected from the first lines (a tab, else a comma, else runs of spaces). <c>' '</c> means runs of spaces and tabs;
    /// any other character separates columns exactly (fields are trimmed).
    /// </summary>
    public char? Separator { get; init; }

    /// <summary>
    /// When set, explicit ratings are binarised for training: rows with rating ≥ this threshold become implicit
    /// positives (rating 1) and the others are removed. Test and validation rows keep their ratings, so that the
    /// evaluator can apply the same value as a relevance threshold. Default null: ratings are kept as read.
    /// Files without ratings are unaffected.
    /// </summary>
    public float? BinarizeThreshold { get; init; }
}
