using AdvRec.Data;
using AdvRec.Models.Baselines;
using AdvRec.Models.Factorization;

namespace AdvRec.Models;

/// <summary>
/// The models of the managed engine: one entry per model, built by <see cref="ModelDefinition.For{TModel, TOptions}"/>;
/// names match the papers. Other assemblies (AdvRec.Neural) publish their own definitions; <see cref="Combine"/> joins
/// them for a study.
/// </summary>
public static class ModelRegistry
{
    // Elliot's BPRMF keys the options record has no property for
    private static readonly Dictionary<string, ElliotKey> BprMfElliotKeys = new()
    {
        ["update_negative_item_factors"] = ElliotKey.Fixed("true", "AdvRec's BPR-MF updates every row a triple touches"),
        ["update_users"] = ElliotKey.Fixed("true", "AdvRec's BPR-MF updates every row a triple touches"),
        ["update_items"] = ElliotKey.Fixed("true", "AdvRec's BPR-MF updates every row a triple touches"),
        ["update_bias"] = ElliotKey.Fixed("true", "AdvRec's BPR-MF updates the item bias whenever it has one (item_bias)"),
    };

    // Elliot's VBPR and AMR read the features of a VisualAttribute side_information block
    private static readonly Dictionary<string, ElliotKey> VisualElliotKeys = new()
    {
        ["batch_eval"] = ElliotKey.Ignored("it only sizes the blocks of users scored at once; results do not depend on it"),
        ["loader"] = ElliotKey.Fixed("VisualAttributes", "the features come from data_config's item_features or its VisualAttribute side_information block"),
    };

    private static readonly Dictionary<string, ElliotKey> OneEpochElliotKeys = new()
    {
        ["epochs"] = ElliotKey.Ignored("the model is fitted in one pass; more epochs would repeat it"),
        ["batch_size"] = ElliotKey.Ignored("the model is fitted in one pass over all the data, not in batches"),
    };

    /// <summary>Every registered model, by name (case-insensitive).</summary>
    public static IReadOnlyDictionary<string, ModelDefinition> Models { get; } = ByName(
    [
        ModelDefinition.For<BprMf, BprMfOptions>(BprMf.ModelName, (o, c) => new BprMf(o, c.Train),
            new ModelSchema(new BprMfOptions()) { ElliotNames = ["BPRMF", "BPRMF_batch"], ElliotKeys = BprMfElliotKeys }) with
        {
            Load = (path, c) => BprMf.Load(path, c.Train),
            Contract = new(new BprMfOptions { Factors = 8, BatchSize = 16, InitStd = 0.1f, Threads = 1 }) { Epochs = 30 },
        },
        ModelDefinition.For<Amf, AmfOptions>(Amf.ModelName, (o, c) => new Amf(o, c.Train)) with
        {
            Load = (path, c) => Amf.Load(path, c.Train),
            Contract = new(new AmfOptions { Factors = 8, BatchSize = 16, LearningRate = 0.05f, Optimizer = OptimizerKind.Adagrad, Init = Initialization.TruncatedNormal, InitStd = 0.1f, Regularization = 0, Epsilon = 0.1f, AdversarialWeight = 0.5f, Threads = 1 }) { Epochs = 30 },
        },
        ModelDefinition.For<Vbpr, VbprOptions>(Vbpr.ModelName, (o, c) => new Vbpr(o, c.Train, c.ItemFeaturesFor(Vbpr.ModelName)),
            new ModelSchema(new VbprOptions()) { ElliotKeys = VisualElliotKeys }) with
        {
            Load = (path, c) => Vbpr.Load(path, c.ItemFeaturesFor(Vbpr.ModelName), c.Train),
            Contract = new(new VbprOptions { Factors = 8, FactorsD = 4, BatchSize = 16, LearningRate = 0.02f, Regularization = 0.001f, ProjectionRegularization = 0.001f, Threads = 1 }) { Epochs = 30 },
        },
        ModelDefinition.For<Amr, AmrOptions>(Amr.ModelName, CreateAmr, new ModelSchema(new AmrOptions()) { ElliotKeys = VisualElliotKeys }) with
        {
            Check = CheckAmr,
            Load = (path, c) => Amr.Load(path, c.ItemFeaturesFor(Amr.ModelName), c.Train),
            Contract = new(new AmrOptions { Factors = 8, FactorsD = 4, BatchSize = 16, LearningRate = 0.02f, Regularization = 0.001f, ProjectionRegularization = 0.001f, AdversarialWeight = 0.5f, Threads = 1 }) { Epochs = 30 },
        },
        ModelDefinition.For<MostPop, MostPopOptions>(MostPop.ModelName, (o, c) => new MostPop(o, c.Train), new ModelSchema(new MostPopOptions()) { ElliotKeys = OneEpochElliotKeys }) with
        {
            Load = (path, c) => MostPop.Load(path, c.Train),
            Contract = new(new MostPopOptions()) { Epochs = 1, NotPersonalized = "every user gets the same popularity scores" },
        },
        ModelDefinition.For<GlobalMean, GlobalMeanOptions>(GlobalMean.ModelName, (o, c) => new GlobalMean(o, c.Train, c.Data?.Name)) with
        {
            Load = (path, c) => GlobalMean.Load(path, c.Train, c.Data?.Name),
            Contract = new(new GlobalMeanOptions()) { Epochs = 2, Data = ContractData.Ratings, NotPersonalized = "every user gets the same mean rating" },
        },
        ModelDefinition.For<UserItemBias, UserItemBiasOptions>(UserItemBias.ModelName, (o, c) => new UserItemBias(o, c.Train, c.Data?.Name)) with
        {
            Load = (path, c) => UserItemBias.Load(path, c.Train, c.Data?.Name),
            Contract = new(new UserItemBiasOptions()) { Epochs = 3, Data = ContractData.Ratings, NotPersonalized = "a user's bias shifts all items alike, so the items' order is the same for every user" },
        },
    ]);

