using AdvRec.Adversarial;
using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Neural.Autoencoders;
using AdvRec.Neural.Sequential;

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
        new(Ease.ModelName, new ModelSchema(new EaseOptions(), new Dictionary<string, string> { ["l2_norm"] = nameof(EaseOptions.Lambda) }),
            (o, c) => new Ease((EaseOptions)o with { Device = c.Device ?? ((EaseOptions)o).Device }, c.Train, c.Log, c.Data?.Name), _ => 1, _ => new AttackOptions(),
            (m, path) => ((Ease)m).Save(path)),
        new(Svae.ModelName, new ModelSchema(new SvaeOptions(), new Dictionary<string, string> { ["lr"] = nameof(SvaeOptions.LearningRate) }),
            (o, c) => new Svae((SvaeOptions)o with { Device = c.Device ?? ((SvaeOptions)o).Device }, c.Train, c.Log, c.Data?.Name), _ => null, _ => new AttackOptions(),
            (m, path) => ((Svae)m).Save(path)),
    ];

    /// <summary>The managed engine's models and these, in one table (what the CLI offers).</summary>
    public static IReadOnlyDictionary<string, ModelDefinition> All { get; } = ModelRegistry.Combine(Models);
}
