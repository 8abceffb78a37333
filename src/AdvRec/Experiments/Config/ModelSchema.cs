namespace AdvRec.Experiments.Config;

/// <summary>
/// What <see cref="StudyConfigLoader"/> needs to bind a model's hyperparameters: its default options record and the
/// config aliases of its properties (for example <c>lr</c> → <c>LearningRate</c>).
/// </summary>
/// <param name="Defaults">The options record with its defaults, such as <c>new BprMfOptions()</c>.</param>
/// <param name="Aliases">Extra keys → property names (PascalCase); null for none.</param>
public sealed record ModelSchema(object Defaults, IReadOnlyDictionary<string, string>? Aliases = null);
