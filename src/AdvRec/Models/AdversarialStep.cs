namespace AdvRec.Models;

/// <summary>
/// Turns one training epoch into adversarial training (APR): every step minimises
/// <c>L(θ) + R(θ) + Lambda · L(θ + Δ)</c>, where Δ is the FGSM perturbation of budget <see cref="Epsilon"/>.
/// By default (the APR paper) Δ is built per mini-batch from the gradient of the plain loss at the clean
/// point, normalised per row; set <see cref="DeltaProvider"/> to supply Δ yourself before every batch
/// (the hands-on notebook rebuilds it from all training pairs).
/// </summary>
/// <param name="Epsilon">Per-row L2 budget of Δ (APR paper: 0.5).</param>
/// <param name="Lambda">Weight of the adversarial loss term (APR paper: 1).</param>
public sealed record AdversarialStep(float Epsilon, float Lambda)
{
    /// <summary>When set, called before every batch for a full Δ over all perturbable targets (the model's target order).</summary>
    public Func<Perturbation>? DeltaProvider { get; init; }

    /// <summary>
    /// Elliot's schedule: with <paramref name="adversarialEpochs"/> counting the final epochs, 0-based epoch
    /// <paramref name="epoch"/> of <paramref name="epochs"/> is adversarial when <c>epochs − epoch ≤ adversarialEpochs</c>.
    /// </summary>
    public static bool IsAdversarialEpoch(int epoch, int epochs, int adversarialEpochs) => epochs - epoch <= adversarialEpochs;

    /// <summary>
    /// Checks an APR schedule with Elliot's settings (epochs, adversarial_epochs, nb_iter, eps_iter, eps, l_adv) and
    /// names the first value out of range, with the options' property name as the parameter name.
    /// </summary>
    public static void ValidateSchedule(int epochs, int adversarialEpochs, int nbIter, float? epsIter, float epsilon, float lambda)
    {
        if (epochs < 1) throw new ArgumentOutOfRangeException("Epochs", epochs, "epochs must be >= 1");
        if (adversarialEpochs < 0 || adversarialEpochs > epochs)
            throw new ArgumentOutOfRangeException("AdversarialEpochs", adversarialEpochs, $"adversarial_epochs must be between 0 and epochs ({epochs})");
        if (nbIter < 1) throw new ArgumentOutOfRangeException("NbIter", nbIter, "nb_iter must be >= 1");
        if (epsIter is { } s && !(s > 0)) throw new ArgumentOutOfRangeException("EpsIter", s, "eps_iter must be > 0");
        new AdversarialStep(epsilon, lambda).Validate();
    }

    /// <summary>Checks the budget and weight.</summary>
    public void Validate()
    {
        Perturbation.CheckBudget(Epsilon, nameof(Epsilon));
        if (!(Lambda >= 0) || !float.IsFinite(Lambda)) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "the adversarial weight must be a finite number >= 0");
    }
}
