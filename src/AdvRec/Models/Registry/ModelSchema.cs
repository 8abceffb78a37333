using System.Reflection;

namespace AdvRec.Models;

/// <summary>
/// What a study needs to bind a model's hyperparameters: its default options record, the config aliases of its
/// properties (for example <c>lr</c> → <c>LearningRate</c>) and which properties are files. Aliases and files are
/// declared on the options record (<see cref="ConfigAliasAttribute"/>, <see cref="ConfigPathAttribute"/>) and read
/// from it here.
/// </summary>
public sealed record ModelSchema
{
    /// <summary>The schema of <paramref name="defaults"/>'s record type.</summary>
    /// <param name="defaults">The options record with its defaults, such as <c>new BprMfOptions()</c>.</param>
    public ModelSchema(object defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        Defaults = defaults;
        var properties = defaults.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance);
        Aliases = properties
            .SelectMany(p => p.GetCustomAttribute<ConfigAliasAttribute>(inherit: true)?.Keys.Select(k => (Key: k, Property: p.Name)) ?? [])
            .ToDictionary(a => a.Key, a => a.Property, StringComparer.OrdinalIgnoreCase);
        Paths = [.. properties.Where(p => p.GetCustomAttribute<ConfigPathAttribute>(inherit: true) is not null).Select(p => p.Name)];
    }

    /// <summary>The options record with its defaults.</summary>
    public object Defaults { get; }

    /// <summary>Extra keys → property names (PascalCase), from the record's <see cref="ConfigAliasAttribute"/>s.</summary>
    public IReadOnlyDictionary<string, string> Aliases { get; }

    /// <summary>
    /// Properties (PascalCase) whose values are files (<see cref="ConfigPathAttribute"/>): the loader resolves them as it
    /// resolves data paths (<c>{0}</c> is the dataset name, a relative path is relative to the config file) and reports a
    /// missing file at its line.
    /// </summary>
    public IReadOnlyCollection<string> Paths { get; }

    /// <summary>
    /// Elliot's names for this model (its class names, such as <c>BPRMF</c> for BPR-MF), accepted as the model's key in a
    /// study; outputs keep the AdvRec name and run.log says which name was written.
    /// </summary>
    public IReadOnlyList<string> ElliotNames { get; init; } = [];

    /// <summary>Elliot's hyperparameters of this model that its options record has no property for, by key.</summary>
    public IReadOnlyDictionary<string, ElliotKey> ElliotKeys { get; init; } = new Dictionary<string, ElliotKey>();
}
