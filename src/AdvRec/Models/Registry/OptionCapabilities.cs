namespace AdvRec.Models;

/// <summary>
/// Options whose model counts its epochs itself (an adversarial schedule that counts back from the last epoch). In a
/// study the epochs are declared once (<c>epochs</c> or <c>meta.epochs</c>); the definition writes them into these
/// options before the model is built (<see cref="ModelDefinition.Create"/>).
/// </summary>
public interface IScheduledOptions
{
    /// <summary>The epochs the model will be trained.</summary>
    int Epochs { get; }
}

/// <summary>
/// The one shape of adversarial training (APR, He et al. 2018) shared by AMF, AMR, LightGCN-APR and the neural
/// autoencoders: the last <see cref="EffectiveAdversarialEpochs"/> of <see cref="IScheduledOptions.Epochs"/> epochs
/// minimise <c>L(θ) + R(θ) + λ·L(θ + Δ)</c>, where Δ is FGSM at budget ε (one step) or MSAP with
/// <see cref="AdversarialSteps"/> projected steps of <see cref="AdversarialStepSize"/>. The config keys are Elliot's
/// (<c>eps</c>, <c>l_adv</c>, <c>adversarial_epochs</c>) plus <c>adversarial_steps</c> and <c>adversarial_step_size</c>.
/// </summary>
public interface IAprOptions : IScheduledOptions
{
    /// <summary>Per-row L2 budget ε of the training perturbation.</summary>
    float Epsilon { get; }

    /// <summary>Weight λ of the adversarial loss.</summary>
    float AdversarialWeight { get; }

    /// <summary>How many of the last epochs train adversarially, in use (the options' own default applied).</summary>
    int EffectiveAdversarialEpochs { get; }

    /// <summary>Steps of the training perturbation: 1 = FGSM, more = MSAP.</summary>
    int AdversarialSteps { get; }

    /// <summary>MSAP step size; null = 2.5·ε / steps (as the attacks).</summary>
    float? AdversarialStepSize { get; }
}

/// <summary>
/// Options that carry Elliot's attack keys (<c>eps</c>, <c>nb_iter</c>, <c>eps_iter</c>): a study that sets no attack
/// budget of its own attacks such a model with them in eval_perturbations, as Elliot does.
/// </summary>
public interface IElliotAttackOptions
{
    /// <summary>Elliot's <c>eps</c> (the training budget too).</summary>
    float Epsilon { get; }

    /// <summary>Elliot's <c>nb_iter</c>: steps of the eval_perturbations attack.</summary>
    int NbIter { get; }

    /// <summary>Elliot's <c>eps_iter</c>: its step size; null = 2.5·ε / nb_iter.</summary>
    float? EpsIter { get; }
}

/// <summary>Options of a model that runs on a device (cpu, cuda, cuda:N, auto); a study's <c>--device</c> or <c>gpu</c> overrides it.</summary>
public interface IDeviceOptions
{
    /// <summary>The device name.</summary>
    string Device { get; }
}

/// <summary>Options of a managed model with its own thread count; a study's <c>threads</c> fills it in unless the model's config sets it.</summary>
public interface IThreadedOptions
{
    /// <summary>Threads; 0 = all cores.</summary>
    int Threads { get; }
}

/// <summary>Options with a seed for every random choice; a study's <c>random_seed</c> fills it in unless the model's config sets it.</summary>
public interface ISeededOptions
{
    /// <summary>The seed.</summary>
    ulong Seed { get; }
}

/// <summary>A model that reads item feature vectors: a study must give them (checked before any training).</summary>
public interface IItemFeatureModel
{
    /// <summary>The perturbation target of the feature vectors, which eval_perturbations attacks by default.</summary>
    const string FeatureTarget = "item_features";

    /// <summary>The item features the model reads.</summary>
    Data.Features.ItemFeatures Features { get; }
}

/// <summary>
/// Another config key for the property it is on, such as Elliot's <c>lr</c> for <c>LearningRate</c>; declared on the
/// options record, read by <see cref="ModelSchema"/>.
/// </summary>
/// <param name="keys">The keys (snake_case), each setting this property.</param>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class ConfigAliasAttribute(params string[] keys) : Attribute
{
    /// <summary>The keys.</summary>
    public IReadOnlyList<string> Keys { get; } = keys;
}

/// <summary>
/// Marks a property whose value is a file (such as AMR's <c>pretrained</c>): a study resolves it as it resolves data
/// paths and reports a missing file at its line.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class ConfigPathAttribute : Attribute;

/// <summary>Copies of options records with one property changed, for settings a study applies to every model alike.</summary>
public static class OptionsRecord
{
    /// <summary>
    /// A copy of <paramref name="options"/> (a record's copy, as <c>with</c> makes) with its public settable property
    /// <paramref name="property"/> set to <paramref name="value"/>; <paramref name="options"/> itself is not changed.
    /// </summary>
    public static object With(object options, string property, object? value)
    {
        ArgumentNullException.ThrowIfNull(options);
        var prop = options.GetType().GetProperty(property, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            ?? throw new ArgumentException($"{options.GetType().Name} has no property {property}", nameof(property));
        var copy = Clone(options);
        prop.SetValue(copy, value);
        return copy;
    }

    /// <summary>A record's copy (its <c>&lt;Clone&gt;$</c>), or a memberwise copy of any other object.</summary>
    public static object Clone(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var flags = System.Reflection.BindingFlags.Instance;
        var clone = value.GetType().GetMethod("<Clone>$", flags | System.Reflection.BindingFlags.Public, Type.EmptyTypes);
        if (clone is not null) return clone.Invoke(value, null)!;
        var memberwise = typeof(object).GetMethod("MemberwiseClone", flags | System.Reflection.BindingFlags.NonPublic)!;
        return memberwise.Invoke(value, null)!;
    }
}
