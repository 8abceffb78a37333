namespace AdvRec.Models;

/// <summary>A parameter table of a model that an attack may perturb: <paramref name="Rows"/> × <paramref name="Columns"/> floats, row-major.</summary>
/// <param name="Name">The table's name, for example "user_embeddings" or "item_embeddings".</param>
/// <param name="Rows">Number of rows (users, items, feature vectors).</param>
/// <param name="Columns">Length of one row.</param>
public sealed record PerturbationTarget(string Name, int Rows, int Columns);
