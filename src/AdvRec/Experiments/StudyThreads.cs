using System.Globalization;
using AdvRec.Experiments.Config;
using AdvRec.Models;

namespace AdvRec.Experiments;

/// <summary>
/// A study's thread cap for one run: <see cref="StudyRunOptions.Threads"/> over <see cref="StudyConfig.Threads"/>
/// (0 = all cores). It is given to every model whose options have threads (<see cref="IThreadedOptions"/>) that its
/// config does not set (<see cref="StudyDefaults"/>), caps the evaluation (the runner's
/// <see cref="Evaluation.EvaluationOptions.MaxDegreeOfParallelism"/>), and is set on the native engines
/// (<see cref="EngineThreads"/>) of the study's models until it is disposed, which sets their previous counts back.
/// </summary>
internal sealed class StudyThreads : IDisposable
{
    private readonly List<(EngineThreads Engine, int Previous)> _engines = [];

    private StudyThreads(int count) => Count = count;

    /// <summary>The cap; 0 = all cores (nothing is changed).</summary>
    public int Count { get; }

    /// <summary>
    /// Resolves the cap, sets it on the engines of the study's models and logs the choice once; dispose the result to
    /// set the engines back.
    /// </summary>
    public static StudyThreads Apply(StudyConfig config, StudyRunOptions options, Action<string> log)
    {
        int count = options.Threads ?? config.Threads;
        string source = options.Threads is null ? "experiment.threads"
            : string.Create(CultureInfo.InvariantCulture, $"--threads, over experiment.threads: {config.Threads}");
        var threads = new StudyThreads(count);
        if (count == 0)
        {
            log($"threads: all cores ({(options.Threads is null ? "experiment.threads absent or 0" : source)})");
            return threads;
        }

        var definitions = new List<(ModelConfig Model, ModelDefinition Definition)>();
        foreach (var model in config.Models)
        {
            if (options.Models.TryGetValue(model.Name, out var definition)) definitions.Add((model, definition));
        }
        var capped = new List<string>();
        var own = new List<string>();
        foreach (var (model, definition) in definitions)
        {
            if (definition.Schema.Defaults is not IThreadedOptions) continue;
            (StudyDefaults.Sets(model, definition.Schema, nameof(IThreadedOptions.Threads)) ? own : capped).Add(model.Name);
        }
        var engines = definitions.Select(x => x.Definition.EngineThreads).OfType<EngineThreads>()
            .DistinctBy(e => e.Engine, StringComparer.Ordinal).ToList();
        try
        {
            foreach (var engine in engines)
            {
                int previous = engine.Get();
                engine.Set(count);
                threads._engines.Add((engine, previous));
            }
        }
        catch
        {
            threads.Dispose();
            throw;
        }

        var parts = new List<string>();
        if (capped.Count > 0) parts.Add($"managed models ({string.Join(", ", capped)})");
        parts.Add("evaluation");
        parts.AddRange(threads._engines.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Engine.Engine} (was {e.Previous})")));
        string what = parts.Count == 1 ? parts[0] : string.Join(", ", parts[..^1]) + " and " + parts[^1];
        string kept = own.Count > 0 ? $"; {string.Join(", ", own)} {(own.Count == 1 ? "sets its" : "set their")} own threads" : "";
        log(string.Create(CultureInfo.InvariantCulture, $"threads: {count} ({source}): {what}{kept}"));
        return threads;
    }

    /// <summary>Sets every engine back to its count before <see cref="Apply"/>, the last set first.</summary>
    public void Dispose()
    {
        for (int k = _engines.Count - 1; k >= 0; k--)
        {
            var (engine, previous) = _engines[k];
            engine.Set(previous);
        }
        _engines.Clear();
    }
}
