using AdvRec.Adversarial;
using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Neural.Autoencoders;
using AdvRec.Neural.Sequential;
using AdvRec.Neural.Graph;
using TorchSharp;

namespace AdvRec.Neural;

/// <summary>
/// The models of the neural engine, for <see cref="ModelRegistry.Combine"/>: one line per model, names as in the
/// papers. Every options record here has a <c>device</c> (cpu | cuda | auto) that <see cref="ModelContext.Device"/> overrides.
/// </summary>
public static class NeuralRegistry
{
    // Elliot's LightGCN reads its embedding size from latent_dim (its docs write factors)
    private static readonly Dictionary<string, string> LightGcnAliases = new()
    {
        ["lr"] = nameof(LightGcnOptions.LearningRate),
        ["latent_dim"] = nameof(LightGcnOptions.Factors),
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

    private static readonly Dictionary<string, string> AutoRecAliases = new()
    {
        ["lr"] = nameof(AutoRecOptions.LearningRate),
        ["l_w"] = nameof(AutoRecOptions.Lambda),
        ["hidden_neuron"] = nameof(AutoRecOptions.Hidden),
    };

    private static readonly Dictionary<string, string> DeepRecAliases = new()
    {
        ["lr"] = nameof(DeepRecOptions.LearningRate),
        ["drop_prob"] = nameof(DeepRecOptions.Dropout),
        ["aug_step"] = nameof(DeepRecOptions.DenseRefeeding),
        ["hidden_layers"] = nameof(DeepRecOptions.Layers),
        ["non_linearity_type"] = nameof(DeepRecOptions.Activation),
    };

    // Elliot's MultiVAE keys
    private static readonly Dictionary<string, string> MultAliases = new()
    {
        ["lr"] = nameof(MultVaeOptions.LearningRate),
        ["intermediate_dim"] = nameof(MultVaeOptions.Hidden),
        ["latent_dim"] = nameof(MultVaeOptions.Latent),
        ["reg_lambda"] = nameof(MultVaeOptions.Regularization),
    };

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

    private static readonly Dictionary<string, string> CdaeAliases = new()
    {
        ["lr"] = nameof(CdaeOptions.LearningRate),
        ["hidden_neuron"] = nameof(CdaeOptions.Hidden),
        ["corruption_ratio"] = nameof(CdaeOptions.Corruption),
        ["reg"] = nameof(CdaeOptions.Regularization),
    };

    // Elliot's names of the adversarial-training settings (AdversarialTrainingOptions), accepted by every autoencoder
    private static Dictionary<string, string> WithAdversarial(Dictionary<string, string> aliases) => new(aliases)
    {
        ["eps"] = nameof(AdversarialTrainingOptions.Epsilon),
        ["l_adv"] = nameof(AdversarialTrainingOptions.AdversarialWeight),
        ["eps_scale"] = nameof(AdversarialTrainingOptions.EpsilonScale),
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
        new(Ease.ModelName, new ModelSchema(new EaseOptions(), new Dictionary<string, string> { ["l2_norm"] = nameof(EaseOptions.Lambda) }) { ElliotNames = ["EASER"], ElliotKeys = EaseElliotKeys },
            (o, c) => new Ease((EaseOptions)o with { Device = c.Device ?? ((EaseOptions)o).Device }, c.Train, c.Log, c.Data?.Name), _ => 1, _ => new AttackOptions(),
            ModelDefinition.SavePersistent)
        {
            Contract = new(new EaseOptions { Lambda = 5, Device = "cpu" }) { Epochs = 1 },
        },
        new(Svae.ModelName, new ModelSchema(new SvaeOptions(), new Dictionary<string, string> { ["lr"] = nameof(SvaeOptions.LearningRate) }),
            (o, c) => new Svae((SvaeOptions)o with { Device = c.Device ?? ((SvaeOptions)o).Device }, c.Train, c.Log, c.Data?.Name, c.Data?.FitUsers), _ => null, _ => new AttackOptions(),
            ModelDefinition.SavePersistent)
        {
            Contract = new(new SvaeOptions { EmbeddingSize = 8, GruSize = 8, HiddenSize = 8, LatentSize = 4, NextK = 2, BatchSize = 8, LearningRate = 0.02, WeightDecay = 0, Device = "cpu" }) { Data = ContractData.Sequences },
        },
        new(LightGcn.ModelName, new ModelSchema(new LightGcnOptions(), LightGcnAliases) { ElliotKeys = LightGcnElliotKeys },
            (o, c) => new LightGcn((LightGcnOptions)o with { Device = c.Device ?? ((LightGcnOptions)o).Device }, c.Train, c.Log),
            _ => null, _ => new AttackOptions(), ModelDefinition.SavePersistent)
        {
            Contract = new(new LightGcnOptions { Factors = 16, Layers = 2, BatchSize = 32, LearningRate = 0.02f, Device = "cpu" }),
        },
        new(LightGcnApr.ModelName, new ModelSchema(new LightGcnAprOptions(), LightGcnAprAliases),
            (o, c) => new LightGcnApr((LightGcnAprOptions)o with { Device = c.Device ?? ((LightGcnAprOptions)o).Device, Epochs = c.Epochs }, c.Train, c.Log),
            o => ((LightGcnAprOptions)o).Epochs,
            o => o is LightGcnAprOptions a ? new AttackOptions { Epsilon = a.Epsilon, Steps = a.NbIter, StepSize = a.EpsIter } : new AttackOptions(),
            ModelDefinition.SavePersistent)
        {
            AprSchedule = AprSchedule.StudyEpochs,
            Contract = new(new LightGcnAprOptions { Factors = 16, Layers = 2, BatchSize = 32, LearningRate = 0.02f, Device = "cpu" }),
        },
        new(AutoRec.ItemModelName, new ModelSchema(new AutoRecOptions(), WithAdversarial(AutoRecAliases)) { ElliotNames = ["ItemAutoRec"] }, (o, c) => new AutoRec(AutoRecAs((AutoRecOptions)o, true) with { Device = c.Device ?? ((AutoRecOptions)o).Device, Epochs = c.Epochs }, c.Train, c.Log, c.Data?.Name), EpochsOf, _ => new AttackOptions(), ModelDefinition.SavePersistent)
        {
            Contract = new(new AutoRecOptions { Hidden = 8, Lambda = 0.1f, LearningRate = 0.03f, BatchSize = 8, Device = "cpu" }) { Epochs = 40, Data = ContractData.Ratings },
        },
        new(AutoRec.UserModelName, new ModelSchema(new AutoRecOptions { ItemBased = false }, WithAdversarial(AutoRecAliases)) { ElliotNames = ["UserAutoRec"] }, (o, c) => new AutoRec(AutoRecAs((AutoRecOptions)o, false) with { Device = c.Device ?? ((AutoRecOptions)o).Device, Epochs = c.Epochs }, c.Train, c.Log, c.Data?.Name), EpochsOf, _ => new AttackOptions(), ModelDefinition.SavePersistent)
        {
            Contract = new(new AutoRecOptions { ItemBased = false, Hidden = 8, Lambda = 0.1f, LearningRate = 0.03f, BatchSize = 8, Device = "cpu" }) { Epochs = 40, Data = ContractData.Ratings },
        },
        new(DeepRec.ModelName, new ModelSchema(new DeepRecOptions(), WithAdversarial(DeepRecAliases)), (o, c) => new DeepRec((DeepRecOptions)o with { Device = c.Device ?? ((DeepRecOptions)o).Device, Epochs = c.Epochs }, c.Train, c.Log, c.Data?.Name), EpochsOf, _ => new AttackOptions(), ModelDefinition.SavePersistent)
        {
            Contract = new(new DeepRecOptions { Layers = [8, 6], Dropout = 0f, LearningRate = 0.01f, BatchSize = 8, Device = "cpu" }) { Data = ContractData.Ratings },
        },
        new(MultVae.ModelName, new ModelSchema(new MultVaeOptions(), WithAdversarial(MultAliases)) { ElliotNames = ["MultiVAE"], ElliotKeys = MultElliotKeys },
            (o, c) => new MultVae((MultVaeOptions)o with { Device = c.Device ?? ((MultVaeOptions)o).Device, Epochs = c.Epochs }, c.Train, c.Data?.FitUsers, c.Log),
            EpochsOf, _ => new AttackOptions(), ModelDefinition.SavePersistent)
        {
            Contract = new(new MultVaeOptions { Hidden = 16, Latent = 8, BatchSize = 16, LearningRate = 1e-2f, TotalAnnealSteps = 10, Device = "cpu" }),
        },
        new(MultDae.ModelName, new ModelSchema(new MultDaeOptions(), WithAdversarial(MultAliases)) { ElliotNames = ["MultiDAE"], ElliotKeys = MultElliotKeys },
            (o, c) => new MultDae((MultDaeOptions)o with { Device = c.Device ?? ((MultDaeOptions)o).Device, Epochs = c.Epochs }, c.Train, c.Data?.FitUsers, c.Log),
            EpochsOf, _ => new AttackOptions(), ModelDefinition.SavePersistent)
        {
            Contract = new(new MultDaeOptions { Hidden = 16, Latent = 8, BatchSize = 16, LearningRate = 1e-2f, Device = "cpu" }),
        },
        new(Cdae.ModelName, new ModelSchema(new CdaeOptions(), WithAdversarial(CdaeAliases)),
            (o, c) => new Cdae((CdaeOptions)o with { Device = c.Device ?? ((CdaeOptions)o).Device, Epochs = c.Epochs }, c.Train, c.Data?.FitUsers, c.Log),
            EpochsOf, _ => new AttackOptions(), ModelDefinition.SavePersistent)
        {
            Contract = new(new CdaeOptions { Hidden = 8, BatchSize = 16, LearningRate = 1e-2f, Device = "cpu" }),
        },
        new(Acae.ModelName, new ModelSchema(new AcaeOptions(), WithAdversarial(CdaeAliases)),
            (o, c) => new Acae(AcaeAs((AcaeOptions)o, false) with { Device = c.Device ?? ((AcaeOptions)o).Device, Epochs = c.Epochs }, c.Train, c.Log),
            EpochsOf, _ => new AttackOptions(), ModelDefinition.SavePersistent)
        {
            Contract = new(new AcaeOptions { Hidden = 8, BatchSize = 16, LearningRate = 1e-2f, Device = "cpu" }),
        },
        new(Acae.FineGrainedModelName, new ModelSchema(new AcaeOptions { FineGrained = true }, WithAdversarial(CdaeAliases)),
            (o, c) => new Acae(AcaeAs((AcaeOptions)o, true) with { Device = c.Device ?? ((AcaeOptions)o).Device, Epochs = c.Epochs }, c.Train, c.Log),
            EpochsOf, _ => new AttackOptions(), ModelDefinition.SavePersistent)
        {
            Contract = new(new AcaeOptions { Hidden = 8, BatchSize = 16, LearningRate = 1e-2f, Device = "cpu", FineGrained = true }),
        },
    ]);

