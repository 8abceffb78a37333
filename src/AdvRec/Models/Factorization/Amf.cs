using AdvRec.Data;

namespace AdvRec.Models.Factorization;

/// <summary>
/// Hyperparameters of <see cref="Amf"/>, with Elliot's names (in the config) and defaults. The APR paper's recipe
/// is <c>ItemBias = false, Optimizer = Adagrad, LearningRate = 0.05, Init = TruncatedNormal, Factors = 64,
/// Regularization = 0, Epsilon = 0.5, AdversarialWeight = 1</c>.
/// </summary>
public sealed record AmfOptions : IAprOptions, IElliotAttackOptions, ISeededOptions, IThreadedOptions
{
    /// <summary>Embedding size (Elliot's factors: 200).</summary>
    public int Factors { get; init; } = 200;

    /// <summary>Learning rate (Elliot's lr: 0.001, with Adam).</summary>
    [ConfigAlias("lr")]
    public float LearningRate { get; init; } = 0.001f;

    /// <summary>L2 weight on the batch's embedding rows (Elliot's l_w: 0.1).</summary>
    [ConfigAlias("l_w")]
    public float Regularization { get; init; } = 0.1f;

    /// <summary>L2 weight on the item bias (Elliot's l_b: 0.001).</summary>
    [ConfigAlias("l_b")]
    public float BiasRegularization { get; init; } = 0.001f;

    /// <summary>Perturbation budget ε of adversarial training, per-row L2 (Elliot's eps: 0.1).</summary>
    [ConfigAlias("eps")]
    public float Epsilon { get; init; } = 0.1f;

    /// <summary>Weight λ of the adversarial loss (Elliot's l_adv: 0.001).</summary>
    [ConfigAlias("l_adv")]
    public float AdversarialWeight { get; init; } = 0.001f;

    /// <summary>Training epochs, which the APR schedule counts back from; in a study, the study's epochs (Elliot's common default: 2).</summary>
    public int Epochs { get; init; } = 2;

    /// <summary>How many of the last epochs train with APR (Elliot's adversarial_epochs); null = Epochs / 2.</summary>
    public int? AdversarialEpochs { get; init; }

    /// <summary>Steps of the training perturbation: 1 = FGSM (the APR paper), more = MSAP on the batch (projected steps in the ε ball).</summary>
    public int AdversarialSteps { get; init; } = 1;

    /// <summary>MSAP step size of the training perturbation; null = 2.5·ε / adversarial_steps.</summary>
    public float? AdversarialStepSize { get; init; }

    /// <summary>
    /// Steps of the MSAP attack of eval_perturbations (Elliot's nb_iter: 1), used with <see cref="Epsilon"/> and
    /// <see cref="EpsIter"/> only when the study sets no attack of its own (Elliot's files).
    /// </summary>
    public int NbIter { get; init; } = 1;

    /// <summary>MSAP step size (Elliot's eps_iter), as <see cref="NbIter"/>; null = 2.5·ε / nb_iter.</summary>
    public float? EpsIter { get; init; }

    /// <summary>Learn an item bias (Elliot: yes; the APR paper: no).</summary>
    public bool ItemBias { get; init; } = true;

    /// <summary>Optimizer (Elliot: Adam; the APR paper: Adagrad).</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Initialisation (Elliot: Glorot uniform; the APR paper: truncated normal, std 0.01).</summary>
    public Initialization Init { get; init; } = Initialization.GlorotUniform;

    /// <summary>Standard deviation of the truncated-normal initialisation, cut at two deviations (APR code: 0.01).</summary>
    public float InitStd { get; init; } = 0.01f;

    /// <summary>Adagrad's initial accumulator value (Keras: 0.1).</summary>
    public float AdagradInitialAccumulator { get; init; } = 0.1f;

    /// <summary>Optimizer epsilon (Keras Adagrad and Adam: 1e-7).</summary>
    public float OptimizerEpsilon { get; init; } = 1e-7f;

    /// <summary>Adam's first-moment decay (0.9).</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>Adam's second-moment decay (0.999).</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>Triples per mini-batch. Elliot's default of −1 (the whole epoch as one batch) is not supported; the APR code uses 512.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>Seed of every random choice (Elliot: 42).</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Threads; 0 = all cores. Results do not depend on it.</summary>
    public int Threads { get; init; }

    /// <summary>The number of final APR epochs in use.</summary>
    public int EffectiveAdversarialEpochs => AdversarialEpochs ?? Epochs / 2;

    /// <summary>Checks every value and names the first one that is out of range.</summary>
    public void Validate()
    {
        AdversarialStep.Validate((IAprOptions)this);
        AdversarialStep.Validate((IElliotAttackOptions)this);
        ToBprMfOptions().Validate();
    }

