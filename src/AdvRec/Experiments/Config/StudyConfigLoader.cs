using AdvRec.Models;

namespace AdvRec.Experiments.Config;

/// <summary>
/// Reads a study YAML file (Elliot's vocabulary: <c>experiment:</c> with dataset, data_config, prefiltering,
/// splitting, binarize, top_k, evaluation, random_seed and models), applies <c>--set</c> overrides, checks the
/// whole file and returns a typed <see cref="StudyConfig"/>, or throws one <see cref="ConfigException"/> listing
/// every problem found (unknown keys with the nearest valid one, wrong types, missing files, unknown metrics,
/// bad overrides and, when model schemas are given, hyperparameters that do not bind). Nothing is trained.
/// </summary>
public static class StudyConfigLoader
{
    /// <summary>
    /// Loads <paramref name="path"/>. Positions in errors name the file as given. <paramref name="overrides"/> are
    /// <c>key=value</c> strings applied in order over the file (the last wins). When <paramref name="models"/> is
    /// given (model name → schema), model names must be among its keys and every grid point is bound into
    /// <see cref="ModelConfig.Variants"/>.
    /// </summary>
    public static StudyConfig Load(string path, IEnumerable<string>? overrides = null, IReadOnlyDictionary<string, ModelSchema>? models = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new ConfigException(new ConfigPosition(path, 1, 1), $"config file not found: {Path.GetFullPath(path)}");
        string text = File.ReadAllText(path);
        string full = Path.GetFullPath(path);
        return Parse(text, path, Path.GetDirectoryName(full) ?? Directory.GetCurrentDirectory(), overrides, models, full);
    }

    /// <summary>
    /// Parses YAML <paramref name="text"/> as if read from <paramref name="file"/>; relative data paths resolve
    /// against <paramref name="baseDirectory"/>. Otherwise as <see cref="Load"/>.
    /// </summary>
    public static StudyConfig Parse(string text, string file, string baseDirectory, IEnumerable<string>? overrides = null,
        IReadOnlyDictionary<string, ModelSchema>? models = null) =>
        Parse(text, file, baseDirectory, overrides, models, Path.GetFullPath(Path.Combine(baseDirectory, file)));

    private static StudyConfig Parse(string text, string file, string baseDirectory, IEnumerable<string>? overrides,
        IReadOnlyDictionary<string, ModelSchema>? models, string sourcePath)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(baseDirectory);
        var errors = new List<ConfigError>();
        var warnings = new List<ConfigError>();
        var root = YamlTree.Parse(text, file, errors, warnings: warnings);
        if (root is null) throw new ConfigException(errors);
        if (overrides is not null) ConfigOverrides.Apply(root, overrides, errors);
        var config = new StudyParser(file, baseDirectory, models, errors, warnings).Parse(root, sourcePath);
        if (errors.Count > 0 || config is null) throw new ConfigException(errors.Count > 0 ? errors : [new ConfigError(new ConfigPosition(file, 1, 1), "invalid config")]);
        return config;
    }
}
