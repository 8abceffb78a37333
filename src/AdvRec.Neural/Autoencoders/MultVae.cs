using AdvRec.Data;
using AdvRec.Models;

namespace AdvRec.Neural.Autoencoders;

/// <summary>
/// Hyperparameters of <see cref="MultVae"/>. Defaults are those of Liang et al. (WWW 2018) and the authors' notebook.
/// </summary>
public sealed record MultVaeOptions : AdversarialTrainingOptions, IDeviceOptions, ISeededOptions
{
    /// <summary>Size of the hidden layer on each side of the code (paper: 600; 0 = none, [I → latent → I]).</summary>
    [ConfigAlias("intermediate_dim")]
    public int Hidden { get; init; } = 600;

    /// <summary>Size of the latent code (paper: 200).</summary>
    [ConfigAlias("latent_dim")]
    public int Latent { get; init; } = 200;

    /// <summary>Dropout rate on the normalised input in training (paper: 0.5, keep probability 0.5).</summary>
    public float Dropout { get; init; } = 0.5f;

    /// <summary>Adam's learning rate (paper: 1e-3).</summary>
    [ConfigAlias("lr")]
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Users per batch (paper: 500).</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>L2 weight lambda: the loss adds lambda · Σ‖W‖² over the weight matrices (notebook's Mult-VAE: 0).</summary>
    [ConfigAlias("reg_lambda")]
    public float Regularization { get; init; }

    /// <summary>Updates over which the KL weight beta grows linearly from 0 (paper: 200,000; 0 = the cap from the start).</summary>
    public long TotalAnnealSteps { get; init; } = 200_000;

    /// <summary>The largest KL weight beta (paper: 0.2).</summary>
    public float AnnealCap { get; init; } = 0.2f;

    /// <summary>Where the model runs: cpu, cuda, cuda:N or auto.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Seed of every random choice: initialisation, batch order, dropout, the code's noise.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Checks every value and names the first one that is out of range.</summary>
    public void Validate()
    {
        if (Hidden < 0) throw new ArgumentOutOfRangeException(nameof(Hidden), Hidden, "hidden must be >= 0 (0 = no hidden layer)");
        if (Latent < 1) throw new ArgumentOutOfRangeException(nameof(Latent), Latent, "latent must be >= 1");
        if (!(Dropout is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "dropout must be in [0, 1)");
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be > 0");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be >= 1");
        if (!(Regularization >= 0) || !float.IsFinite(Regularization)) throw new ArgumentOutOfRangeException(nameof(Regularization), Regularization, "regularization must be >= 0");
        if (TotalAnnealSteps < 0) throw new ArgumentOutOfRangeException(nameof(TotalAnnealSteps), TotalAnnealSteps, "total anneal steps must be >= 0");
        if (!(AnnealCap >= 0) || !float.IsFinite(AnnealCap)) throw new ArgumentOutOfRangeException(nameof(AnnealCap), AnnealCap, "anneal cap must be >= 0");
        if (!TorchDevices.IsValidName(Device)) throw new ArgumentException($"device '{Device}': expected {TorchDevices.Choices}", nameof(Device));
        ValidateAdversarial();
    }
}

/// <summary>
/// Mult-VAE (Liang, Krishnan, Hoffman and Jebara, "Variational Autoencoders for Collaborative Filtering", WWW 2018):
/// a variational autoencoder over the user's item row with a multinomial likelihood, [I → 600 → 200 → 600 → I] with
/// tanh, dropout on the L2-normalised input, and the KL term annealed (beta = min(cap, updates / total steps)). It folds
/// in new users: it fits on the dataset's fit users only (strong generalisation) and scores any user from their row.
/// See <see cref="MultAutoencoder"/> for the loss and the perturbable targets.
/// </summary>
public sealed class MultVae : MultAutoencoder
{
    /// <summary>The paper's name, as in configs and outputs.</summary>
    public const string ModelName = "MultVAE";

    /// <summary>Builds the model on <paramref name="train"/>, fitting on <paramref name="fitUsers"/> (null = every user with rows).</summary>
    public MultVae(MultVaeOptions options, Interactions train, IReadOnlyList<int>? fitUsers = null, Action<string>? log = null)
        : base(train, fitUsers, true, Checked(options).Hidden, options.Latent, options.Dropout, options.LearningRate, options.BatchSize,
            options.Regularization, options.TotalAnnealSteps, options.AnnealCap, options.Device, options.Seed, options, log)
    {
        Options = options;
    }

    /// <summary>The options the model was built with.</summary>
    public MultVaeOptions Options { get; }

    /// <inheritdoc />
    protected override string PersistedName => ModelName;

    /// <inheritdoc />
    protected override object PersistedOptions => Options;

    private static MultVaeOptions Checked(MultVaeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }
}
