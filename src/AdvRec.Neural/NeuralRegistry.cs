using AdvRec.Adversarial;
using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Neural.Autoencoders;

namespace AdvRec.Neural;

/// <summary>
/// The models of the neural engine, for <see cref="ModelRegistry.Combine"/>: one line per model, names as in the
/// papers. Every options record here has a <c>device</c> (cpu | cuda | auto) that <see cref="ModelContext.Device"/> overrides.
/// </summary>
public static class NeuralRegistry
{
    // Elliot's MultiVAE keys
    private static readonly Dictionary<string, string> MultAliases = new()
    {
        ["lr"] = nameof(MultVaeOptions.LearningRate),
        ["intermediate_dim"] = nameof(MultVaeOptions.Hidden),
        ["latent_dim"] = nameof(MultVaeOptions.Latent),
        ["reg_lambda"] = nameof(MultVaeOptions.Regularization),
    };

    private static readonly Dictionary<string, string> CdaeAliases = new()
    {
        ["lr"] = nameof(CdaeOptions.LearningRate),
        ["hidden_neuron"] = nameof(CdaeOptions.Hidden),
        ["corruption_ratio"] = nameof(CdaeOptions.Corruption),
        ["reg"] = nameof(CdaeOptions.Regularization),
    };

    /// <summary>Every neural model definition.</summary>
    public static IReadOnlyList<ModelDefinition> Models { get; } =
    [
        new(MultVae.ModelName, new ModelSchema(new MultVaeOptions(), MultAliases),
            (o, c) => new MultVae((MultVaeOptions)o with { Device = c.Device ?? ((MultVaeOptions)o).Device }, c.Train, c.Data?.FitUsers, c.Log),
            _ => null, _ => new AttackOptions(), (m, path) => ((MultVae)m).Save(path)),
        new(MultDae.ModelName, new ModelSchema(new MultDaeOptions(), MultAliases),
            (o, c) => new MultDae((MultDaeOptions)o with { Device = c.Device ?? ((MultDaeOptions)o).Device }, c.Train, c.Data?.FitUsers, c.Log),
            _ => null, _ => new AttackOptions(), (m, path) => ((MultDae)m).Save(path)),
        new(Cdae.ModelName, new ModelSchema(new CdaeOptions(), CdaeAliases),
            (o, c) => new Cdae((CdaeOptions)o with { Device = c.Device ?? ((CdaeOptions)o).Device }, c.Train, c.Data?.FitUsers, c.Log),
            _ => null, _ => new AttackOptions(), (m, path) => ((Cdae)m).Save(path)),
    ];

    /// <summary>The managed engine's models and these, in one table (what the CLI offers).</summary>
    public static IReadOnlyDictionary<string, ModelDefinition> All { get; } = ModelRegistry.Combine(Models);
}
