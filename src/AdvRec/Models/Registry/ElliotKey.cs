namespace AdvRec.Models;

/// <summary>How an Elliot hyperparameter that a model's options record has no property for is read.</summary>
public enum ElliotKeyKind
{
    /// <summary>Read and not used, with a warning at its position: nothing in AdvRec's model depends on it.</summary>
    Ignored,

    /// <summary>Accepted only with the value AdvRec's model always has; any other value is an error (it would change results).</summary>
    Fixed,

    /// <summary>Converted onto a property of the options, such as Elliot's keep probability onto a dropout rate.</summary>
    Converted,
}

/// <summary>
/// An Elliot hyperparameter of a model (see <see cref="ModelSchema.ElliotKeys"/>) that is not a property of the
/// model's options record: ignored with a warning, fixed at the one value AdvRec implements, or converted onto a
/// property. The study parser applies it in both forms (directly under the model name and under <c>hyperparameters:</c>)
/// and to every value of a grid.
/// </summary>
public sealed record ElliotKey
{
    private ElliotKey(ElliotKeyKind kind, string reason, string? value, string? property, Func<double, double>? convert)
    {
        Kind = kind;
        Reason = reason;
        Value = value;
        Property = property;
        Convert = convert;
    }

    /// <summary>How the key is read.</summary>
    public ElliotKeyKind Kind { get; }

    /// <summary>Why, in words, for the warning or error (or the conversion rule, for <see cref="ElliotKeyKind.Converted"/>).</summary>
    public string Reason { get; }

    /// <summary>The one value accepted (<see cref="ElliotKeyKind.Fixed"/>), compared as a boolean, a number or text ignoring case.</summary>
    public string? Value { get; }

    /// <summary>The property (PascalCase) a <see cref="ElliotKeyKind.Converted"/> key sets.</summary>
    public string? Property { get; }

    /// <summary>The conversion of a <see cref="ElliotKeyKind.Converted"/> key's number.</summary>
    public Func<double, double>? Convert { get; }

    /// <summary>A key that is read and not used: <paramref name="reason"/> says why nothing depends on it.</summary>
    public static ElliotKey Ignored(string reason) => new(ElliotKeyKind.Ignored, reason, null, null, null);

    /// <summary>A key accepted only at <paramref name="value"/>, the behaviour AdvRec's model has (<paramref name="reason"/>).</summary>
    public static ElliotKey Fixed(string value, string reason) => new(ElliotKeyKind.Fixed, reason, value, null, null);

    /// <summary>A key whose number is converted by <paramref name="convert"/> onto <paramref name="property"/>; <paramref name="rule"/> says how.</summary>
    public static ElliotKey Converted(string property, Func<double, double> convert, string rule) => new(ElliotKeyKind.Converted, rule, null, property, convert);
}
