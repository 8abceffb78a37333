using System.Globalization;
using System.Text;
using AdvRec.Models;

namespace AdvRec.Neural;

/// <summary>
/// The adversarial-training settings shared by the options of every neural model that trains through
/// <see cref="NeuralModel.Backward"/> (Elliot's keys: <c>eps</c>, <c>l_adv</c>, <c>adversarial_epochs</c>). In each of
/// the last <see cref="EffectiveAdversarialEpochs"/> epochs every batch minimises
/// <c>L(θ) + R(θ) + λ · Σ_i λ_i · L(θ, N_i)</c>, where N_i is an FGSM (or, with more <see cref="AdversarialSteps"/>,
/// MSAP) perturbation of target i of per-row L2 norm <c>α_i · ε</c>, computed for the batch through autograd from the
/// gradient of the batch's own loss. With <see cref="JointPerturbation"/> the perturbations of all targets enter one
/// term, <c>λ · L(θ, N_1, …, N_k)</c>. Off by default (adversarial_epochs 0).
/// </summary>
public abstract record AdversarialTrainingOptions : IAprOptions
{
    /// <summary>The epochs the study trains (the schedule counts back from it); the study's <c>epochs</c> sets it.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>How many of the last epochs train adversarially (Elliot's adversarial_epochs); null = the model's default: 0 (off), except ACAE and FG-ACAE, which train adversarially in the last half of the epochs.</summary>
    public int? AdversarialEpochs { get; init; }

    /// <summary>Per-row L2 budget ε of the training perturbations (Elliot's eps).</summary>
    [ConfigAlias("eps")]
    public float Epsilon { get; init; } = 0.5f;

    /// <summary>Weight λ of the adversarial term (Elliot's l_adv; APR paper: 1).</summary>
    [ConfigAlias("l_adv")]
    public float AdversarialWeight { get; init; } = 1f;

    /// <summary>
    /// The perturbed targets with their weights λ_i, as a map (<c>{hidden: 1, input: 0.5}</c>); null = the model's
    /// default (its <c>hidden</c> target where it has one, else its last).
    /// </summary>
    public IReadOnlyDictionary<string, float>? AdversarialTargets { get; init; }

    /// <summary>Per-target budget scale α_i (ε_i = α_i · ε: the fine-grained variant); a target not named here has 1.</summary>
    [ConfigAlias("eps_scale")]
    public IReadOnlyDictionary<string, float>? EpsilonScale { get; init; }

    /// <summary>true: one adversarial term with every target perturbed at once (its weights λ_i must then be 1); false: one term per target.</summary>
    public bool JointPerturbation { get; init; }

    /// <summary>Steps of the training perturbation: 1 = FGSM, more = MSAP (projected gradient ascent in the ε ball).</summary>
    public int AdversarialSteps { get; init; } = 1;

    /// <summary>MSAP step size; null = 2.5 · ε_i / steps (as the attacks).</summary>
    public float? AdversarialStepSize { get; init; }

    /// <summary>The number of final adversarial epochs in use.</summary>
    public int EffectiveAdversarialEpochs => AdversarialEpochs ?? DefaultAdversarialEpochs;

    /// <summary>Adversarial epochs when <see cref="AdversarialEpochs"/> is not set (0 unless a model trains adversarially by design).</summary>
    protected virtual int DefaultAdversarialEpochs => 0;

    /// <summary>The adversarial settings for ToString (run.log), maps written out as <c>{name: value}</c>.</summary>
    protected virtual bool PrintMembers(StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        static string Map(IReadOnlyDictionary<string, float>? map) =>
            map is null ? "default" : "{" + string.Join(", ", map.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}: {kv.Value}"))) + "}";
        builder.Append(CultureInfo.InvariantCulture, $"Epochs = {Epochs}, AdversarialEpochs = {EffectiveAdversarialEpochs}, Epsilon = {Epsilon}, AdversarialWeight = {AdversarialWeight}, ");
        builder.Append(CultureInfo.InvariantCulture, $"AdversarialTargets = {Map(AdversarialTargets)}, EpsilonScale = {Map(EpsilonScale)}, JointPerturbation = {JointPerturbation}, ");
        builder.Append(CultureInfo.InvariantCulture, $"AdversarialSteps = {AdversarialSteps}, AdversarialStepSize = {AdversarialStepSize?.ToString(CultureInfo.InvariantCulture) ?? "default"}");
        return true;
    }

    /// <summary>Checks the adversarial settings and names the first one out of range (as its property name).</summary>
    protected void ValidateAdversarial()
    {
        AdversarialStep.Validate(this);
        foreach (var (name, weight) in AdversarialTargets ?? new Dictionary<string, float>())
        {
            if (!(weight >= 0) || !float.IsFinite(weight)) throw new ArgumentOutOfRangeException(nameof(AdversarialTargets), weight, $"the weight of target '{name}' must be a finite number >= 0");
            if (JointPerturbation && weight != 1) throw new ArgumentOutOfRangeException(nameof(AdversarialTargets), weight, $"with joint_perturbation the targets share one term: the weight of '{name}' must be 1 (use eps_scale to size its perturbation)");
        }
        foreach (var (name, scale) in EpsilonScale ?? new Dictionary<string, float>())
        {
            if (!(scale >= 0) || !float.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(EpsilonScale), scale, $"the budget scale of target '{name}' must be a finite number >= 0");
        }
    }
}
