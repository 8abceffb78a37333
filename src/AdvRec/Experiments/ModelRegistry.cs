using AdvRec.Adversarial;
using AdvRec.Data;
using AdvRec.Data.Features;
using AdvRec.Experiments.Config;
using AdvRec.Models;
using AdvRec.Models.Factorization;

namespace AdvRec.Experiments;

/// <summary>
/// A model the runner can build from a config: its name, its options schema (defaults and Elliot's key aliases),
/// how to create it, and the attack its eval_perturbations uses.
/// </summary>
/// <param name="Name">The paper's name, as in configs and outputs.</param>
/// <param name="Schema">Default options record and config aliases.</param>
/// <param name="Create">Builds a model from bound options, the epochs to train, and the training data.</param>
/// <param name="DeclaredEpochs">Epochs the options themselves declare (AMF's schedule needs them), if any.</param>
/// <param name="Attack">The eval_perturbations attack for bound options.</param>
/// <param name="Save">Writes the model's weights.</param>
/// <param name="CreateWithData">For models that need more than the training interactions (VBPR and AMR need the item
/// features): builds the model from the whole dataset; the runner prefers it to <paramref name="Create"/>.</param>
/// <param name="NeedsItemFeatures">Whether the study's data must carry item features (checked before any training).</param>
public sealed record ModelDefinition(
    string Name,
    ModelSchema Schema,
    Func<object, int, Interactions, IIterativeModel> Create,
    Func<object, int?> DeclaredEpochs,
    Func<object, AttackOptions> Attack,
    Action<IIterativeModel, string> Save,
    Func<object, int, Dataset, IIterativeModel>? CreateWithData = null,
    bool NeedsItemFeatures = false);

/// <summary>The models a study may name. One line per model; names match the papers.</summary>
public static class ModelRegistry
{
    private static readonly Dictionary<string, string> BprMfAliases = new()
    {
        ["lr"] = nameof(BprMfOptions.LearningRate),
        ["l_w"] = nameof(BprMfOptions.Regularization),
        ["l_b"] = nameof(BprMfOptions.BiasRegularization),
    };

    private static readonly Dictionary<string, string> AmfAliases = new()
    {
        ["lr"] = nameof(AmfOptions.LearningRate),
        ["l_w"] = nameof(AmfOptions.Regularization),
        ["l_b"] = nameof(AmfOptions.BiasRegularization),
        ["eps"] = nameof(AmfOptions.Epsilon),
        ["l_adv"] = nameof(AmfOptions.AdversarialWeight),
    };

    private static readonly Dictionary<string, string> VbprAliases = new()
    {
        ["lr"] = nameof(VbprOptions.LearningRate),
        ["l_w"] = nameof(VbprOptions.Regularization),
        ["l_b"] = nameof(VbprOptions.BiasRegularization),
        ["l_e"] = nameof(VbprOptions.ProjectionRegularization),
    };

    private static readonly Dictionary<string, string> AmrAliases = new(VbprAliases)
    {
        ["eps"] = nameof(AmrOptions.Epsilon),
        ["l_adv"] = nameof(AmrOptions.AdversarialWeight),
    };

    private static ItemFeatures FeaturesOf(Dataset data, string model) => data.ItemFeatures ??
        throw new InvalidOperationException($"{model} needs item features: add data_config.item_features (or use strategy synthetic_visual)");

    private static IIterativeModel NeedsData(string model) =>
        throw new InvalidOperationException($"{model} needs item features: build it from a dataset that has them");

    /// <summary>Every registered model, by name (case-insensitive).</summary>
    public static IReadOnlyDictionary<string, ModelDefinition> Models { get; } = new Dictionary<string, ModelDefinition>(StringComparer.OrdinalIgnoreCase)
    {
        [BprMf.ModelName] = new(BprMf.ModelName, new ModelSchema(new BprMfOptions(), BprMfAliases),
            (o, _, train) => new BprMf((BprMfOptions)o, train), _ => null, _ => new AttackOptions(),
            (m, path) => ((BprMf)m).Save(path)),
        [Amf.ModelName] = new(Amf.ModelName, new ModelSchema(new AmfOptions(), AmfAliases),
            (o, epochs, train) => new Amf((AmfOptions)o with { Epochs = epochs }, train), o => ((AmfOptions)o).Epochs,
            o => o is AmfOptions a ? new AttackOptions { Epsilon = a.Epsilon, Steps = a.NbIter, StepSize = a.EpsIter } : new AttackOptions(),
            (m, path) => ((Amf)m).Factorization.Save(path)),
        [Vbpr.ModelName] = new(Vbpr.ModelName, new ModelSchema(new VbprOptions(), VbprAliases),
            (_, _, _) => NeedsData(Vbpr.ModelName), _ => null, _ => new AttackOptions { Targets = [Vbpr.ItemFeatureVectors] },
            (m, path) => ((Vbpr)m).Save(path),
            (o, _, data) => new Vbpr((VbprOptions)o, data.Train, FeaturesOf(data, Vbpr.ModelName)), NeedsItemFeatures: true),
        [Amr.ModelName] = new(Amr.ModelName, new ModelSchema(new AmrOptions(), AmrAliases),
            (_, _, _) => NeedsData(Amr.ModelName), o => ((AmrOptions)o).Epochs,
            o => o is AmrOptions a ? new AttackOptions { Epsilon = a.Epsilon, Steps = a.NbIter, StepSize = a.EpsIter, Targets = [Vbpr.ItemFeatureVectors] } : new AttackOptions(),
            (m, path) => ((Amr)m).Visual.Save(path),
            (o, epochs, data) => new Amr((AmrOptions)o with { Epochs = epochs }, data.Train, FeaturesOf(data, Amr.ModelName)), NeedsItemFeatures: true),
    };

    /// <summary>The schemas, for <see cref="StudyConfigLoader"/>.</summary>
    public static IReadOnlyDictionary<string, ModelSchema> Schemas { get; } =
        Models.ToDictionary(kv => kv.Key, kv => kv.Value.Schema, StringComparer.OrdinalIgnoreCase);
}
