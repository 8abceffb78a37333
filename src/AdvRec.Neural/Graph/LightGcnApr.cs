using AdvRec.Data;
using AdvRec.Models;

namespace AdvRec.Neural.Graph;

/// <summary>
/// Hyperparameters of <see cref="LightGcnApr"/>: LightGCN's (the paper's defaults) and APR's, with Elliot's names in
/// the config (eps, l_adv, adversarial_epochs). The APR defaults are those of the ALGN code (ChadsLee/RS_Zoos):
/// ε 0.5, λ 0.1.
/// </summary>
public sealed record LightGcnAprOptions : IAprOptions, IElliotAttackOptions, IDeviceOptions, ISeededOptions
{
    /// <summary>Embedding size (paper: 64).</summary>
    public int Factors { get; init; } = 64;

    /// <summary>Propagation layers K (paper: 3).</summary>
    [ConfigAlias("n_layers")]
    public int Layers { get; init; } = 3;

    /// <summary>Weights α_0 .. α_K of the layer outputs; null = the mean, 1/(K+1) each.</summary>
    public float[]? LayerWeights { get; init; }

    /// <summary>Adam learning rate (paper: 0.001).</summary>
    [ConfigAlias("lr")]
    public float LearningRate { get; init; } = 0.001f;

    /// <summary>L2 weight on the batch's layer-0 embeddings (paper: 1e-4).</summary>
    [ConfigAlias("l_w")]
    public float Regularization { get; init; } = 1e-4f;

    /// <summary>BPR triples per mini-batch (paper: 2048).</summary>
    public int BatchSize { get; init; } = 2048;

    /// <summary>Standard deviation of the normal initialisation (the PyTorch code: 0.1).</summary>
    public float InitStd { get; init; } = 0.1f;

    /// <summary>Per-row L2 budget ε of the training perturbation of the layer-0 embeddings (Elliot's eps; ALGN: 0.5).</summary>
    [ConfigAlias("eps")]
    public float Epsilon { get; init; } = 0.5f;

    /// <summary>Weight λ of the adversarial loss (Elliot's l_adv; ALGN's reg_adv: 0.1).</summary>
    [ConfigAlias("l_adv")]
    public float AdversarialWeight { get; init; } = 0.1f;

    /// <summary>Training epochs, which the APR schedule counts back from; in a study, the study's epochs.</summary>
    public int Epochs { get; init; } = 2;

    /// <summary>How many of the last epochs train with APR (Elliot's adversarial_epochs); null = Epochs / 2.</summary>
    public int? AdversarialEpochs { get; init; }

    /// <summary>Steps of the training perturbation: 1 = FGSM (the APR paper), more = MSAP on the batch (projected steps in the ε ball).</summary>
    public int AdversarialSteps { get; init; } = 1;

    /// <summary>MSAP step size of the training perturbation; null = 2.5·ε / adversarial_steps.</summary>
    public float? AdversarialStepSize { get; init; }

    /// <summary>
    /// Steps of the MSAP attack of eval_perturbations (Elliot's nb_iter: 1 = FGSM), used with <see cref="Epsilon"/> and
    /// <see cref="EpsIter"/> only when the study sets no attack of its own (Elliot's files).
    /// </summary>
    public int NbIter { get; init; } = 1;

    /// <summary>MSAP step size (Elliot's eps_iter); null = 2.5·ε / nb_iter.</summary>
    public float? EpsIter { get; init; }

    /// <summary>Propagation engine: auto (managed kernel on the CPU, TorchSharp on CUDA), managed or torch.</summary>
    public GraphEngine Engine { get; init; } = GraphEngine.Auto;

    /// <summary>Device: cpu, cuda, cuda:N or auto.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Seed of every random choice.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>The number of final APR epochs in use.</summary>
    public int EffectiveAdversarialEpochs => AdversarialEpochs ?? Epochs / 2;

    /// <summary>Checks every value and names the first one that is out of range.</summary>
    public void Validate()
    {
        AdversarialStep.Validate((IAprOptions)this);
        AdversarialStep.Validate((IElliotAttackOptions)this);
        ToLightGcnOptions().Validate();
    }

    /// <summary>The options of the underlying LightGCN.</summary>
    public LightGcnOptions ToLightGcnOptions() => new()
    {
        Factors = Factors,
        Layers = Layers,
        LayerWeights = LayerWeights,
        LearningRate = LearningRate,
        Regularization = Regularization,
        BatchSize = BatchSize,
        InitStd = InitStd,
        Engine = Engine,
        Device = Device,
        Seed = Seed,
    };
}

/// <summary>
/// LightGCN trained with APR (He et al. 2018 applied to LightGCN, as in the ALGN code): after the plain warm-up
/// epochs, each batch minimises <c>L_BPR(θ) + R(θ) + λ · L_BPR(θ + Δ)</c>, where Δ is the batch's BPR gradient with
/// respect to the layer-0 user and item embeddings, normalised per row to L2 norm ε, and the perturbed layer-0
/// embeddings are propagated through the graph. APR is on for the last <see cref="LightGcnAprOptions.EffectiveAdversarialEpochs"/>
/// epochs (Elliot's schedule). Perturbable targets, attacks and scoring are LightGCN's.
/// </summary>
public sealed class LightGcnApr : LightGcn
{
    /// <summary>The model's name, as in configs and outputs.</summary>
    public new const string ModelName = "LightGCN-APR";

    /// <summary>A new model for <paramref name="train"/>.</summary>
    public LightGcnApr(LightGcnAprOptions options, Interactions train, Action<string>? log = null)
        : base(Validated(options).ToLightGcnOptions(), train, log, ModelName)
    {
        AprOptions = options;
    }

    private static LightGcnAprOptions Validated(LightGcnAprOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    /// <summary>The hyperparameters, APR's included.</summary>
    public LightGcnAprOptions AprOptions { get; }

    /// <inheritdoc />
    protected override object PersistedOptions => AprOptions;

    /// <inheritdoc />
    protected override string Name => ModelName;

    /// <inheritdoc />
    protected override AdversarialStep? NextAdversarialStep => AdversarialStep.Next(AprOptions, EpochsTrained);
}
