using AdvRec.Data;
using AdvRec.Data.Features;

namespace AdvRec.Models.Factorization;

/// <summary>
/// Hyperparameters of <see cref="Amr"/>: VBPR's (Elliot's names and defaults) plus the adversarial ones. Defaults are
/// Elliot's AMR (per-sample Δ on positive items, from scratch with <c>adversarial_epochs</c> final epochs); the original
/// AMR code is <c>DeltaScope = PerItem</c>, starting from a pre-trained VBPR (<see cref="Amr(AmrOptions, Vbpr)"/>, or
/// plain epochs before the adversarial ones), <c>Epsilon = 0.1, AdversarialWeight = 1</c>, features divided by their
/// global max.
/// </summary>
public sealed record AmrOptions
{
    /// <summary>Size of γ_u, γ_i (Elliot's factors: 200).</summary>
    public int Factors { get; init; } = 200;

    /// <summary>Size of θ_u and of the projection E (Elliot's factors_d: 20).</summary>
    public int FactorsD { get; init; } = 20;

    /// <summary>Learning rate (Elliot's lr: 0.001).</summary>
    public float LearningRate { get; init; } = 0.001f;

    /// <summary>L2 weight on γ and θ rows (Elliot's l_w: 0.1).</summary>
    public float Regularization { get; init; } = 0.1f;

    /// <summary>L2 weight on the item bias (Elliot's l_b: 0.001).</summary>
    public float BiasRegularization { get; init; } = 0.001f;

    /// <summary>L2 weight on E and β′ (Elliot's l_e: 0.1).</summary>
    public float ProjectionRegularization { get; init; } = 0.1f;

    /// <summary>Budget ε of the feature perturbation, per-row L2 (Elliot's eps: 0.1).</summary>
    public float Epsilon { get; init; } = 0.1f;

    /// <summary>Weight λ of the adversarial loss (Elliot's l_adv: 0.001; the original code: 1).</summary>
    public float AdversarialWeight { get; init; } = 0.001f;

    /// <summary>Which occurrences of the features Δ perturbs (Elliot: per sample, positives only; the original: per item, both).</summary>
    public FeatureDeltaScope DeltaScope { get; init; } = FeatureDeltaScope.PerSample;

    /// <summary>Training epochs; the schedule needs them (Elliot's common default: 2).</summary>
    public int Epochs { get; init; } = 2;

    /// <summary>How many of the last epochs train with AMR (Elliot's adversarial_epochs); null = Epochs / 2. The earlier ones are plain VBPR (pre-training).</summary>
    public int? AdversarialEpochs { get; init; }

    /// <summary>Steps of the MSAP attack used when evaluating robustness (Elliot's nb_iter: 1).</summary>
    public int NbIter { get; init; } = 1;

    /// <summary>MSAP step size (Elliot's eps_iter); null = 2.5·ε / nb_iter.</summary>
    public float? EpsIter { get; init; }

    /// <summary>Triples per mini-batch (512).</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>Optimizer (Elliot: Adam).</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Initialisation (Elliot: Glorot uniform).</summary>
    public Initialization Init { get; init; } = Initialization.GlorotUniform;

    /// <summary>Seed of every random choice (Elliot: 42).</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Threads; 0 = all cores. Results do not depend on it.</summary>
    public int Threads { get; init; }

    /// <summary>The number of final AMR epochs in use.</summary>
    public int EffectiveAdversarialEpochs => AdversarialEpochs ?? Epochs / 2;

    /// <summary>Checks every value and names the first one that is out of range.</summary>
    public void Validate()
    {
        AdversarialStep.ValidateSchedule(Epochs, EffectiveAdversarialEpochs, NbIter, EpsIter, Epsilon, AdversarialWeight);
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
public sealed class Amr : IIterativeModel
{
    /// <summary>The model's name, as in configs and outputs.</summary>
    public const string ModelName = "AMR";

    private readonly Vbpr _vbpr;

    /// <summary>A new model for <paramref name="train"/> with the item vectors <paramref name="features"/>.</summary>
    public Amr(AmrOptions options, Interactions train, ItemFeatures features)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _vbpr = new Vbpr(options.ToVbprOptions(), train, features);
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
        Options = options;
        _vbpr = Vbpr.CopyOf(pretrained, options.ToVbprOptions());
    }

    /// <summary>The hyperparameters.</summary>
    public AmrOptions Options { get; }

    /// <summary>The underlying VBPR (its tables, its persistence).</summary>
    public Vbpr Visual => _vbpr;

    /// <inheritdoc/>
    public int EpochsTrained => _vbpr.EpochsTrained;

    /// <inheritdoc/>
    public bool NextEpochIsAdversarial =>
        AdversarialStep.IsAdversarialEpoch(_vbpr.EpochsTrained, Options.Epochs, Options.EffectiveAdversarialEpochs);

    /// <inheritdoc/>
    public int NumUsers => _vbpr.NumUsers;

    /// <inheritdoc/>
    public int NumItems => _vbpr.NumItems;

    /// <inheritdoc/>
    public IReadOnlyList<PerturbationTarget> PerturbationTargets => _vbpr.PerturbationTargets;

    /// <summary>Trains the next epoch: plain VBPR before the adversarial phase, AMR in it.</summary>
    public EpochStats TrainEpoch(IProgress<ProgressUpdate>? progress = null, CancellationToken cancellationToken = default) =>
        _vbpr.TrainEpoch(NextEpochIsAdversarial ? new AdversarialStep(Options.Epsilon, Options.AdversarialWeight) : null, Options.DeltaScope, progress, cancellationToken);

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
    public IRecommender WithPerturbation(Perturbation delta) => _vbpr.WithPerturbation(delta);
}
