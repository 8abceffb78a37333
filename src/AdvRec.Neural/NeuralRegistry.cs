using AdvRec.Models;
using AdvRec.Neural.Autoencoders;
using AdvRec.Neural.Graph;
using AdvRec.Neural.Sequential;
using TorchSharp;

namespace AdvRec.Neural;

/// <summary>
/// The models of the neural engine, for <see cref="ModelRegistry.Combine"/>: one entry per model, built by
/// <see cref="ModelDefinition.For{TModel, TOptions}"/>, names as in the papers. Every options record here has a
/// <c>device</c> (cpu | cuda | auto, <see cref="IDeviceOptions"/>) that <see cref="ModelContext.Device"/> overrides.
/// </summary>
public static class NeuralRegistry
{
    // Elliot's keep probability of its MultiVAE and MultiDAE
    private static readonly Dictionary<string, ElliotKey> MultElliotKeys = new()
    {
        ["dropout_pkeep"] = ElliotKey.Converted(nameof(MultVaeOptions.Dropout), keep => 1 - keep, "dropout = 1 - dropout_pkeep"),
    };

    private static readonly Dictionary<string, ElliotKey> LightGcnElliotKeys = new()
    {
        ["n_fold"] = ElliotKey.Ignored("it only splits the adjacency matrix into folds to save memory; results do not depend on it"),
    };

    private static readonly Dictionary<string, ElliotKey> EaseElliotKeys = new()
    {
        ["neighborhood"] = ElliotKey.Ignored("Elliot reads it but never uses it: EASE weighs every item"),
        ["epochs"] = ElliotKey.Ignored("EASE is fitted in closed form, in one pass"),
        ["batch_size"] = ElliotKey.Ignored("EASE is fitted in closed form over all the data, not in batches"),
    };

    /// <summary>
    /// libtorch's intra-op thread count (<c>torch.get_num_threads</c> / <c>set_num_threads</c>), process-wide. Every
    /// model here publishes it as its <see cref="ModelDefinition.EngineThreads"/>, so a study's <c>threads</c> sets it
    /// for the run (and sets it back after) when the study names a neural model. Nothing here loads libtorch until the
    /// count is read or set.
    /// </summary>
    public static EngineThreads TorchThreads { get; } = new("libtorch", () => torch.get_num_threads(), n => torch.set_num_threads(n));

