using AdvRec.Adversarial;
using AdvRec.Data;
using AdvRec.Data.Features;
using AdvRec.Experiments.Config;
using AdvRec.Models;
using AdvRec.Models.Baselines;
using AdvRec.Models.Factorization;

namespace AdvRec.Experiments;

/// <summary>
/// A model the runner can build from a config: its name, its options schema (defaults and Elliot's key aliases),
/// how to create it, and the attack its eval_perturbations uses.
/// </summary>
/// <param name="Name">The paper's name, as in configs and outputs.</param>
/// <param name="Schema">Default options record and config aliases.</param>
/// <param name="Create">Builds a model from bound options and the study's context (epochs, data, log).</param>
/// <param name="DeclaredEpochs">Epochs the options themselves declare (AMF's schedule needs them), if any.</param>
/// <param name="Attack">The eval_perturbations attack for bound options.</param>
/// <param name="Save">Writes the model's weights.</param>
/// <param name="NeedsItemFeatures">Whether the study's data must carry item features (checked before any training).</param>
/// <param name="Check">
/// Checks bound options against the study's data before any training (such as AMR's pre-trained file): the problem,
/// or null when there is none; null for models with nothing to check.
/// </param>
public sealed record ModelDefinition(
    string Name,
    ModelSchema Schema,
    Func<object, ModelContext, IIterativeModel> Create,
    Func<object, int?> DeclaredEpochs,
    Func<object, AttackOptions> Attack,
    Action<IIterativeModel, string> Save,
    bool NeedsItemFeatures = false,
    Func<object, Dataset, OptionsProblem?>? Check = null)
{
    /// <summary>
    /// The native engine the model runs on, whose process-wide thread count a study's <c>threads</c> caps for the run;
    /// null for managed models, which take the count through a <c>threads</c> hyperparameter instead.
    /// </summary>
    public EngineThreads? EngineThreads { get; init; }

    /// <summary>
    /// Reads a file written by <see cref="Save"/> back into a model built on the context's data (the options come from
    /// the file's header), which scores as the saved model did; null only for a model that cannot be read back (the
    /// contract suite fails it).
    /// </summary>
    public Func<string, ModelContext, IIterativeModel>? Load { get; init; }

    /// <summary>
    /// How the model's adversarial (APR) schedule learns its length: from its own <c>hyperparameters.epochs</c>
    /// (AMF, AMR) or from the study's <c>meta.epochs</c> (LightGCN-APR); <see cref="AprSchedule.None"/> for models
    /// without a fixed APR phase. Tools that cut a study short (tests) keep both phases by setting the right key.
    /// </summary>
    public AprSchedule AprSchedule { get; init; }

    /// <summary>Tiny options and data for the contract suite, declared beside the model; a model without it fails the suite.</summary>
    public ModelContract? Contract { get; init; }

    /// <summary>Saves any model through its <see cref="IPersistentModel"/> capability (the usual <see cref="Save"/>).</summary>
    public static void SavePersistent(IIterativeModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is not IPersistentModel persistent) throw new ArgumentException($"{model.GetType().Name} cannot be saved: it does not implement IPersistentModel", nameof(model));
        persistent.Save(path);
    }
}

/// <summary>Where a model's APR schedule takes its epoch count from (see <see cref="ModelDefinition.AprSchedule"/>).</summary>
public enum AprSchedule
{
    /// <summary>No APR phase (or one that the options switch on, as the autoencoders' adversarial training).</summary>
    None,

    /// <summary>The options' own <c>epochs</c> (<c>hyperparameters.epochs</c>) and <c>adversarial_epochs</c>.</summary>
    EpochsInOptions,

    /// <summary>The study's epochs (<c>meta.epochs</c>) and the options' <c>adversarial_epochs</c>.</summary>
    StudyEpochs,
}

/// <summary>A problem that bound options have with the study's data, found before training.</summary>
/// <param name="Key">The hyperparameter at fault, in snake_case (such as <c>pretrained</c>); errors point at its value.</param>
/// <param name="Message">What is wrong, naming any file involved.</param>
public sealed record OptionsProblem(string Key, string Message);

