using System.Globalization;

namespace AdvRec.Data;

/// <summary>
/// Builds <see cref="Dataset"/>s from files (fixed train/test files, or one file split by a <see cref="Splitter"/>)
/// or from in-memory logs.
/// <para>
/// Id rule: users and items are indexed by the training input, in order of first appearance; every id of the
/// training input gets an index (also an item whose rows binarisation removes, and a user-only adjacency line).
/// Test and validation rows whose user has no training rows or whose item is not in the training input are dropped
/// and counted in <see cref="Dataset.Report"/>; if no test row is left, loading fails.
/// </para>
/// <para>
/// Binarisation (<see cref="ReadOptions.BinarizeThreshold"/>) applies to training only, after duplicates are
/// merged (so a re-rating replaces the earlier rating): pairs rated at least the threshold become implicit 1s and the
/// others are removed. Test and validation keep their ratings; <see cref="Dataset.BinarizeThreshold"/> tells the
/// evaluator the threshold to use for relevance. With a splitter, the log is split first and then binarised.
/// </para>
/// </summary>
public static class DatasetLoader
{
    /// <summary>Loads a fixed split: a training file, a test file and optionally a validation file, read with the same options.</summary>
    /// <exception cref="DataFormatException">A file is missing or malformed, or no test row matches the training data.</exception>
    public static Dataset LoadFixed(string trainPath, string testPath, string? validationPath = null, ReadOptions? options = null, string? name = null)
    {
        options ??= ReadOptions.Default;
        var train = InteractionReader.Read(trainPath, options);
        var test = InteractionReader.Read(testPath, options);
        var validation = validationPath is null ? null : InteractionReader.Read(validationPath, options);
        string description = $"train {Path.GetFileName(trainPath)}, test {Path.GetFileName(testPath)}" +
            (validationPath is null ? "" : $", validation {Path.GetFileName(validationPath)}") + " (fixed split)" +
            Binarized(options.BinarizeThreshold);
        return FromLogs(train, test, validation, options.BinarizeThreshold, name ?? DefaultName(trainPath), description);
    }