    /// <summary>Every neural model definition, each on <see cref="TorchThreads"/>.</summary>
    public static IReadOnlyList<ModelDefinition> Models { get; } = OnLibTorch(
    [
        Neural<Ease, EaseOptions>(Ease.ModelName, (o, c) => new Ease(o, c.Train, c.Log, c.Data?.Name),
            new ModelSchema(new EaseOptions()) { ElliotNames = ["EASER"], ElliotKeys = EaseElliotKeys },
            new EaseOptions { Lambda = 5, Device = "cpu" }, epochs: 1),
        Neural<Svae, SvaeOptions>(Svae.ModelName, (o, c) => new Svae(o, c.Train, c.Log, c.Data?.Name, c.Data?.FitUsers), null,
            new SvaeOptions { EmbeddingSize = 8, GruSize = 8, HiddenSize = 8, LatentSize = 4, NextK = 2, BatchSize = 8, LearningRate = 0.02, WeightDecay = 0, Device = "cpu" }, ContractData.Sequences),
        Neural<LightGcn, LightGcnOptions>(LightGcn.ModelName, (o, c) => new LightGcn(o, c.Train, c.Log),
            new ModelSchema(new LightGcnOptions()) { ElliotKeys = LightGcnElliotKeys },
            new LightGcnOptions { Factors = 16, Layers = 2, BatchSize = 32, LearningRate = 0.02f, Device = "cpu" }),
        Neural<LightGcnApr, LightGcnAprOptions>(LightGcnApr.ModelName, (o, c) => new LightGcnApr(o, c.Train, c.Log), null,
            new LightGcnAprOptions { Factors = 16, Layers = 2, BatchSize = 32, LearningRate = 0.02f, Device = "cpu" }),
        Neural<AutoRec, AutoRecOptions>(AutoRec.ItemModelName, (o, c) => new AutoRec(AutoRecAs(o, true), c.Train, c.Log, c.Data?.Name),
            new ModelSchema(new AutoRecOptions()) { ElliotNames = ["ItemAutoRec"] },
            new AutoRecOptions { Hidden = 8, Lambda = 0.1f, LearningRate = 0.03f, BatchSize = 8, Device = "cpu" }, ContractData.Ratings, epochs: 40),
        Neural<AutoRec, AutoRecOptions>(AutoRec.UserModelName, (o, c) => new AutoRec(AutoRecAs(o, false), c.Train, c.Log, c.Data?.Name),
            new ModelSchema(new AutoRecOptions { ItemBased = false }) { ElliotNames = ["UserAutoRec"] },
            new AutoRecOptions { ItemBased = false, Hidden = 8, Lambda = 0.1f, LearningRate = 0.03f, BatchSize = 8, Device = "cpu" }, ContractData.Ratings, epochs: 40),
        Neural<DeepRec, DeepRecOptions>(DeepRec.ModelName, (o, c) => new DeepRec(o, c.Train, c.Log, c.Data?.Name), null,
            new DeepRecOptions { Layers = [8, 6], Dropout = 0f, LearningRate = 0.01f, BatchSize = 8, Device = "cpu" }, ContractData.Ratings),
        Neural<MultVae, MultVaeOptions>(MultVae.ModelName, (o, c) => new MultVae(o, c.Train, c.Data?.FitUsers, c.Log),
            new ModelSchema(new MultVaeOptions()) { ElliotNames = ["MultiVAE"], ElliotKeys = MultElliotKeys },
            new MultVaeOptions { Hidden = 16, Latent = 8, BatchSize = 16, LearningRate = 1e-2f, TotalAnnealSteps = 10, Device = "cpu" }),
        Neural<MultDae, MultDaeOptions>(MultDae.ModelName, (o, c) => new MultDae(o, c.Train, c.Data?.FitUsers, c.Log),
            new ModelSchema(new MultDaeOptions()) { ElliotNames = ["MultiDAE"], ElliotKeys = MultElliotKeys },
            new MultDaeOptions { Hidden = 16, Latent = 8, BatchSize = 16, LearningRate = 1e-2f, Device = "cpu" }),
        Neural<Cdae, CdaeOptions>(Cdae.ModelName, (o, c) => new Cdae(o, c.Train, c.Data?.FitUsers, c.Log), null,
            new CdaeOptions { Hidden = 8, BatchSize = 16, LearningRate = 1e-2f, Device = "cpu" }),
        Neural<Acae, AcaeOptions>(Acae.ModelName, (o, c) => new Acae(AcaeAs(o, false), c.Train, c.Log), null,
            new AcaeOptions { Hidden = 8, BatchSize = 16, LearningRate = 1e-2f, Device = "cpu" }),
        Neural<Acae, AcaeOptions>(Acae.FineGrainedModelName, (o, c) => new Acae(AcaeAs(o, true), c.Train, c.Log),
            new ModelSchema(new AcaeOptions { FineGrained = true }),
            new AcaeOptions { Hidden = 8, BatchSize = 16, LearningRate = 1e-2f, Device = "cpu", FineGrained = true }),
    ]);

    /// <summary>The managed engine's models and these, in one table (what the CLI offers).</summary>
    public static IReadOnlyDictionary<string, ModelDefinition> All { get; } = ModelRegistry.Combine(Models);

    // One neural model: its definition with the contract suite's tiny options (cpu) beside it.
    private static ModelDefinition Neural<TModel, TOptions>(string name, Func<TOptions, ModelContext, TModel> create, ModelSchema? schema,
        TOptions contract, ContractData data = ContractData.Implicit, int epochs = 20)
        where TModel : NeuralModel
        where TOptions : class, new() =>
        ModelDefinition.For(name, create, schema) with { Contract = new(contract) { Data = data, Epochs = epochs } };

    // every neural model runs on libtorch and reads its files back the same way (NeuralModel.Load: the options from the
    // file's header, the data from the context)
    private static ModelDefinition[] OnLibTorch(ModelDefinition[] definitions) => [.. definitions.Select(d => d with
    {
        EngineThreads = TorchThreads,
        Load = (path, c) => NeuralModel.Load(path, d.Name, d.Schema.Defaults.GetType(), o => (NeuralModel)d.Create(o, c)),
    })];

    // ACAE and FG-ACAE are one class; the name fixes fine_grained, and a contradicting setting is an error.
    private static AcaeOptions AcaeAs(AcaeOptions options, bool fineGrained) => options.FineGrained == fineGrained ? options
        : throw new ArgumentException($"{(fineGrained ? Acae.FineGrainedModelName : Acae.ModelName)} has fine_grained: {(fineGrained ? "true" : "false")}; for the other variant name the model {(fineGrained ? Acae.ModelName : Acae.FineGrainedModelName)}", nameof(options));

    // I-AutoRec and U-AutoRec are one class; the name fixes item_based, and a contradicting setting is an error.
    private static AutoRecOptions AutoRecAs(AutoRecOptions options, bool itemBased) => options.ItemBased == itemBased ? options
        : throw new ArgumentException($"{(itemBased ? AutoRec.ItemModelName : AutoRec.UserModelName)} is {(itemBased ? "item" : "user")}-based; item_based: {(options.ItemBased ? "true" : "false")} is {(options.ItemBased ? AutoRec.ItemModelName : AutoRec.UserModelName)}", nameof(options));
}
