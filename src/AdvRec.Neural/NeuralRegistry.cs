using AdvRec.Adversarial;
using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Neural.Autoencoders;
using AdvRec.Neural.Sequential;
using AdvRec.Neural.Graph;

namespace AdvRec.Neural;

/// <summary>
/// The models of the neural engine, for <see cref="ModelRegistry.Combine"/>: one line per model, names as in the
/// papers. Every options record here has a <c>device</c> (cpu | cuda | auto) that <see cref="ModelContext.Device"/> overrides.
/// </summary>
public static class NeuralRegistry
{
    private static readonly Dictionary<string, string> LightGcnAliases = new()
    {
        ["lr"] = nameof(LightGcnOptions.LearningRate),
        ["l_w"] = nameof(LightGcnOptions.Regularization),
        ["n_layers"] = nameof(LightGcnOptions.Layers),
    };

    private static readonly Dictionary<string, string> LightGcnAprAliases = new()
    {
        ["lr"] = nameof(LightGcnAprOptions.LearningRate),
        ["l_w"] = nameof(LightGcnAprOptions.Regularization),
        ["n_layers"] = nameof(LightGcnAprOptions.Layers),
        ["eps"] = nameof(LightGcnAprOptions.Epsilon),
        ["l_adv"] = nameof(LightGcnAprOptions.AdversarialWeight),
    };

    /// <summary>Every neural model definition.</summary>
    public static IReadOnlyList<ModelDefinition> Models { get; } =
    [
        new(Ease.ModelName, new ModelSchema(new EaseOptions(), new Dictionary<string, string> { ["l2_norm"] = nameof(EaseOptions.Lambda) }),
            (o, c) => new Ease((EaseOptions)o with { Device = c.Device ?? ((EaseOptions)o).Device }, c.Train, c.Log, c.Data?.Name), _ => 1, _ => new AttackOptions(),
            (m, path) => ((Ease)m).Save(path)),
        new(Svae.ModelName, new ModelSchema(new SvaeOptions(), new Dictionary<string, string> { ["lr"] = nameof(SvaeOptions.LearningRate) }),
            (o, c) => new Svae((SvaeOptions)o with { Device = c.Device ?? ((SvaeOptions)o).Device }, c.Train, c.Log, c.Data?.Name), _ => null, _ => new AttackOptions(),
            (m, path) => ((Svae)m).Save(path)),
        new(LightGcn.ModelName, new ModelSchema(new LightGcnOptions(), LightGcnAliases),
            (o, c) => new LightGcn((LightGcnOptions)o with { Device = c.Device ?? ((LightGcnOptions)o).Device }, c.Train, c.Log),
            _ => null, _ => new AttackOptions(), (m, path) => ((NeuralModel)m).Save(path)),
        new(LightGcnApr.ModelName, new ModelSchema(new LightGcnAprOptions(), LightGcnAprAliases),
            (o, c) => new LightGcnApr((LightGcnAprOptions)o with { Device = c.Device ?? ((LightGcnAprOptions)o).Device, Epochs = c.Epochs }, c.Train, c.Log),
            o => ((LightGcnAprOptions)o).Epochs,
            o => o is LightGcnAprOptions a ? new AttackOptions { Epsilon = a.Epsilon, Steps = a.NbIter, StepSize = a.EpsIter } : new AttackOptions(),
            (m, path) => ((NeuralModel)m).Save(path)),
    ];

    /// <summary>The managed engine's models and these, in one table (what the CLI offers).</summary>
    public static IReadOnlyDictionary<string, ModelDefinition> All { get; } = ModelRegistry.Combine(Models);
}
