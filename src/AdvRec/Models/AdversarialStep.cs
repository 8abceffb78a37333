namespace AdvRec.Models;

/// <summary>
/// Turns one training epoch into adversarial training (APR): every step minimises
/// <c>L(θ) + R(θ) + Lambda · L(θ + Δ)</c>, where Δ has per-row L2 budget <see cref="Epsilon"/>.
/// By default (the APR paper) Δ is built per mini-batch from the gradient of the plain loss at the clean
/// point, normalised per row (FGSM); with <see cref="Steps"/> &gt; 1 it is MSAP on the batch: that first step of
/// <see cref="EffectiveStepSize"/>, then more steps along the gradient at θ + Δ, each projected back into the ε ball.
/// Set <see cref="DeltaProvider"/> to supply Δ yourself before every batch (the hands-on notebook rebuilds it from all
/// training pairs).
/// </summary>
/// <param name="Epsilon">Per-row L2 budget of Δ (APR paper: 0.5).</param>
/// <param name="Lambda">Weight of the adversarial loss term (APR paper: 1).</param>
public sealed record AdversarialStep(float Epsilon, float Lambda)
{
    /// <summary>When set, called before every batch for a full Δ over all perturbable targets (the model's target order).</summary>
    public Func<Perturbation>? DeltaProvider { get; init; }

    /// <summary>Steps of the batch's perturbation: 1 = FGSM (the APR paper), more = MSAP.</summary>
    public int Steps { get; init; } = 1;

    /// <summary>MSAP step size; null = 2.5·ε / steps.</summary>
    public float? StepSize { get; init; }

    /// <summary>The MSAP step size in use.</summary>
    public float EffectiveStepSize => StepSize ?? Adversarial.Msap.DefaultStepSize(Epsilon, Steps);

    /// <summary>
    /// Elliot's schedule: with <paramref name="adversarialEpochs"/> counting the final epochs, 0-based epoch
    /// <paramref name="epoch"/> of <paramref name="epochs"/> is adversarial when <c>epochs − epoch ≤ adversarialEpochs</c>.
    /// </summary>
    public static bool IsAdversarialEpoch(int epoch, int epochs, int adversarialEpochs) => epochs - epoch <= adversarialEpochs;

    /// <summary>
    /// The step of 0-based epoch <paramref name="epochsTrained"/> under <paramref name="options"/>' schedule (the last
    /// adversarial_epochs of epochs), or null for a plain epoch: the one APR schedule of every model that has one.
    /// </summary>
    public static AdversarialStep? Next(IAprOptions options, int epochsTrained)
    {
        ArgumentNullException.ThrowIfNull(options);
        return IsAdversarialEpoch(epochsTrained, options.Epochs, options.EffectiveAdversarialEpochs)
            ? new AdversarialStep(options.Epsilon, options.AdversarialWeight) { Steps = options.AdversarialSteps, StepSize = options.AdversarialStepSize }
            : null;
    }

    /// <summary>
    /// Checks APR options (epochs, adversarial_epochs, eps, l_adv, adversarial_steps, adversarial_step_size) and names the
    /// first value out of range, with the options' property name as the parameter name.
    /// </summary>
    public static void Validate(IAprOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Epochs < 1) throw new ArgumentOutOfRangeException(nameof(options.Epochs), options.Epochs, "epochs must be >= 1");
        if (options.EffectiveAdversarialEpochs < 0 || options.EffectiveAdversarialEpochs > options.Epochs)
            throw new ArgumentOutOfRangeException("AdversarialEpochs", options.EffectiveAdversarialEpochs, $"adversarial_epochs must be between 0 and epochs ({options.Epochs})");
        if (options.AdversarialSteps < 1) throw new ArgumentOutOfRangeException(nameof(options.AdversarialSteps), options.AdversarialSteps, "adversarial_steps must be >= 1");
        if (options.AdversarialStepSize is { } s && (!(s > 0) || !float.IsFinite(s)))
            throw new ArgumentOutOfRangeException(nameof(options.AdversarialStepSize), s, "adversarial_step_size must be a finite number > 0");
        new AdversarialStep(options.Epsilon, options.AdversarialWeight).Validate();
    }

    /// <summary>Checks Elliot's attack keys (nb_iter, eps_iter) of <paramref name="options"/>.</summary>
    public static void Validate(IElliotAttackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.NbIter < 1) throw new ArgumentOutOfRangeException(nameof(options.NbIter), options.NbIter, "nb_iter must be >= 1");
        if (options.EpsIter is { } s && !(s > 0)) throw new ArgumentOutOfRangeException(nameof(options.EpsIter), s, "eps_iter must be > 0");
    }

    /// <summary>Checks the budget, weight and steps.</summary>
    public void Validate()
    {
        Perturbation.CheckBudget(Epsilon, nameof(Epsilon));
        if (!(Lambda >= 0) || !float.IsFinite(Lambda)) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "the adversarial weight must be a finite number >= 0");
        if (Steps < 1) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "steps must be >= 1");
        if (StepSize is { } s && (!(s > 0) || !float.IsFinite(s))) throw new ArgumentOutOfRangeException(nameof(StepSize), s, "the step size must be a finite number > 0");
    }
}
