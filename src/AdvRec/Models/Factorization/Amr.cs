using System.Globalization;
using AdvRec.Data;
using AdvRec.Data.Features;

namespace AdvRec.Models.Factorization;

/// <summary>
/// Hyperparameters of <see cref="Amr"/>: VBPR's (Elliot's names and defaults) plus the adversarial ones. Defaults are
/// Elliot's AMR (per-sample Δ on positive items, from scratch with <c>adversarial_epochs</c> final epochs); the original
/// AMR code is <c>DeltaScope = PerItem</c>, starting from a pre-trained VBPR (<see cref="Pretrained"/>,
/// <see cref="Amr(AmrOptions, Vbpr)"/>, or plain epochs before the adversarial ones), <c>Epsilon = 0.1,
/// AdversarialWeight = 1</c>, features divided by their global max.
/// </summary>
public sealed record AmrOptions : IAprOptions, IElliotAttackOptions, ISeededOptions, IThreadedOptions
{
    /// <summary>Size of γ_u, γ_i (Elliot's factors: 200).</summary>
    public int Factors { get; init; } = 200;

    /// <summary>Size of θ_u and of the projection E (Elliot's factors_d: 20).</summary>
    public int FactorsD { get; init; } = 20;

    /// <summary>Learning rate (Elliot's lr: 0.001).</summary>
    [ConfigAlias("lr")]
    public float LearningRate { get; init; } = 0.001f;

    /// <summary>L2 weight on γ and θ rows (Elliot's l_w: 0.1).</summary>
    [ConfigAlias("l_w")]
    public float Regularization { get; init; } = 0.1f;

    /// <summary>L2 weight on the item bias (Elliot's l_b: 0.001).</summary>
    [ConfigAlias("l_b")]
    public float BiasRegularization { get; init; } = 0.001f;

    /// <summary>L2 weight on E and β′ (Elliot's l_e: 0.1).</summary>
    [ConfigAlias("l_e")]
    public float ProjectionRegularization { get; init; } = 0.1f;

    /// <summary>Budget ε of the feature perturbation, per-row L2 (Elliot's eps: 0.1).</summary>
    [ConfigAlias("eps")]
    public float Epsilon { get; init; } = 0.1f;

    /// <summary>Weight λ of the adversarial loss (Elliot's l_adv: 0.001; the original code: 1).</summary>
    [ConfigAlias("l_adv")]
    public float AdversarialWeight { get; init; } = 0.001f;

    /// <summary>Which occurrences of the features Δ perturbs (Elliot: per sample, positives only; the original: per item, both).</summary>
    public FeatureDeltaScope DeltaScope { get; init; } = FeatureDeltaScope.PerSample;

    /// <summary>Training epochs, which the APR schedule counts back from; in a study, the study's epochs (Elliot's common default: 2).</summary>
    public int Epochs { get; init; } = 2;

    /// <summary>How many of the last epochs train with AMR (Elliot's adversarial_epochs); null = Epochs / 2, or Epochs with <see cref="Pretrained"/>. The earlier ones are plain VBPR (pre-training).</summary>
    public int? AdversarialEpochs { get; init; }

    /// <summary>Steps of the training perturbation: 1 = FGSM, the only value AMR supports (the shared APR option).</summary>
    public int AdversarialSteps { get; init; } = 1;

    /// <summary>MSAP step size of the training perturbation; null = 2.5·ε / adversarial_steps.</summary>
    public float? AdversarialStepSize { get; init; }

    /// <summary>
    /// A VBPR model file (<see cref="Vbpr.Save"/>, a study's <c>weights/VBPR.bin</c>) to start from, as the original AMR
    /// code does; null (the default, Elliot's) starts from scratch. The file is loaded with the model's training data
    /// and item features; its users, items, feature dimension, factors and factors_d must match (only the shapes are
    /// checked: the file must come from the same data), and its other options are replaced by these. Every epoch is then
    /// adversarial unless <see cref="AdversarialEpochs"/> says otherwise. In a study config (<c>pretrained</c>) a
    /// relative path is relative to the config file and <c>{0}</c> is the dataset name; here it is an ordinary file path.
    /// </summary>
    [ConfigPath]
    public string? Pretrained { get; init; }

    /// <summary>
    /// Steps of the MSAP attack of eval_perturbations (Elliot's nb_iter: 1), used with <see cref="Epsilon"/> and
    /// <see cref="EpsIter"/> only when the study sets no attack of its own (Elliot's files).
    /// </summary>
    public int NbIter { get; init; } = 1;

    /// <summary>MSAP step size (Elliot's eps_iter), as <see cref="NbIter"/>; null = 2.5·ε / nb_iter.</summary>
    public float? EpsIter { get; init; }