    /// <summary>The managed engine's models and these, in one table (what the CLI offers).</summary>
    public static IReadOnlyDictionary<string, ModelDefinition> All { get; } = ModelRegistry.Combine(Models);

    // every neural model runs on libtorch and reads its files back the same way (NeuralModel.Load: the options from the
    // file's header, the data from the context)
    private static ModelDefinition[] OnLibTorch(ModelDefinition[] definitions) => [.. definitions.Select(d => d with
    {
        EngineThreads = TorchThreads,
        Load = (path, c) => NeuralModel.Load(path, d.Name, d.Schema.Defaults.GetType(), o => (NeuralModel)d.Create(o, c)),
    })];

    // the epochs the options declare (hyperparameters.epochs, Elliot's place for them), which the adversarial schedule counts back from
    private static int? EpochsOf(object options) => ((AdversarialTrainingOptions)options).Epochs;

    // ACAE and FG-ACAE are one class; the name fixes fine_grained, and a contradicting setting is an error.
    private static AcaeOptions AcaeAs(AcaeOptions options, bool fineGrained) => options.FineGrained == fineGrained ? options
        : throw new ArgumentException($"{(fineGrained ? Acae.FineGrainedModelName : Acae.ModelName)} has fine_grained: {(fineGrained ? "true" : "false")}; for the other variant name the model {(fineGrained ? Acae.ModelName : Acae.FineGrainedModelName)}", nameof(options));

    // I-AutoRec and U-AutoRec are one class; the name fixes item_based, and a contradicting setting is an error.
    private static AutoRecOptions AutoRecAs(AutoRecOptions options, bool itemBased) => options.ItemBased == itemBased ? options
        : throw new ArgumentException($"{(itemBased ? AutoRec.ItemModelName : AutoRec.UserModelName)} is {(itemBased ? "item" : "user")}-based; item_based: {(options.ItemBased ? "true" : "false")} is {(options.ItemBased ? AutoRec.ItemModelName : AutoRec.UserModelName)}", nameof(options));
}