    /// <summary>Loads one interaction file and splits it per user with <paramref name="splitter"/> and <paramref name="seed"/>.</summary>
    /// <exception cref="DataFormatException">The file is missing or malformed, or the split is impossible.</exception>
    public static Dataset LoadAndSplit(string path, Splitter splitter, ReadOptions? options, ulong seed, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(splitter);
        options ??= ReadOptions.Default;
        var log = InteractionReader.Read(path, options);
        string description = string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFileName(path)} split by {splitter} with seed {seed}{Binarized(options.BinarizeThreshold)}");
        return FromLog(log, splitter, seed, options.BinarizeThreshold, name ?? DefaultName(path), description);
    }

    /// <summary>Splits an in-memory log with <paramref name="splitter"/> and <paramref name="seed"/> and builds the dataset.</summary>
    /// <exception cref="DataFormatException">The split is impossible or leaves no test row.</exception>
    /// <param name="log">The interactions.</param>
    /// <param name="splitter">How they are split.</param>
    /// <param name="seed">The split's seed.</param>
    /// <param name="binarizeThreshold">Binarises training at this rating, after the split.</param>
    /// <param name="name">The dataset's name (default the log's source).</param>
    /// <param name="description">The dataset's description.</param>
    /// <param name="isSynthetic">Whether the data are generated.</param>
    /// <param name="onSplit">Receives the split parts (before binarisation), for example to write them out; null for none.</param>
    public static Dataset FromLog(InteractionLog log, Splitter splitter, ulong seed, float? binarizeThreshold = null,
        string? name = null, string? description = null, bool isSynthetic = false, Action<SplitResult>? onSplit = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(splitter);
        var split = splitter.Split(log, seed);
        onSplit?.Invoke(split);
        if (split.Test.Count == 0)
        {
            throw new DataFormatException(log.Source, 0,
                $"{splitter.Description} left no test rows: none of the {log.Users.Count} users has enough interactions to hold one out");
        }
        description ??= string.Create(CultureInfo.InvariantCulture, $"{log.Source} split by {splitter} with seed {seed}{Binarized(binarizeThreshold)}");
        return Build(split.Train, split.Test, split.Validation, binarizeThreshold, name ?? log.Source, description, isSynthetic,
            split.DuplicatesMerged, split.UsersOnlyInTrain, split.FitUsers);
    }

    /// <summary>Builds a dataset from in-memory training, test and optional validation logs (a fixed split).</summary>
    /// <exception cref="DataFormatException">No test (or validation) row has a user and an item seen in training.</exception>
    public static Dataset FromLogs(InteractionLog train, InteractionLog test, InteractionLog? validation = null, float? binarizeThreshold = null,
        string? name = null, string? description = null, bool isSynthetic = false)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        description ??= $"train {train.Source}, test {test.Source}" + (validation is null ? "" : $", validation {validation.Source}") +
            " (fixed split)" + Binarized(binarizeThreshold);
        return Build(train, test, validation, binarizeThreshold, name ?? train.Source, description, isSynthetic, 0, 0);
    }

    private static Dataset Build(InteractionLog trainLog, InteractionLog testLog, InteractionLog? validationLog, float? threshold,
        string name, string description, bool isSynthetic, int duplicatesBefore, int usersOnlyInTrain, IReadOnlyList<string>? fitUserIds = null)
    {
        // −∞ is Elliot's binarize: True (every rating becomes a positive)
        if (threshold is float t && (float.IsNaN(t) || float.IsPositiveInfinity(t)))
            throw new ArgumentOutOfRangeException(nameof(threshold), t, "the binarisation threshold must be a number below +∞ (−∞ keeps every row)");
        var users = trainLog.Users;
        var items = trainLog.Items;
        var merged = trainLog.ToInteractions();
        var train = threshold is float th ? merged.Binarize(th) : merged;
        var trainDegree = new int[users.Count];
        for (int u = 0; u < users.Count; u++) trainDegree[u] = train.DegreeOf(u);

        var test = HeldOut(testLog, "test", users, items, trainDegree, out int testNoUser, out int testNoItem);
        Interactions? validation = null;
        int valNoUser = 0, valNoItem = 0;
        if (validationLog is not null) validation = HeldOut(validationLog, "validation", users, items, trainDegree, out valNoUser, out valNoItem);

        int alsoInTrain = 0;
        for (int u = 0; u < test.NumUsers; u++)
        {
            foreach (int i in test.ItemsOf(u))
            {
                if (train.Contains(u, i)) alsoInTrain++;
            }
        }
        var report = SplitReport.Sizes(train, test, validation) with
        {
            TestRowsDroppedUnseenUser = testNoUser,
            TestRowsDroppedUnseenItem = testNoItem,
            ValidationRowsDroppedUnseenUser = valNoUser,
            ValidationRowsDroppedUnseenItem = valNoItem,
            TestPairsAlsoInTrain = alsoInTrain,
            DuplicatesMerged = duplicatesBefore + merged.DuplicatesMerged + test.DuplicatesMerged + (validation?.DuplicatesMerged ?? 0),
            RowsRemovedByBinarization = merged.Count - train.Count,
            UsersOnlyInTrain = usersOnlyInTrain,
            Formats = [.. new[] { trainLog, testLog, validationLog }.Where(l => l?.Format is not null)
                .Select(l => $"{Path.GetFileName(l!.Source)}: format chosen: {l.Format}").Distinct(StringComparer.Ordinal)],
        };
        List<int>? fitUsers = null;
        if (fitUserIds is not null)
        {
            fitUsers = [];
            foreach (string id in fitUserIds)
                if (users.TryGetIndex(id, out int u)) fitUsers.Add(u);
            fitUsers.Sort();
        }
        return new Dataset(name, description, isSynthetic, users, items, train, test, validation, report, threshold, fitUsers);
    }

    /// <summary>Maps a held-out log into the training index space, dropping (and counting) rows it cannot place.</summary>
    private static Interactions HeldOut(InteractionLog log, string part, IdMap users, IdMap items, int[] trainDegree, out int noUser, out int noItem)
    {
        var userMap = new int[log.Users.Count];
        for (int u = 0; u < userMap.Length; u++)
            userMap[u] = users.TryGetIndex(log.Users[u], out int idx) && trainDegree[idx] > 0 ? idx : -1;
        var itemMap = new int[log.Items.Count];
        for (int i = 0; i < itemMap.Length; i++) itemMap[i] = items.TryGetIndex(log.Items[i], out int idx) ? idx : -1;

        var srcUsers = log.UserIndices;
        var srcItems = log.ItemIndices;
        var keep = new List<int>(log.Count);
        noUser = 0;
        noItem = 0;
        for (int k = 0; k < log.Count; k++)
        {
            if (userMap[srcUsers[k]] < 0) noUser++;
            else if (itemMap[srcItems[k]] < 0) noItem++;
            else keep.Add(k);
        }
        if (keep.Count == 0)
        {
            throw new DataFormatException(log.Source, 0,
                $"none of the {log.Count} {part} rows has a user and an item seen in training ({noUser} have a user without training data, " +
                $"{noItem} an item never in training): check that this file uses the same user and item ids as the training data");
        }
        int n = keep.Count;
        var outUsers = new int[n];
        var outItems = new int[n];
        var ratings = log.HasRatings ? new float[n] : null;
        var times = log.HasTimestamps ? new long[n] : null;
        for (int o = 0; o < n; o++)
        {
            int k = keep[o];
            outUsers[o] = userMap[srcUsers[k]];
            outItems[o] = itemMap[srcItems[k]];
            if (ratings is not null) ratings[o] = log.Ratings[k];
            if (times is not null) times[o] = log.Timestamps[k];
        }
        return Interactions.Build(users.Count, items.Count, outUsers, outItems, ratings, times);
    }

    private static string DefaultName(string path)
    {
        string? folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)));
        if (!string.IsNullOrEmpty(folder)) return folder;
        return Path.GetFileName(path);
    }

    private static string Binarized(float? threshold) => threshold switch
    {
        float.NegativeInfinity => "; training binarised (every rating a positive)",
        float t => string.Create(CultureInfo.InvariantCulture, $"; training binarised at rating ≥ {t}"),
        null => "",
    };
}