    /// <summary>Triples per mini-batch (512).</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>Optimizer (Elliot: Adam).</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Initialisation (Elliot: Glorot uniform).</summary>
    public Initialization Init { get; init; } = Initialization.GlorotUniform;

    /// <summary>Standard deviation of the truncated-normal initialisation (0.01).</summary>
    public float InitStd { get; init; } = 0.01f;

    /// <summary>Adagrad's initial accumulator value (Keras: 0.1).</summary>
    public float AdagradInitialAccumulator { get; init; } = 0.1f;

    /// <summary>Optimizer epsilon (Keras: 1e-7).</summary>
    public float OptimizerEpsilon { get; init; } = 1e-7f;

    /// <summary>Adam's first-moment decay (0.9).</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>Adam's second-moment decay (0.999).</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>Seed of every random choice (Elliot: 42).</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Threads; 0 = all cores. Results do not depend on it.</summary>
    public int Threads { get; init; }

    /// <summary>The number of final AMR epochs in use.</summary>
    public int EffectiveAdversarialEpochs => AdversarialEpochs ?? (Pretrained is null ? Epochs / 2 : Epochs);

    /// <summary>Checks every value and names the first one that is out of range.</summary>
    public void Validate()
    {
        if (Pretrained is { } p && string.IsNullOrWhiteSpace(p)) throw new ArgumentException("pretrained: an empty path; give a VBPR model file or leave it out", nameof(Pretrained));
        AdversarialStep.Validate((IAprOptions)this);
        AdversarialStep.Validate((IElliotAttackOptions)this);
        if (AdversarialSteps > 1)
            throw new ArgumentOutOfRangeException(nameof(AdversarialSteps), AdversarialSteps, "adversarial_steps must be 1 for AMR: its feature perturbation is FGSM only (multi-step APR is available for AMF, LightGCN-APR and the autoencoders)");
        ToVbprOptions().Validate();
    }