    private static Amr CreateAmr(AmrOptions options, ModelContext c)
    {
        if (options.Pretrained is { } path)
            c.Log?.Invoke($"{Amr.ModelName} starts from the pre-trained VBPR {path}; {options.EffectiveAdversarialEpochs} of {options.Epochs} epochs adversarial");
        return new Amr(options, c.Train, c.ItemFeaturesFor(Amr.ModelName));
    }

    // The pre-trained file is checked (header only) before the study trains anything.
    private static OptionsProblem? CheckAmr(object o, Dataset data)
    {
        if (o is not AmrOptions { Pretrained: not null } options || data.ItemFeatures is not { } features) return null;
        try
        {
            Amr.CheckPretrained(options, data.Train, features);
            return null;
        }
        catch (DataFormatException e)
        {
            return new OptionsProblem("pretrained", e.Message);
        }
    }

    /// <summary>The schemas, for the study config loader.</summary>
    public static IReadOnlyDictionary<string, ModelSchema> Schemas { get; } = SchemasOf(Models);

    /// <summary>The schemas of <paramref name="models"/>, for the study config loader.</summary>
    public static IReadOnlyDictionary<string, ModelSchema> SchemasOf(IReadOnlyDictionary<string, ModelDefinition> models) =>
        models.ToDictionary(kv => kv.Key, kv => kv.Value.Schema, StringComparer.OrdinalIgnoreCase);

    /// <summary>The definitions by name (case-insensitive); a name defined twice is an error.</summary>
    public static IReadOnlyDictionary<string, ModelDefinition> ByName(IEnumerable<ModelDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var all = new Dictionary<string, ModelDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach (var definition in definitions)
        {
            if (!all.TryAdd(definition.Name, definition))
                throw new ArgumentException($"the model name '{definition.Name}' is defined twice", nameof(definitions));
        }
        return all;
    }

    /// <summary>These models and <paramref name="more"/> in one table; a name defined twice is an error.</summary>
    public static IReadOnlyDictionary<string, ModelDefinition> Combine(params IEnumerable<ModelDefinition>[] more) =>
        ByName(Models.Values.Concat(more.SelectMany(m => m)));
}
