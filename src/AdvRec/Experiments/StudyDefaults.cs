using AdvRec.Experiments.Config;
using AdvRec.Models;

namespace AdvRec.Experiments;

/// <summary>
/// The study-level settings that every model takes unless its own config sets them: <c>random_seed</c> for options
/// with a seed (<see cref="ISeededOptions"/>) and <c>threads</c> for options with a thread count
/// (<see cref="IThreadedOptions"/>, when the cap is not 0). They are defined once, in the study, and applied here.
/// </summary>
internal static class StudyDefaults
{
    /// <summary>
    /// <paramref name="options"/> with the study's <paramref name="seed"/> and <paramref name="threads"/> (0 = leave
    /// the options' own) where the options have them and <paramref name="model"/>'s config (hyperparameters or grid) does
    /// not set them.
    /// </summary>
    public static object Apply(object options, ModelConfig model, ModelSchema schema, ulong seed, int threads)
    {
        if (options is ISeededOptions seeded && seeded.Seed != seed && !Sets(model, schema, nameof(ISeededOptions.Seed)))
            options = OptionsRecord.With(options, nameof(ISeededOptions.Seed), seed);
        if (threads > 0 && options is IThreadedOptions threaded && threaded.Threads != threads && !Sets(model, schema, nameof(IThreadedOptions.Threads)))
            options = OptionsRecord.With(options, nameof(IThreadedOptions.Threads), threads);
        return options;
    }

    /// <summary>Whether <paramref name="model"/>'s config sets <paramref name="property"/> (by any of its keys) in hyperparameters or grid.</summary>
    public static bool Sets(ModelConfig model, ModelSchema schema, string property) =>
        model.Hyperparameters.Keys.Concat(model.Grid.Keys)
            .Any(key => OptionsBinder.PropertyOf(schema.Defaults.GetType(), key, schema.Aliases) == property);
}
