using AdvRec.Experiments;

namespace AdvRec.Neural;

/// <summary>
/// The models of the neural engine, for <see cref="ModelRegistry.Combine"/>: one line per model, names as in the
/// papers. Every options record here has a <c>device</c> (cpu | cuda | auto) that <see cref="ModelContext.Device"/> overrides.
/// </summary>
public static class NeuralRegistry
{
    /// <summary>Every neural model definition.</summary>
    public static IReadOnlyList<ModelDefinition> Models { get; } =
    [
    ];

    /// <summary>The managed engine's models and these, in one table (what the CLI offers).</summary>
    public static IReadOnlyDictionary<string, ModelDefinition> All { get; } = ModelRegistry.Combine(Models);
}
