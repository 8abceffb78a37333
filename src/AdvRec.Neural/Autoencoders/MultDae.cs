using AdvRec.Data;
using AdvRec.Models;

namespace AdvRec.Neural.Autoencoders;

/// <summary>
/// Hyperparameters of <see cref="MultDae"/>. Defaults are those of Liang et al. (WWW 2018): the paper's
/// [I → 600 → 200 → 600 → I] (the authors' notebook trains Mult-DAE as [I → 200 → I]: <c>hidden: 0</c>) and the
/// notebook's L2 weight 0.01 / batch size.
/// </summary>
public sealed record MultDaeOptions : AdversarialTrainingOptions, IDeviceOptions, ISeededOptions
{
    /// <summary>Size of the hidden layer on each side of the code (paper: 600; 0 = none, [I → latent → I] as in the notebook).</summary>
    [ConfigAlias("intermediate_dim")]
    public int Hidden { get; init; } = 600;

    /// <summary>Size of the code layer (paper: 200).</summary>
    [ConfigAlias("latent_dim")]
    public int Latent { get; init; } = 200;

    /// <summary>Dropout rate on the normalised input in training (paper: 0.5).</summary>
    public float Dropout { get; init; } = 0.5f;

    /// <summary>Adam's learning rate (paper: 1e-3).</summary>
    [ConfigAlias("lr")]
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Users per batch (paper: 500).</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>L2 weight lambda: the loss adds lambda · Σ‖W‖² over the weight matrices (notebook: 0.01 / 500).</summary>
    [ConfigAlias("reg_lambda")]
    public float Regularization { get; init; } = 0.01f / 500;

    /// <summary>Where the model runs: cpu, cuda, cuda:N or auto.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Seed of every random choice: initialisation, batch order, dropout.</summary>
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
        if (!TorchDevices.IsValidName(Device)) throw new ArgumentException($"device '{Device}': expected {TorchDevices.Choices}", nameof(Device));
        ValidateAdversarial();
    }
}

/// <summary>
/// Mult-DAE (Liang et al., WWW 2018): the denoising counterpart of <see cref="MultVae"/>: the same multinomial
/// likelihood and dropout-corrupted, L2-normalised input, with a deterministic tanh code and no KL term. It folds in new
/// users like Mult-VAE. See <see cref="MultAutoencoder"/> for the loss and the perturbable targets.
/// </summary>
public sealed class MultDae : MultAutoencoder
{
    /// <summary>The paper's name, as in configs and outputs.</summary>
    public const string ModelName = "MultDAE";

    /// <summary>Builds the model on <paramref name="train"/>, fitting on <paramref name="fitUsers"/> (null = every user with rows).</summary>
    public MultDae(MultDaeOptions options, Interactions train, IReadOnlyList<int>? fitUsers = null, Action<string>? log = null)
        : base(train, fitUsers, false, Checked(options).Hidden, options.Latent, options.Dropout, options.LearningRate, options.BatchSize,
            options.Regularization, 0, 0, options.Device, options.Seed, options, log)
    {
        Options = options;
    }

    /// <summary>The options the model was built with.</summary>
    public MultDaeOptions Options { get; }

    /// <inheritdoc />
    protected override string PersistedName => ModelName;

    /// <inheritdoc />
    protected override object PersistedOptions => Options;

    private static MultDaeOptions Checked(MultDaeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }
}