    /// <summary>The options of the underlying VBPR.</summary>
    public VbprOptions ToVbprOptions() => new()
    {
        Factors = Factors,
        FactorsD = FactorsD,
        LearningRate = LearningRate,
        Regularization = Regularization,
        BiasRegularization = BiasRegularization,
        ProjectionRegularization = ProjectionRegularization,
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
/// AMR, Adversarial Multimedia Recommendation (Tang, Du et al., TKDE 2019): VBPR trained with APR where the perturbation
/// acts on the item feature vectors. Each batch minimises <c>L_BPR(θ; f) + R(θ) + λ·L_BPR(θ; f + Δ)</c>, with Δ the
/// per-row L2-normalised gradient of the batch's BPR loss with respect to f at the clean point, scaled by ε, in the
/// configured <see cref="FeatureDeltaScope"/>. AMR is on for the last <see cref="AmrOptions.EffectiveAdversarialEpochs"/>
/// epochs; the earlier ones are plain VBPR. Perturbable targets: as <see cref="Vbpr"/> (embeddings and features).
/// </summary>
public sealed class Amr : IIterativeModel, IPersistentModel, IItemFeatureModel
{
    /// <summary>The model's name, as in configs and outputs.</summary>
    public const string ModelName = "AMR";

    private readonly Vbpr _vbpr;

    /// <summary>
    /// A new model for <paramref name="train"/> with the item vectors <paramref name="features"/>; with
    /// <see cref="AmrOptions.Pretrained"/>, its parameters are those of that VBPR file (fresh optimizer state).
    /// </summary>
    /// <exception cref="DataFormatException">The pre-trained file is unreadable or does not match (see <see cref="CheckPretrained"/>).</exception>
    public Amr(AmrOptions options, Interactions train, ItemFeatures features)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        if (options.Pretrained is { } path)
        {
            CheckPretrained(options, train, features);
            using var pretrained = Vbpr.Load(path, features, train);
            _vbpr = Vbpr.CopyOf(pretrained, options.ToVbprOptions());
        }
        else _vbpr = new Vbpr(options.ToVbprOptions(), train, features);
    }

    /// <summary>
    /// AMR starting from a pre-trained VBPR (the original code's recipe): a copy of its parameters, fresh optimizer
    /// state. The original trains adversarially from the first epoch: set AdversarialEpochs = Epochs.
    /// </summary>
    public Amr(AmrOptions options, Vbpr pretrained)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pretrained);
        options.Validate();
        if (options.Pretrained is not null) throw new ArgumentException("options.Pretrained names a file, but this constructor takes the pre-trained VBPR itself; use one or the other", nameof(options));
        Options = options;
        _vbpr = Vbpr.CopyOf(pretrained, options.ToVbprOptions());
    }

    /// <summary>
    /// Checks, from its header only, that the VBPR file of <see cref="AmrOptions.Pretrained"/> fits an AMR of
    /// <paramref name="options"/> on <paramref name="train"/> and <paramref name="features"/>: users, items, feature
    /// dimension, factors and factors_d. Does nothing without a pre-trained file.
    /// </summary>
    /// <exception cref="DataFormatException">The file is missing or not a VBPR model file, or it differs; the message names the file and every difference.</exception>
    public static void CheckPretrained(AmrOptions options, Interactions train, ItemFeatures features)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(features);
        if (options.Pretrained is not { } path) return;
        var info = Vbpr.ReadInfo(path);
        var differences = new List<string>();
        void Compare(string what, int saved, int here, string where)
        {
            if (saved != here) differences.Add(string.Create(CultureInfo.InvariantCulture, $"{what} {saved} in the file, {here} {where}"));
        }
        Compare("users", info.Users, train.NumUsers, "in the training data");
        Compare("items", info.Items, train.NumItems, "in the training data");
        Compare("feature dimension", info.FeatureDimension, features.Dimension, "in the item features");
        Compare("factors", info.Options.Factors, options.Factors, "in AMR's options");
        Compare("factors_d", info.Options.FactorsD, options.FactorsD, "in AMR's options");
        if (differences.Count > 0)
            throw new DataFormatException(path, 0, $"the pre-trained VBPR does not fit this AMR: {string.Join("; ", differences)}");
    }

    /// <summary>The hyperparameters.</summary>
    public AmrOptions Options { get; }

    /// <summary>The underlying VBPR (its tables, its persistence).</summary>
    public Vbpr Visual => _vbpr;

    /// <summary>
    /// Writes the model as the VBPR file of its tables (<see cref="Vbpr.Save"/>), which an AMR can start from
    /// (<see cref="AmrOptions.Pretrained"/>); the adversarial settings are not stored, as they do not change the scores.
    /// </summary>
    public void Save(string path) => _vbpr.Save(path);

    /// <summary>
    /// Reads a model written by <see cref="Save"/> (a VBPR file) with the item vectors <paramref name="features"/>. The
    /// options shared with VBPR come from the file; the adversarial ones take their defaults.
    /// </summary>
    /// <exception cref="DataFormatException">The file is not a VBPR model file of a known version, or does not fit the data.</exception>
    public static Amr Load(string path, ItemFeatures features, Interactions? train = null)
    {
        var vbpr = Vbpr.Load(path, features, train);
        var options = System.Text.Json.JsonSerializer.Deserialize<AmrOptions>(System.Text.Json.JsonSerializer.Serialize(vbpr.Options))
            ?? throw new DataFormatException(path, 0, "missing options");
        return new Amr(options, vbpr);
    }

    /// <inheritdoc/>
    public ItemFeatures Features => _vbpr.Features;

    /// <inheritdoc/>
    public int EpochsTrained => _vbpr.EpochsTrained;

    /// <inheritdoc/>
    public bool NextEpochIsAdversarial => AdversarialStep.Next(Options, _vbpr.EpochsTrained) is not null;

    /// <inheritdoc/>
    public int NumUsers => _vbpr.NumUsers;

    /// <inheritdoc/>
    public int NumItems => _vbpr.NumItems;

    /// <inheritdoc/>
    public IReadOnlyList<PerturbationTarget> PerturbationTargets => _vbpr.PerturbationTargets;

    /// <summary>Trains the next epoch: plain VBPR before the adversarial phase, AMR in it.</summary>
    public EpochStats TrainEpoch(IProgress<ProgressUpdate>? progress = null, CancellationToken cancellationToken = default) =>
        _vbpr.TrainEpoch(AdversarialStep.Next(Options, _vbpr.EpochsTrained), Options.DeltaScope, progress, cancellationToken);

    /// <inheritdoc/>
    public object TakeSnapshot() => _vbpr.TakeSnapshot();

    /// <inheritdoc/>
    public void RestoreSnapshot(object snapshot) => _vbpr.RestoreSnapshot(snapshot);

    /// <inheritdoc/>
    public void Score(ReadOnlySpan<int> users, Span<float> scores) => _vbpr.Score(users, scores);

    /// <inheritdoc/>
    public ILossSample DrawAttackSample(ulong seed) => _vbpr.DrawAttackSample(seed);

    /// <inheritdoc/>
    public double LossGradient(ILossSample sample, Perturbation? at, Perturbation gradient) => _vbpr.LossGradient(sample, at, gradient);

    /// <inheritdoc/>
    public IPerturbedView WithPerturbation(Perturbation delta) => _vbpr.WithPerturbation(delta);

    /// <summary>Disposes the VBPR model it trains.</summary>
    public void Dispose() => _vbpr.Dispose();
}