    /// <summary>The options of the underlying BPR-MF engine.</summary>
    public BprMfOptions ToBprMfOptions() => new()
    {
        Factors = Factors,
        LearningRate = LearningRate,
        Regularization = Regularization,
        ItemBias = ItemBias,
        BiasRegularization = BiasRegularization,
        BatchSize = BatchSize,
        Optimizer = Optimizer,
        Init = Init,
        InitStd = InitStd,
        AdagradInitialAccumulator = AdagradInitialAccumulator,
        OptimizerEpsilon = OptimizerEpsilon,
        Beta1 = Beta1,
        Beta2 = Beta2,
        Seed = Seed,
        Threads = Threads,
    };
}

/// <summary>
/// AMF: BPR-MF trained with Adversarial Personalized Ranking (He et al., SIGIR 2018), as the paper intends. Each
/// mini-batch's Δ is the FGSM perturbation of the plain BPR loss at the clean point (per-row L2 norm ε, on the
/// batch's users and positive and negative items), and the step minimises <c>L_BPR(θ) + R(θ) + λ·L_BPR(θ + Δ)</c>.
/// APR is on for the last <see cref="AmfOptions.EffectiveAdversarialEpochs"/> epochs (Elliot's schedule), with
/// the same optimizer state throughout. Elliot's per-factor loss and inverted adversarial flag (reference notes
/// §1.8) are not reproduced. Perturbable targets: the user and item embeddings.
/// </summary>
public sealed class Amf : IIterativeModel, IPersistentModel
{
    /// <summary>The model's name, as in configs and outputs.</summary>
    public const string ModelName = "AMF";

    private readonly BprMf _mf;

    /// <summary>A new model for <paramref name="train"/>.</summary>
    public Amf(AmfOptions options, Interactions train)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _mf = new BprMf(options.ToBprMfOptions(), train);
    }

    private Amf(AmfOptions options, BprMf mf)
    {
        Options = options;
        _mf = mf;
    }

    /// <summary>The hyperparameters.</summary>
    public AmfOptions Options { get; }

    /// <summary>
    /// Writes the model as the BPR-MF file of its factorization (<see cref="BprMf.Save"/>: versioned header with the
    /// BPR-MF options, then the tables), so that anything that reads a BPR-MF file reads it; the adversarial settings
    /// (ε, λ, schedule) are not stored, as they do not change the scores.
    /// </summary>
    public void Save(string path) => _mf.Save(path);

    /// <summary>
    /// Reads a model written by <see cref="Save"/> (a BPR-MF file). The options shared with BPR-MF come from the file;
    /// the adversarial ones take their defaults. With <paramref name="train"/> it can be trained further and attacked.
    /// </summary>
    /// <exception cref="DataFormatException">The file is not a BPR-MF model file of a known version, or does not fit <paramref name="train"/>.</exception>
    public static Amf Load(string path, Interactions? train = null)
    {
        var mf = BprMf.Load(path, train);
        var options = System.Text.Json.JsonSerializer.Deserialize<AmfOptions>(System.Text.Json.JsonSerializer.Serialize(mf.Options))
            ?? throw new DataFormatException(path, 0, "missing options");
        return new Amf(options, mf);
    }

    /// <summary>The underlying BPR-MF (its tables, its persistence).</summary>
    public BprMf Factorization => _mf;

    /// <inheritdoc/>
    public int EpochsTrained => _mf.EpochsTrained;

    /// <inheritdoc/>
    public bool NextEpochIsAdversarial => AdversarialStep.Next(Options, _mf.EpochsTrained) is not null;

    /// <inheritdoc/>
    public int NumUsers => _mf.NumUsers;

    /// <inheritdoc/>
    public int NumItems => _mf.NumItems;

    /// <inheritdoc/>
    public IReadOnlyList<PerturbationTarget> PerturbationTargets => _mf.PerturbationTargets;

    /// <summary>Trains the next epoch: plain BPR before the adversarial phase, APR in it.</summary>
    public EpochStats TrainEpoch(IProgress<ProgressUpdate>? progress = null, CancellationToken cancellationToken = default) =>
        _mf.TrainEpoch(AdversarialStep.Next(Options, _mf.EpochsTrained), progress, cancellationToken);

    /// <inheritdoc/>
    public object TakeSnapshot() => _mf.TakeSnapshot();

    /// <inheritdoc/>
    public void RestoreSnapshot(object snapshot) => _mf.RestoreSnapshot(snapshot);

    /// <inheritdoc/>
    public void Score(ReadOnlySpan<int> users, Span<float> scores) => _mf.Score(users, scores);

    /// <inheritdoc/>
    public ILossSample DrawAttackSample(ulong seed) => _mf.DrawAttackSample(seed);

    /// <inheritdoc/>
    public double LossGradient(ILossSample sample, Perturbation? at, Perturbation gradient) => _mf.LossGradient(sample, at, gradient);

    /// <inheritdoc/>
    public IPerturbedView WithPerturbation(Perturbation delta) => _mf.WithPerturbation(delta);

    /// <summary>Disposes the BPR-MF model it trains.</summary>
    public void Dispose() => _mf.Dispose();
}