/// <summary>
/// What a model is built from in a study.
/// </summary>
/// <param name="Epochs">Epochs the study will train.</param>
/// <param name="Train">The training interactions.</param>
/// <param name="Data">The whole dataset (ids, splits, side information), when the model is built by a study.</param>
/// <param name="Log">Where the model reports choices worth a line in run.log (a device, a memory estimate).</param>
/// <param name="Device">A device that overrides the models' own <c>device</c> option (<c>cpu</c>, <c>cuda</c>, <c>auto</c>); null keeps theirs.</param>
public sealed record ModelContext(int Epochs, Interactions Train, Dataset? Data = null, Action<string>? Log = null, string? Device = null);

/// <summary>
/// The models of this assembly (the managed engine). One line per model; names match the papers. Other assemblies
/// (AdvRec.Neural) publish their own definitions; <see cref="Combine"/> joins them for a study.
/// </summary>
public static class ModelRegistry
{
    // Elliot's BPRMF_batch keys (lr, l_w, l_b) and BPRMF's (one regularisation per table: AdvRec has one weight, so
    // they must agree; bias_regularization is l_b)
    private static readonly Dictionary<string, string> BprMfAliases = new()
    {
        ["lr"] = nameof(BprMfOptions.LearningRate),
        ["l_w"] = nameof(BprMfOptions.Regularization),
        ["l_b"] = nameof(BprMfOptions.BiasRegularization),
        ["user_regularization"] = nameof(BprMfOptions.Regularization),
        ["positive_item_regularization"] = nameof(BprMfOptions.Regularization),
        ["negative_item_regularization"] = nameof(BprMfOptions.Regularization),
        ["bias_regularization"] = nameof(BprMfOptions.BiasRegularization),
    };

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

    private static ItemFeatures FeaturesOf(ModelContext context, string model) => context.Data?.ItemFeatures ??
        throw new InvalidOperationException($"{model} needs item features: add data_config.item_features or a side_information VisualAttribute block (or use strategy synthetic_visual)");

