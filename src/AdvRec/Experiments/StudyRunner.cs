using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AdvRec.Adversarial;
using AdvRec.Data;
using AdvRec.Data.Features;
using AdvRec.Evaluation;
using AdvRec.Evaluation.Statistics;
using AdvRec.Experiments.Config;
using AdvRec.Experiments.Reporting;
using AdvRec.Experiments.Training;
using AdvRec.IO;
using AdvRec.Models;

namespace AdvRec.Experiments;

/// <summary>Where and how <see cref="StudyRunner"/> writes its results.</summary>
/// <param name="OutputRoot">The folder under which the run's folder (named by dataset and time) is created.</param>
/// <param name="Charts">Draws the plots; null writes no plots.</param>
/// <param name="Log">Receives every log line (also written to run.log), for example to show it on a console.</param>
public sealed record StudyRunOptions(string OutputRoot, IChartRenderer? Charts = null, Action<string>? Log = null)
{
    /// <summary>The models a study may name (default: <see cref="ModelRegistry.Models"/>, the managed engine's).</summary>
    public IReadOnlyDictionary<string, ModelDefinition> Models { get; init; } = ModelRegistry.Models;

    /// <summary>A device for every model that has one (<c>cpu</c>, <c>cuda</c>, <c>auto</c>), over their own options; null keeps theirs.</summary>
    public string? Device { get; init; }

    /// <summary>
    /// The most threads the run uses (0 = all cores), over the study's <c>experiment.threads</c> (<c>advrec run
    /// --threads</c>); null keeps the study's. See <see cref="StudyConfig.Threads"/> for what it caps.
    /// </summary>
    public int? Threads { get; init; }
}

/// <summary>Where a run writes: its own folder, and the performance, recommendation and weight folders (the run folder's, or Elliot's path_output_rec_*).</summary>
internal sealed record RunFolders(string Run, string Performance, string Recs, string Weights);

/// <summary>The best configuration of one model, trained, with its test results.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Configuration">The grid point ("factors=64, lr=0.05"; empty without a grid).</param>
/// <param name="History">How training went.</param>
/// <param name="Test">Test-split metrics of the selected epoch.</param>
public sealed record StudyModelResult(string Model, string Configuration, TrainingHistory History, EvaluationResult Test)
{
    /// <summary>The model's key in the study: <see cref="Model"/>, or the Elliot name it was written with (such as BPRMF).</summary>
    public string WrittenName { get; init; } = Model;

    /// <summary>The attack of this configuration's eval_perturbations tables and where its budget came from; null when they are off.</summary>
    public StudyAttack? PerturbationAttack { get; init; }
}

/// <summary>What a study produced.</summary>
/// <param name="OutputFolder">The run's results folder.</param>
/// <param name="Dataset">The data as loaded and split.</param>
/// <param name="Best">The best configuration of each model, in config order.</param>
public sealed record StudyResult(string OutputFolder, Dataset Dataset, IReadOnlyList<StudyModelResult> Best);

/// <summary>
/// Runs a study: loads and splits the data, trains every configuration of every model (selecting on the
/// validation split, never on the test split), evaluates the selected ones on the test split, and writes the
/// results folder: performance tables (TSV and JSON) per cutoff, every trial, the best parameters, significance
/// tests, eval_perturbations tables, recommendation lists, weights, plots, report.html and run.log. Each file is
/// written atomically as soon as it is complete, so a cancelled run leaves complete files only.
/// </summary>
public static class StudyRunner
{
    // the attack files beside the adversarial tables: indented, with the text of their origin as written
    private static readonly JsonSerializerOptions SidecarJson = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Runs <paramref name="config"/>.</summary>
    public static StudyResult Run(StudyConfig config, StudyRunOptions options, IProgress<ProgressUpdate>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Threads is < 0) throw new ArgumentOutOfRangeException(nameof(options), options.Threads, "threads must be >= 0 (0 = all cores)");
        if (config.Threads < 0) throw new ArgumentOutOfRangeException(nameof(config), config.Threads, "threads must be >= 0 (0 = all cores)");
        var clock = Stopwatch.StartNew();
        var loadNotes = new List<string>();
        var data = LoadData(config, loadNotes.Add);
        double loadSeconds = clock.Elapsed.TotalSeconds;
        var driven = new Stopwatch(); // training and evaluation: the work the runner drives
        CheckSelectable(config, data, options.Models);

