namespace AdvRec.Experiments.Config;

/// <summary>
/// What <see cref="StudyConfigLoader"/> needs to bind a model's hyperparameters: its default options record, the
/// config aliases of its properties (for example <c>lr</c> → <c>LearningRate</c>), and which properties are files.
/// </summary>
/// <param name="Defaults">The options record with its defaults, such as <c>new BprMfOptions()</c>.</param>
/// <param name="Aliases">Extra keys → property names (PascalCase); null for none.</param>
/// <param name="Paths">
/// Properties (PascalCase) whose values are files, such as AMR's <c>Pretrained</c>: the loader resolves them as it
/// resolves data paths (<c>{0}</c> is the dataset name, a relative path is relative to the config file) and reports a
/// missing file at its line; null for none.
/// </param>
public sealed record ModelSchema(object Defaults, IReadOnlyDictionary<string, string>? Aliases = null, IReadOnlyCollection<string>? Paths = null)
{
    /// <summary>
    /// Elliot's names for this model (its class names, such as <c>BPRMF</c> for BPR-MF), accepted as the model's key in a
    /// study; outputs keep the AdvRec name and run.log says which name was written.
    /// </summary>
    public IReadOnlyList<string> ElliotNames { get; init; } = [];

    /// <summary>Elliot's hyperparameters of this model that its options record has no property for, by key.</summary>
    public IReadOnlyDictionary<string, ElliotKey> ElliotKeys { get; init; } = new Dictionary<string, ElliotKey>();
}