    /// <summary>Every registered model, by name (case-insensitive).</summary>
    public static IReadOnlyDictionary<string, ModelDefinition> Models { get; } = new Dictionary<string, ModelDefinition>(StringComparer.OrdinalIgnoreCase)
    {
        [BprMf.ModelName] = new(BprMf.ModelName, new ModelSchema(new BprMfOptions(), BprMfAliases) { ElliotNames = ["BPRMF", "BPRMF_batch"], ElliotKeys = BprMfElliotKeys },
            (o, c) => new BprMf((BprMfOptions)o, c.Train), _ => null, _ => new AttackOptions(), ModelDefinition.SavePersistent)
        {
            Load = (path, c) => BprMf.Load(path, c.Train),
            Contract = new(new BprMfOptions { Factors = 8, BatchSize = 16, InitStd = 0.1f, Threads = 1 }) { Epochs = 30 },
        },
        [Amf.ModelName] = new(Amf.ModelName, new ModelSchema(new AmfOptions(), AmfAliases),
            (o, c) => new Amf((AmfOptions)o with { Epochs = c.Epochs }, c.Train), o => ((AmfOptions)o).Epochs,
            o => o is AmfOptions a ? new AttackOptions { Epsilon = a.Epsilon, Steps = a.NbIter, StepSize = a.EpsIter } : new AttackOptions(),
            ModelDefinition.SavePersistent)
        {
            Load = (path, c) => Amf.Load(path, c.Train),
            AprSchedule = AprSchedule.EpochsInOptions,
            Contract = new(new AmfOptions { Factors = 8, BatchSize = 16, LearningRate = 0.05f, Optimizer = OptimizerKind.Adagrad, Init = Initialization.TruncatedNormal, InitStd = 0.1f, Regularization = 0, Epsilon = 0.1f, AdversarialWeight = 0.5f, Threads = 1 }) { Epochs = 30 },
        },
        [Vbpr.ModelName] = new(Vbpr.ModelName, new ModelSchema(new VbprOptions(), VbprAliases) { ElliotKeys = VisualElliotKeys },
            (o, c) => new Vbpr((VbprOptions)o, c.Train, FeaturesOf(c, Vbpr.ModelName)), _ => null, _ => new AttackOptions { Targets = [Vbpr.ItemFeatureVectors] },
            ModelDefinition.SavePersistent, NeedsItemFeatures: true)
        {
            Load = (path, c) => Vbpr.Load(path, FeaturesOf(c, Vbpr.ModelName), c.Train),
            Contract = new(new VbprOptions { Factors = 8, FactorsD = 4, BatchSize = 16, LearningRate = 0.02f, Regularization = 0.001f, ProjectionRegularization = 0.001f, Threads = 1 }) { Epochs = 30 },
        },
        [Amr.ModelName] = new(Amr.ModelName, new ModelSchema(new AmrOptions(), AmrAliases, [nameof(AmrOptions.Pretrained)]) { ElliotKeys = VisualElliotKeys },
            CreateAmr, o => ((AmrOptions)o).Epochs,
            o => o is AmrOptions a ? new AttackOptions { Epsilon = a.Epsilon, Steps = a.NbIter, StepSize = a.EpsIter, Targets = [Vbpr.ItemFeatureVectors] } : new AttackOptions(),
            ModelDefinition.SavePersistent, NeedsItemFeatures: true, CheckAmr)
        {
            Load = (path, c) => Amr.Load(path, FeaturesOf(c, Amr.ModelName), c.Train),
            AprSchedule = AprSchedule.EpochsInOptions,
            Contract = new(new AmrOptions { Factors = 8, FactorsD = 4, BatchSize = 16, LearningRate = 0.02f, Regularization = 0.001f, ProjectionRegularization = 0.001f, AdversarialWeight = 0.5f, Threads = 1 }) { Epochs = 30 },
        },
        [MostPop.ModelName] = new(MostPop.ModelName, new ModelSchema(new MostPopOptions()) { ElliotKeys = OneEpochElliotKeys },
            (o, c) => new MostPop((MostPopOptions)o, c.Train), _ => 1, _ => new AttackOptions(), ModelDefinition.SavePersistent)
        {
            Load = (path, c) => MostPop.Load(path, c.Train),
            Contract = new(new MostPopOptions()) { Epochs = 1, NotPersonalized = "every user gets the same popularity scores" },
        },
        [GlobalMean.ModelName] = new(GlobalMean.ModelName, new ModelSchema(new GlobalMeanOptions()),
            (o, c) => new GlobalMean((GlobalMeanOptions)o, c.Train, c.Data?.Name), _ => null, _ => new AttackOptions(), ModelDefinition.SavePersistent)
        {
            Load = (path, c) => GlobalMean.Load(path, c.Train, c.Data?.Name),
            Contract = new(new GlobalMeanOptions()) { Epochs = 2, Data = ContractData.Ratings, NotPersonalized = "every user gets the same mean rating" },
        },
        [UserItemBias.ModelName] = new(UserItemBias.ModelName, new ModelSchema(new UserItemBiasOptions()),
            (o, c) => new UserItemBias((UserItemBiasOptions)o, c.Train, c.Data?.Name), _ => null, _ => new AttackOptions(), ModelDefinition.SavePersistent)
        {
            Load = (path, c) => UserItemBias.Load(path, c.Train, c.Data?.Name),
            Contract = new(new UserItemBiasOptions()) { Epochs = 3, Data = ContractData.Ratings, NotPersonalized = "a user's bias shifts all items alike, so the items' order is the same for every user" },
        },
    };

    private static Amr CreateAmr(object o, ModelContext c)
    {
        var options = (AmrOptions)o with { Epochs = c.Epochs };
        if (options.Pretrained is { } path)
            c.Log?.Invoke($"{Amr.ModelName} starts from the pre-trained VBPR {path}; {options.EffectiveAdversarialEpochs} of {options.Epochs} epochs adversarial");
        return new Amr(options, c.Train, FeaturesOf(c, Amr.ModelName));
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

    /// <summary>The schemas, for <see cref="StudyConfigLoader"/>.</summary>
    public static IReadOnlyDictionary<string, ModelSchema> Schemas { get; } = SchemasOf(Models);

    /// <summary>The schemas of <paramref name="models"/>, for <see cref="StudyConfigLoader"/>.</summary>
    public static IReadOnlyDictionary<string, ModelSchema> SchemasOf(IReadOnlyDictionary<string, ModelDefinition> models) =>
        models.ToDictionary(kv => kv.Key, kv => kv.Value.Schema, StringComparer.OrdinalIgnoreCase);

    /// <summary>These models and <paramref name="more"/> in one table; a name defined twice is an error.</summary>
    public static IReadOnlyDictionary<string, ModelDefinition> Combine(params IEnumerable<ModelDefinition>[] more)
    {
        var all = new Dictionary<string, ModelDefinition>(Models, StringComparer.OrdinalIgnoreCase);
        foreach (var definition in more.SelectMany(m => m))
        {
            if (!all.TryAdd(definition.Name, definition))
                throw new ArgumentException($"the model name '{definition.Name}' is defined twice", nameof(more));
        }
        return all;
    }
}