        string stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string folder = Path.Combine(options.OutputRoot, $"{Safe(config.Dataset)}-{stamp}");
        var dirs = new RunFolders(folder, config.Outputs.Performance ?? Path.Combine(folder, "performance"),
            config.Outputs.Recommendations ?? Path.Combine(folder, "recs"), config.Outputs.Weights ?? Path.Combine(folder, "weights"));
        Directory.CreateDirectory(folder);
        Directory.CreateDirectory(dirs.Performance);
        using var logFile = new StreamWriter(Path.Combine(folder, "run.log"), append: false) { AutoFlush = true };
        void Log(string line)
        {
            string stamped = $"[{DateTime.Now:yyyy-MM-dd HH:mm:ss}] {line}";
            logFile.WriteLine(stamped);
            options.Log?.Invoke(line);
        }
        Log($"study {config.SourcePath}: {data.Name}: {data.Description}");
        foreach (var warning in config.Warnings) Log($"config warning: {warning}");
        var r = data.Report;
        foreach (string format in r.Formats) Log(format);
        foreach (string note in loadNotes) Log(note);
        foreach (var (what, path, key) in new[] { ("performance tables", config.Outputs.Performance, "path_output_rec_performance"),
            ("recommendation lists", config.Outputs.Recommendations, "path_output_rec_result"), ("weights", config.Outputs.Weights, "path_output_rec_weight") })
        {
            if (path is not null) Log($"{what} go to {path} ({key})");
        }
        string? device = options.Device ?? config.Device;
        if (options.Device is null && config.Device is not null)
            Log($"device {config.Device} for every model that has one (the study's gpu; advrec run --device overrides it)");
        Log($"train {r.TrainRows} rows ({r.TrainUsers} users, {r.TrainItems} items); validation {r.ValidationRows} rows; test {r.TestRows} rows; " +
            $"dropped from test: {r.TestRowsDroppedUnseenUser} (unseen user), {r.TestRowsDroppedUnseenItem} (unseen item)");
        if (data.ItemFeatures is { } features)
            Log($"item features: {features.Source}, {features.Dimension} values per item, normalization {features.Normalization}; " +
                $"dropped before splitting: {features.InteractionsDropped} interactions of {features.ItemsDropped} items without features; " +
                $"{features.UnknownFeatureRows} feature rows for items not in the data; {features.ItemsWithoutFeatures} items with a zero vector");

        if (data.FitUsers is { } fit)
            Log($"strong generalisation: models that fold in users fit on the {fit.Count} training users' rows only and score the {r.TrainUsers - fit.Count} held-out users from their fold-in rows; models with one parameter per user (BPR-MF, AMF) fit on every training row, fold-in rows included");
        using var threads = StudyThreads.Apply(config, options, Log); // engines are set back at the end, also on error
        var evalOptions = config.Evaluation.ToEvaluationOptions() with { MaxDegreeOfParallelism = threads.Count > 0 ? threads.Count : null };
        var test = new RankingEvaluator(data.Train, data.Test, evalOptions);
        var validation = data.Validation is null ? null : new RankingEvaluator(data.Train, data.Validation, evalOptions);
        if (validation is null) Log("no validation split: each model keeps its last epoch (nothing is selected on the test split)");
        if (config.Splitting is { Validation: { } valSplit } sp && valSplit with { Position = default } != sp.Test with { Position = default })
            Log($"note: validation_splitting ({valSplit.Position}) asks for {valSplit.Strategy}; the validation part was carved from training the same way as the test part ({sp.Test.Strategy}), the only way the splitters support");

        var report = new HtmlReport($"AdvRec study: {config.Dataset}");
        report.AddSection("Data").AddParagraph($"{data.Name}: {data.Description}")
            .AddParagraph($"Training {r.TrainRows:N0} pairs, {r.TrainUsers:N0} users, {r.TrainItems:N0} items; validation {r.ValidationRows:N0} pairs; test {r.TestRows:N0} pairs.");
        var trials = new ResultTable(["model", "configuration", "epochs", "best epoch", "validation", .. test.Keys.Select(k => k.ToString())]);
        var best = new List<StudyModelResult>();
        var curves = new List<(string Model, RobustnessCurve Curve)>();
        var attacks = PlanAttacks(config, options.Models, Log);

        foreach (var (modelConfig, modelIndex) in config.Models.Select((m, i) => (m, i)))
        {
            var definition = options.Models.TryGetValue(modelConfig.Name, out var found) ? found
                : throw new ArgumentException($"the study names the model '{modelConfig.Name}', which this runner does not have ({string.Join(", ", options.Models.Keys)})", nameof(options));
            var meta = modelConfig.Meta;
            if (modelConfig.IsAlias)
                Log($"model {modelConfig.WrittenName} ({modelConfig.Position}) is Elliot's name for {modelConfig.Name}; the outputs name it {modelConfig.Name}");
            if (modelConfig.GridSize > modelConfig.Variants.Count)
                Log($"{modelConfig.Name}: {modelConfig.Variants.Count} of the grid's {modelConfig.GridSize} points are trained (meta.hyper_max_evals; drawn with random_seed {config.RandomSeed})");
            StudyModelResult? modelBest = null;
            // Every model created here is disposed in a finally: a grid point once another is better (or at once when it is
            // not), the best once its outputs are written, and whichever is held when training or evaluation throws.
            IIterativeModel? modelBestInstance = null;
            try
            {
                foreach (var (variant, variantIndex) in modelConfig.Variants.Select((v, i) => (v, i)))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int epochs = meta.Epochs ?? ModelDefinition.DeclaredEpochs(variant.Options) ?? 10;
                    var attack = attacks[modelIndex]?[variantIndex];
                    var trainer = new TrainerOptions
                    {
                        Epochs = epochs,
                        ValidationRate = meta.ValidationRate,
                        ValidationMetric = meta.ValidationMetric ?? test.Keys[0],
                        Patience = meta.EarlyStopping?.Patience,
                        Monitor = meta.EarlyStopping?.MonitorMetric,
                        MonitorLoss = meta.EarlyStopping?.MonitorsLoss ?? false,
                        EvalPerturbations = meta.EvalPerturbations,
                        Attack = attack?.Attack ?? definition.Attack(variant.Options),
                        Seed = config.RandomSeed,
                    };
                    string label = variant.Description.Length == 0 ? modelConfig.Name : $"{modelConfig.Name} ({variant.Description})";
                    var context = new ModelContext(epochs, data.Train, data, Log, device);
                    var bound = definition.Prepare(StudyDefaults.Apply(variant.Options, modelConfig, definition.Schema, config.RandomSeed, threads.Count), context);
                    Log($"training {label}, {epochs} epochs; options {bound}");
                    var sw = Stopwatch.StartNew();
                    driven.Start();
                    IIterativeModel? model = definition.Build(bound, context); // bound is prepared already
                    try
                    {
                        if (model is not IRatingPredictor && test.Metrics.Any(m => m.IsRatingError()))
                        {
                            throw new ArgumentException($"the study asks for {string.Join(" and ", test.Metrics.Where(m => m.IsRatingError()).Select(m => m.Name()))}, but {modelConfig.Name} does not predict ratings (it only ranks); drop those metrics or the model", nameof(config));
                        }
                        var history = Trainer.Train(model, trainer, validation, meta.EvalPerturbations ? test : null, progress, cancellationToken);
                        var testResult = test.Evaluate(model, null, cancellationToken);
                        driven.Stop();
                        if (meta.Verbose)
                        {
                            foreach (var (record, k) in history.Epochs.Select((r, k) => (r, k + 1)))
                                Log($"{label} epoch {k}{(record.Adversarial ? " (APR)" : "")}: loss {record.Stats.Loss:G6}" +
                                    (record.Adversarial ? $", adversarial loss {record.Stats.AdversarialLoss:G6}" : "") +
                                    (record.Validation is { } val ? $", validation {trainer.ValidationMetric} {val:F4}" : "") + $" ({record.Stats.Seconds:F2} s)");
                        }
                        Log($"{label}: best epoch {history.BestEpoch}{(history.BestValidation is { } v ? $", validation {trainer.ValidationMetric} {v:F4}" : "")}" +
                            $", test {string.Join(", ", test.Keys.Select(k => $"{k} {testResult.Mean(k):F4}"))} ({sw.Elapsed.TotalSeconds:F1} s)");
                        trials.AddRow([modelConfig.Name, variant.Description, history.Epochs.Count, history.BestEpoch,
                            history.BestValidation ?? double.NaN, .. test.Keys.Select(k => (ResultCell)testResult.Mean(k))]);
                        var result = new StudyModelResult(modelConfig.Name, variant.Description, history, testResult)
                        {
                            WrittenName = modelConfig.WrittenName.Length > 0 ? modelConfig.WrittenName : modelConfig.Name,
                            PerturbationAttack = attack,
                        };
                        bool better = modelBest is null || (history.BestValidation is { } bv && modelBest.History.BestValidation is { } mv &&
                            (trainer.ValidationMetric.Metric.HigherIsBetter() ? bv > mv : bv < mv));
                        if (better)
                        {
                            var previous = modelBestInstance;
                            modelBest = result;
                            modelBestInstance = model;
                            model = null; // kept for the outputs; the finally around the grid disposes it
                            previous?.Dispose();
                        }
                    }
                    finally
                    {
                        model?.Dispose(); // native (TorchSharp) models hold memory outside the GC's view
                    }
                }
                best.Add(modelBest!);
                if (config.Evaluation.Robustness is { Targets: { } wanted } && wanted.Except(modelBestInstance!.PerturbationTargets.Select(t => t.Name)).ToList() is { Count: > 0 } missing)
                    Log($"robustness sweep of {modelConfig.Name} skipped: it has no target {string.Join(", ", missing)} (its targets: {string.Join(", ", modelBestInstance.PerturbationTargets.Select(t => t.Name))})");
                else if (config.Evaluation.Robustness is { } sweep)
                {
                    Log($"robustness sweep of {modelConfig.Name}: {SweepSettings(sweep)}; from evaluation.robustness (the study's, the same for every model)");
                    driven.Start();
                    curves.Add((modelConfig.Name, RobustnessSweep.Run(modelBestInstance!, test, sweep.Epsilons, sweep.Attack(sweep.Epsilons[0]), config.RandomSeed, progress, cancellationToken, modelBest!.Test)));
                    driven.Stop();
                }
                WriteModelOutputs(dirs, config, data, definition, modelConfig, modelBest!, modelBestInstance!, meta.ValidationMetric ?? test.Keys[0], options.Charts, report, driven, Log);
            }
            finally
            {
                modelBestInstance?.Dispose();
            }
        }

        trials.WriteTsv(Path.Combine(dirs.Performance, "trials.tsv"));
        WritePerformance(dirs, test, best, report, config.PrintResultsAsTriplets);
        WriteSignificance(dirs, config, test, best, report);
        if (curves.Count > 0) WriteRobustness(dirs, config.Evaluation.Robustness!, test, curves, options.Charts, report);
        report.AddSection("All trials").AddTable(trials);
        report.Write(Path.Combine(folder, "report.html"));
        double total = clock.Elapsed.TotalSeconds, work = driven.Elapsed.TotalSeconds;
        Log($"done in {total:F2} s: loading and splitting {loadSeconds:F2} s, training and evaluation {work:F2} s, " +
            $"everything else (outputs, report, plots, bookkeeping) {total - loadSeconds - work:F2} s = {100 * (total - loadSeconds - work) / Math.Max(work, 1e-9):F1} % of training and evaluation");
        Log($"results: {folder}");
        return new StudyResult(folder, data, best);
    }

    /// <summary>
    /// The eval_perturbations attack of every grid point of every model that has them (null for the others), in config
    /// order; one run.log line per such model with its attack and where the budget came from, and a warning when the
    /// tables would not all use the same budget.
    /// </summary>
    private static List<List<StudyAttack>?> PlanAttacks(StudyConfig config, IReadOnlyDictionary<string, ModelDefinition> models, Action<string> log)
    {
        var attacks = config.Models.Select(m => m.Meta.EvalPerturbations && models.TryGetValue(m.Name, out var definition)
            ? m.Variants.Select(v => StudyAttack.Resolve(config.Evaluation, m, definition, v.Options)).ToList()
            : null).ToList();
        var planned = config.Models.Zip(attacks).Where(p => p.Second is { Count: > 0 }).Select(p => (Model: p.First, Attacks: p.Second!)).ToList();
        foreach (var (model, list) in planned)
        {
            if (list.Select(a => (a.Settings, a.Origin)).Distinct().Count() == 1)
                log($"{model.Name}: eval_perturbations attack {list[0].Settings}; from {list[0].Origin}");
            else
                log($"{model.Name}: eval_perturbations attack by grid point: " +
                    string.Join("; ", model.Variants.Zip(list).Select(p => $"({p.First.Description}) {p.Second.Settings}, from {p.Second.Origin}")));
        }
        if (planned.SelectMany(p => p.Attacks).Select(a => a.Budget).Distinct().Count() > 1)
        {
            log("warning: the eval_perturbations tables do not all use the same attack budget, so their SSAP and MSAP columns do not compare: " +
                string.Join("; ", planned.Select(p => $"{p.Model.Name}: {string.Join(" / ", p.Attacks.Select(a => a.Settings).Distinct())}, from {string.Join(" / ", p.Attacks.Select(a => a.Origin).Distinct())}")) +
                ". Set eps, nb_iter (and eps_iter) in evaluation to attack every model alike");
        }
        return attacks;
    }

    /// <summary>The robustness sweep's attack in the config's words.</summary>
    private static string SweepSettings(RobustnessConfig sweep)
    {
        string eps = $"eps [{string.Join(", ", sweep.Epsilons.Select(StudyAttack.Number))}]";
        string targets = $"targets {(sweep.Targets is { } t ? string.Join(", ", t) : "all")}";
        // one step without a step size is FGSM (RobustnessSweep.Perturb), which neither steps nor projects
        return sweep.Steps == 1 && sweep.StepSize is null
            ? $"{eps}, FGSM (nb_iter 1), {targets}"
            : $"{eps}, MSAP: nb_iter {sweep.Steps}, eps_iter {(sweep.StepSize is { } step ? StudyAttack.Number(step) : "2.5·eps/nb_iter")}, " +
              $"projection {ConfigConvert.SnakeCase(sweep.Projection.ToString())}, {targets}";
    }

    /// <summary>Loads the study's data: fixed files, or one file prefiltered and split as configured.</summary>
    /// <remarks>
    /// With <c>item_features</c>, the interactions of items without a feature vector are dropped before splitting (and
    /// counted), then the vectors are aligned with the items by original id and normalised.
    /// </remarks>
    public static Dataset LoadData(StudyConfig config) => LoadData(config, null);

    /// <summary>Loads the study's data as <see cref="LoadData(StudyConfig)"/>; <paramref name="notes"/> receives what was written (a saved split).</summary>
    public static Dataset LoadData(StudyConfig config, Action<string>? notes)
    {
        ArgumentNullException.ThrowIfNull(config);
        var read = config.ToReadOptions();
        if (config.Data.Strategy == DataStrategy.SyntheticVisual)
            return SyntheticVisualDataset.Generate(config.RandomSeed, config.Data.Synthetic);
        var table = config.Data.ItemFeatures is { } fo ? ItemFeatureLoader.Load(fo) : null;
        int rowsDropped = 0;
        var itemsDropped = new HashSet<string>(StringComparer.Ordinal);
        InteractionLog Filter(InteractionLog log)
        {
            if (table is null) return log;
            var (kept, rows, items) = ItemFeatures.DropItemsWithoutFeatures(log, table);
            rowsDropped += rows;
            itemsDropped.UnionWith(items);
            return kept;
        }
        Dataset data;
        if (config.Data.Strategy is DataStrategy.Fixed or DataStrategy.Hierarchy)
        {
            if (table is null)
                return DatasetLoader.LoadFixed(config.Data.TrainPath!, config.Data.TestPath!, config.Data.ValidationPath, read, config.Dataset);
            var validation = config.Data.ValidationPath is { } vp ? Filter(InteractionReader.Read(vp, read)) : null;
            data = DatasetLoader.FromLogs(Filter(InteractionReader.Read(config.Data.TrainPath!, read)), Filter(InteractionReader.Read(config.Data.TestPath!, read)),
                validation, config.BinarizeThreshold, config.Dataset);
        }
        else
        {
            var log = Filter(InteractionReader.Read(config.Data.DatasetPath!, read));
            if (config.Prefiltering.Count > 0) log = Prefilter.Apply(log, config.Prefiltering).Log;
            var splitting = config.Splitting ?? throw new ConfigException(new ConfigPosition(config.SourcePath, 1, 1), "strategy 'dataset' needs a splitting block");
            data = DatasetLoader.FromLog(log, Splitter(splitting), config.RandomSeed, config.BinarizeThreshold, config.Dataset,
                onSplit: splitting.SaveFolder is { } save ? split => SaveSplit(split, save, notes) : null);
        }
        if (table is null) return data;
        var features = ItemFeatures.Align(table, data.Items, config.Data.ItemFeatures!.Normalization);
        return data.WithItemFeatures(features.WithDropped(rowsDropped, itemsDropped.Count));
    }

    /// <summary>
    /// Writes a split in Elliot's save_folder layout, which strategy hierarchy reads back: <c>0/test.tsv</c> with
    /// <c>0/train.tsv</c>, or with <c>0/0/train.tsv</c> and <c>0/0/val.tsv</c>. Files are replaced; nothing else in the folder is touched.
    /// </summary>
    private static void SaveSplit(SplitResult split, string folder, Action<string>? log)
    {
        string fold = Path.Combine(folder, "0");
        InteractionWriter.WriteTsv(split.Test, Path.Combine(fold, "test.tsv"));
        if (split.Validation is { } validation)
        {
            InteractionWriter.WriteTsv(split.Train, Path.Combine(fold, "0", "train.tsv"));
            InteractionWriter.WriteTsv(validation, Path.Combine(fold, "0", "val.tsv"));
        }
        else InteractionWriter.WriteTsv(split.Train, Path.Combine(fold, "train.tsv"));
        log?.Invoke($"split saved to {folder} (splitting.save_folder): {split.Train.Count} train, {split.Validation?.Count ?? 0} validation and {split.Test.Count} test rows, before binarisation");
    }

    // The validation part is carved from training the same way as the test part (the splitters' rule); under strong
    // generalisation the validation users are a second set of held-out users (validation_splitting's held_out_users).
    private static Splitter Splitter(SplittingConfig splitting)
    {
        var t = splitting.Test;
        bool validation = splitting.Validation is not null;
        return t.Strategy switch
        {
            SplitStrategy.LeaveNOut => new LeaveNOutSplitter(t.LeaveNOut ?? 1, t.ByTime, validation),
            SplitStrategy.TemporalHoldOut when t.LeaveNOut is { } n => new LeaveNOutSplitter(n, byTime: true, validation),
            SplitStrategy.TemporalHoldOut => new HoldOutSplitter(t.TestRatio ?? 0.2, byTime: true, validation),
            SplitStrategy.RandomSubsampling when t.LeaveNOut is { } n => new LeaveNOutSplitter(n, byTime: false, validation),
            SplitStrategy.RandomSubsampling => new HoldOutSplitter(t.TestRatio ?? 0.2, byTime: false, validation),
            SplitStrategy.StrongGeneralization => new StrongGeneralizationSplitter(t.HeldOutUsers ?? 0.1, t.TestRatio ?? 0.2, validation,
                splitting.Validation is { Strategy: SplitStrategy.StrongGeneralization } v ? v.HeldOutUsers : null, t.ByTime),
            _ => new KFoldSplitter(Math.Max(2, t.Folds), 0, validation),
        };
    }

    // Selecting among grid points and stopping early on a metric need a validation split: never the test split.
    private static void CheckSelectable(StudyConfig config, Dataset data, IReadOnlyDictionary<string, ModelDefinition> models)
    {
        var errors = new List<ConfigError>();
        foreach (var m in config.Models)
        {
            if (data.Validation is null && m.Variants.Count > 1)
                errors.Add(new ConfigError(m.Position, $"model {m.Name} has a grid of {m.Variants.Count} configurations but the study has no validation split to select on (add validation_splitting or validation_path)"));
            if (models.TryGetValue(m.Name, out var definition) && definition.NeedsItemFeatures && data.ItemFeatures is null)
                errors.Add(new ConfigError(m.Position, $"model {m.Name} needs item features: add data_config.item_features (path, format) or a side_information VisualAttribute block, or use strategy synthetic_visual"));
            if (definition?.Check is { } check)
            {
                foreach (var variant in m.Variants)
                {
                    if (check(variant.Options, data) is { } problem)
                        errors.Add(new ConfigError(PositionOf(m, variant, problem.Key), $"model {m.Name}: {problem.Key}: {problem.Message}"));
                }
            }
            if (m.Meta.EarlyStopping is { MonitorsLoss: false } && data.Validation is null)
                errors.Add(new ConfigError(m.Position, $"model {m.Name}: early_stopping on {m.Meta.EarlyStopping.Monitor} needs a validation split (or monitor: loss)"));
        }
        if (errors.Count > 0) throw new ConfigException(errors);
    }

    // Where a hyperparameter of a grid point was written: its grid value, its fixed value, or else the model's key.
    private static ConfigPosition PositionOf(ModelConfig m, GridPoint<object> variant, string key)
    {
        string wanted = ConfigConvert.Normalize(key);
        foreach (var (k, v) in variant.GridValues)
        {
            if (ConfigConvert.Normalize(k) == wanted) return v.Position;
        }
        foreach (var (k, v) in m.Hyperparameters)
        {
            if (ConfigConvert.Normalize(k) == wanted) return v.Position;
        }
        return m.Position;
    }

    private static void WriteModelOutputs(RunFolders dirs, StudyConfig config, Dataset data, ModelDefinition definition, ModelConfig modelConfig,
        StudyModelResult result, IIterativeModel model, MetricKey validationMetric, IChartRenderer? charts, HtmlReport report, Stopwatch driven, Action<string> log)
    {
        string name = Safe(modelConfig.Name);
        var section = report.AddSection(modelConfig.Name);
        var h = result.History;
        if (modelConfig.IsAlias) section.AddParagraph($"Written in the study as {modelConfig.WrittenName}, Elliot's name for {modelConfig.Name}.");
        section.AddParagraph(result.Configuration.Length == 0 ? "Default configuration." : $"Best configuration: {result.Configuration}.")
            .AddParagraph(h.SelectedOnValidation
                ? $"Selected epoch {h.BestEpoch} of {h.Epochs.Count} on the validation split{(h.StoppedEarly ? " (stopped early)" : "")}."
                : $"No validation split: the last epoch ({h.BestEpoch}) is kept.");
        if (modelConfig.Meta.SaveRecs)
        {
            Directory.CreateDirectory(dirs.Recs);
            driven.Start(); // scoring every user is inference work; only the writing is the runner's own
            var lists = TopKRecommender.Recommend(model, Math.Min(config.TopK, data.NumItems), data.Train);
            driven.Stop();
            RecommendationFile.Write(Path.Combine(dirs.Recs, $"{name}.tsv"), lists, data.Users, data.Items);
        }
        if (modelConfig.Meta.SaveWeights)
        {
            Directory.CreateDirectory(dirs.Weights);
            definition.Save(model, Path.Combine(dirs.Weights, $"{name}.bin"));
        }
        if (h.PerturbationColumns.Count > 0 && h.PerturbationAttack is { } attack)
        {
            string origin = result.PerturbationAttack?.Origin ?? "the trainer's options";
            string settings = StudyAttack.Describe(attack);
            var written = new List<string>();
            foreach (var (split, rows) in new[] { ("test", h.TestPerturbations), ("validation", h.ValidationPerturbations) })
            {
                if (rows.Count == 0) continue;
                var table = new ResultTable(h.PerturbationColumns);
                foreach (var row in rows) table.AddRow([.. row.Select(c => double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? (ResultCell)d : c)]);
                table.WriteTsv(Path.Combine(dirs.Performance, $"adversarial-{name}-{split}.tsv"));
                written.Add($"adversarial-{name}-{split}.tsv");
                if (split == "test")
                    section.AddTable(table, "0.####", $"eval_perturbations on the test split (clean; SSAP = FGSM at eps {StudyAttack.Number(attack.Epsilon)}; MSAP): attack {settings}; from {origin}");
            }
            // the tables keep their columns; their attack goes beside them
            var sidecar = new Dictionary<string, object?>
            {
                ["model"] = modelConfig.Name,
                ["tables"] = written,
                ["eps"] = (double)(decimal)attack.Epsilon,
                ["nb_iter"] = attack.Steps,
                ["eps_iter"] = (double)(decimal)attack.EffectiveStepSize,
                ["eps_iter_is_default"] = attack.StepSize is null,
                ["projection"] = ConfigConvert.SnakeCase(attack.Projection.ToString()),
                ["targets"] = attack.Targets,
                ["source"] = result.PerturbationAttack is { } a ? ConfigConvert.SnakeCase(a.Source.ToString()) : null,
                ["origin"] = origin,
            };
            AtomicFile.Write(Path.Combine(dirs.Performance, $"adversarial-{name}-attack.json"),
                s => JsonSerializer.Serialize(s, sidecar, SidecarJson));
            log($"eval_perturbations tables of {modelConfig.Name} ({string.Join(", ", written)}): attack {settings}; from {origin}");
        }
        if (charts is not null)
        {
            Directory.CreateDirectory(Path.Combine(dirs.Run, "plots"));
            var epochs = h.Epochs.Select((e, k) => (double)(k + 1)).ToList();
            var series = new List<ChartSeries> { new("training loss / first epoch", epochs, Relative(h.Epochs.Select(e => e.Stats.Loss).ToList())) };
            var validated = h.Epochs.Select((e, k) => (Epoch: k + 1.0, e.Validation)).Where(x => x.Validation.HasValue).ToList();
            if (validated.Count > 0)
                series.Add(new ChartSeries($"validation {validationMetric}", validated.Select(x => x.Epoch).ToList(), validated.Select(x => x.Validation!.Value).ToList(), Dashed: true));
            int firstAdversarial = h.Epochs.ToList().FindIndex(e => e.Adversarial);
            var chart = new Chart($"{modelConfig.Name}: training", "epoch", "value", series,
                firstAdversarial >= 0 ? firstAdversarial + 0.5 : null, firstAdversarial >= 0 ? "APR starts" : null);
            string png = Path.Combine(dirs.Run, "plots", $"training-{name}.png");
            charts.Render(chart, png, Path.ChangeExtension(png, ".svg"));
            section.AddImage(png, $"training curve of {modelConfig.Name}");
        }
        log($"wrote the outputs of {modelConfig.Name}");
    }

    private static List<double> Relative(List<double> values) => values.Select(v => values[0] == 0 ? v : v / values[0]).ToList();

    private static void WritePerformance(RunFolders dirs, RankingEvaluator test, IReadOnlyList<StudyModelResult> best, HtmlReport report, bool triplets)
    {
        var section = report.AddSection("Test performance of the best configurations");
        var auc = test.Keys.Where(k => !k.Metric.HasCutoff()).ToList();
        foreach (int k in test.Cutoffs)
        {
            var keys = test.Keys.Where(x => x.Cutoff == k).Concat(auc).ToList();
            var table = new ResultTable(["model", "configuration", .. keys.Select(x => x.ToString())]);
            foreach (var b in best) table.AddRow([b.Model, b.Configuration, .. keys.Select(x => (ResultCell)b.Test.Mean(x))]);
            string path = Path.Combine(dirs.Performance, $"rec_cutoff_{k}");
            table.WriteTsv(path + ".tsv");
            table.WriteJson(path + ".json");
            section.AddTable(table, "0.0000", $"cutoff {k}");
            if (!triplets) continue;
            // Elliot's print_results_as_triplets: one (model, metric, value) row per result
            var rows = new ResultTable("model", "metric", "value");
            foreach (var b in best)
                foreach (var x in keys) rows.AddRow(b.Model, x.ToString(), b.Test.Mean(x));
            rows.WriteTsv(Path.Combine(dirs.Performance, $"triplets_rec_cutoff_{k}.tsv"));
        }
        var bestParams = best.ToDictionary(b => b.Model, b => new Dictionary<string, object?>
        {
            ["written_as"] = b.WrittenName,
            ["configuration"] = b.Configuration,
            ["best_epoch"] = b.History.BestEpoch,
            ["validation"] = b.History.BestValidation,
            ["selected_on_validation"] = b.History.SelectedOnValidation,
        });
        AtomicFile.Write(Path.Combine(dirs.Performance, "best_params.json"),
            s => JsonSerializer.Serialize(s, bestParams, new JsonSerializerOptions { WriteIndented = true }));
    }

    // Paired tests on per-user values between every pair of best models (same users, same order).
    private static void WriteSignificance(RunFolders dirs, StudyConfig config, RankingEvaluator test, IReadOnlyList<StudyModelResult> best, HtmlReport report)
    {
        if (!(config.Evaluation.PairedTTest || config.Evaluation.WilcoxonTest) || best.Count < 2) return;
        var table = new ResultTable("model A", "model B", "metric", "mean difference", "t-test p", "Wilcoxon p");
        for (int a = 0; a < best.Count; a++)
            for (int b = a + 1; b < best.Count; b++)
                foreach (var key in test.Keys)
                {
                    var t = PairedTTest.Test(best[a].Test, best[b].Test, key);
                    double w = config.Evaluation.WilcoxonTest ? WilcoxonSignedRank.Test(best[a].Test, best[b].Test, key).PValue : double.NaN;
                    table.AddRow(best[a].Model, best[b].Model, key.ToString(), t.MeanDifference, config.Evaluation.PairedTTest ? t.PValue : double.NaN, w);
                }
        table.WriteTsv(Path.Combine(dirs.Performance, "stat_tests.tsv"));
        report.AddSection("Significance (paired on per-user values)").AddTable(table, "0.####");
    }

    // The robustness curves: one TSV row per model, eps and metric; one chart of the first metric.
    private static void WriteRobustness(RunFolders dirs, RobustnessConfig sweep, RankingEvaluator test, List<(string Model, RobustnessCurve Curve)> curves, IChartRenderer? charts, HtmlReport report)
    {
        var table = new ResultTable("model", "eps", "metric", "clean", "attacked", "random", "attack change", "random change");
        foreach (var (model, curve) in curves)
            foreach (var key in test.Keys)
                foreach (var p in curve.Points)
                {
                    double clean = curve.Clean.Mean(key), attacked = p.Attacked.Mean(key), random = p.Random.Mean(key);
                    table.AddRow(model, (double)(decimal)p.Epsilon, key.ToString(), clean, attacked, random,
                        clean == 0 ? double.NaN : (attacked - clean) / clean, clean == 0 ? double.NaN : (random - clean) / clean);
                }
        table.WriteTsv(Path.Combine(dirs.Performance, "robustness.tsv"));
        var sidecar = new Dictionary<string, object?>
        {
            ["table"] = "robustness.tsv",
            ["eps"] = sweep.Epsilons.Select(e => (double)(decimal)e).ToList(),
            ["nb_iter"] = sweep.Steps,
            ["eps_iter"] = sweep.StepSize is { } step ? (double)(decimal)step : null,
            ["attack"] = sweep.Steps == 1 && sweep.StepSize is null ? "fgsm" : "msap",
            ["projection"] = ConfigConvert.SnakeCase(sweep.Projection.ToString()),
            ["targets"] = sweep.Targets,
            ["source"] = "evaluation.robustness",
        };
        AtomicFile.Write(Path.Combine(dirs.Performance, "robustness-attack.json"),
            s => JsonSerializer.Serialize(s, sidecar, SidecarJson));
        var section = report.AddSection("Robustness (attack at each eps, random noise of the same norms beside it)");
        if (charts is not null)
        {
            var key = test.Keys[0];
            var series = new List<ChartSeries>();
            foreach (var (model, curve) in curves)
            {
                var x = curve.Points.Select(p => (double)(decimal)p.Epsilon).Prepend(0).ToList();
                series.Add(new ChartSeries($"{model}, attack", x, curve.Points.Select(p => p.Attacked.Mean(key)).Prepend(curve.Clean.Mean(key)).ToList()));
                series.Add(new ChartSeries($"{model}, random", x, curve.Points.Select(p => p.Random.Mean(key)).Prepend(curve.Clean.Mean(key)).ToList(), Dashed: true));
            }
            string png = Path.Combine(dirs.Run, "plots", "robustness.png");
            Directory.CreateDirectory(Path.GetDirectoryName(png)!);
            charts.Render(new Chart($"Robustness: {key} under attack and random noise", "eps (per-row L2 budget)", key.ToString(), series), png, Path.ChangeExtension(png, ".svg"));
            section.AddImage(png, "robustness curves");
        }
        section.AddTable(table, "0.####", $"robustness curves: attack {SweepSettings(sweep)}; from evaluation.robustness, the same for every model");
    }

    private static string Safe(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}
