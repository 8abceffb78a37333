using System.Runtime.CompilerServices;
using System.Buffers;
using System.Globalization;
using AdvRec.Data;

namespace AdvRec.Evaluation;

/// <summary>
/// Full-ranking evaluation of a model on a train/test split (PROTOCOLS §1 and §7).
/// <para>
/// For each user with at least one relevant test item, the candidates are all items NOT in the user's
/// training row (the test items included), and the relevant items are the user's test items (with rating
/// ≥ <see cref="EvaluationOptions.RelevanceThreshold"/> when a threshold is set and the test data has
/// ratings). Each relevant item gets its 0-based rank among the candidates with the pessimistic tie rule
/// (<see cref="PessimisticRanks"/>: ties count against the model), and every metric follows from those ranks
/// (<see cref="RankingMetrics"/>); no row is sorted. A relevant item that is also a training item cannot be
/// ranked: it counts as a miss (as in Elliot, whose lists never hold training items) and is counted in
/// <see cref="RelevantInTraining"/>. Users with no non-relevant candidate are skipped.
/// </para>
/// <para>
/// The error metrics RMSE and MAE read the model's scores as predicted ratings (<see cref="IRatingPredictor"/>),
/// clipped to the model's rating scale (or, for a model that is not an <see cref="IRatingPredictor"/>, such as a
/// perturbed view of one, to the training ratings' range), and compare them with every test rating of the evaluated
/// users (the relevance threshold does not apply to them). Their means are pooled over all those ratings (not averaged
/// over users); the per-user values are each user's own RMSE and MAE. With only error metrics asked for, every user
/// with a test rating is evaluated and nothing is ranked.
/// </para>
/// <para>
/// The evaluated users and their relevant items are fixed when the evaluator is built, so one evaluator
/// can evaluate many models (clean, attacked, per epoch) and their per-user values line up for paired tests.
/// Thread-safe: <see cref="Evaluate(IRecommender, IProgress{ProgressUpdate}, CancellationToken)"/> may run
/// concurrently.
/// </para>
/// </summary>
public sealed class RankingEvaluator
{
    private readonly Interactions _train;
    private readonly int[] _cutoffs;
    private readonly RankingMetric[] _metrics;
    private readonly MetricKey[] _keys;
    private readonly RankingMetric[] _listMetrics;
    private readonly MetricKey[] _listKeys;
    private readonly int[] _users;
    private readonly int[] _relPtr;
    private readonly int[] _relItems;
    private readonly double[]? _relGains;
    private readonly int _maxRelevant;
    private readonly bool _ranking;
    private readonly bool _errors;
    private readonly int[] _errPtr;
    private readonly int[] _errItems;
    private readonly float[] _errRatings;
    private readonly float _trainMin, _trainMax;
    private readonly int _blockSize;
    private readonly int _workers;

    /// <summary>
    /// Prepares the evaluation of models on <paramref name="test"/>, with the items of
    /// <paramref name="train"/> excluded from each user's candidates.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The shapes of train and test differ, a cutoff is below 1 or (with a ranking metric) larger than the catalogue, the cutoff or
    /// metric list is empty, or a block size or degree of parallelism is below 1.
    /// </exception>
    public RankingEvaluator(Interactions train, Interactions test, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        options ??= new EvaluationOptions();
        if (train.NumUsers != test.NumUsers || train.NumItems != test.NumItems)
            throw new ArgumentException(Invariant(
                $"train has {train.NumUsers:N0} users × {train.NumItems:N0} items but test has {test.NumUsers:N0} × {test.NumItems:N0}"), nameof(test));
        int numItems = train.NumItems;

        // Cutoffs and metrics.
        if (options.Cutoffs is null || options.Cutoffs.Count == 0) throw new ArgumentException("at least one cutoff is needed", nameof(options));
        foreach (int k in options.Cutoffs)
        {
            if (k < 1) throw new ArgumentException(Invariant($"cutoff {k} must be at least 1"), nameof(options));
            if (k > numItems && options.Metrics?.Any(m => !m.IsRatingError()) != false) throw new ArgumentException(Invariant($"cutoff {k} is larger than the catalogue ({numItems:N0} items)"), nameof(options));
        }
        _cutoffs = [.. options.Cutoffs.Distinct().Order()];
        if (options.Metrics is null || options.Metrics.Count == 0) throw new ArgumentException("at least one metric is needed", nameof(options));
        foreach (var m in options.Metrics)
            if (!Enum.IsDefined(m)) throw new ArgumentException(Invariant($"unknown ranking metric {(int)m}"), nameof(options));
        _metrics = [.. options.Metrics.Distinct()];
        _keys = BuildKeys(_metrics, _cutoffs);
        _listMetrics = [.. _metrics.Where(m => m.HasCutoff())];
        _ranking = _metrics.Any(m => !m.IsRatingError());
        _errors = _metrics.Any(m => m.IsRatingError());
        if (_errors && !test.HasRatings)
            throw new ArgumentException("RMSE and MAE compare predicted with actual ratings, but the test data has no ratings", nameof(test));
        _listKeys = BuildKeys(_listMetrics, _cutoffs);
        if (options.UserBlockSize < 1) throw new ArgumentException(Invariant($"the user block size {options.UserBlockSize} must be at least 1"), nameof(options));
        if (options.MaxDegreeOfParallelism is < 1)
            throw new ArgumentException(Invariant($"the degree of parallelism {options.MaxDegreeOfParallelism} must be at least 1"), nameof(options));
        _blockSize = options.UserBlockSize;
        _workers = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount;

        // Evaluated users, their relevant items and gains.
        bool thresholded = options.RelevanceThreshold.HasValue && test.HasRatings;
        float threshold = options.RelevanceThreshold ?? 0f;
        bool graded = options.GradedNdcg && test.HasRatings && _metrics.Contains(RankingMetric.Ndcg);
        var users = new List<int>();
        var relPtr = new List<int> { 0 };
        var relItems = new List<int>();
        var relGains = graded ? new List<double>() : null;
        var errPtr = new List<int> { 0 };
        var errItems = new List<int>();
        var errRatings = new List<float>();
        int skippedNoRelevant = 0, skippedNoCandidates = 0, relevantInTraining = 0, maxRelevant = 0;
        for (int u = 0; u < train.NumUsers; u++)
        {
            ReadOnlySpan<int> testItems = test.ItemsOf(u);
            ReadOnlySpan<float> ratings = test.RatingsOf(u);
            ReadOnlySpan<int> trainItems = train.ItemsOf(u);
            int relevant = 0, inTraining = 0;
            for (int p = 0; p < testItems.Length; p++)
            {
                if (thresholded && ratings[p] < threshold) continue;
                relevant++;
                if (trainItems.BinarySearch(testItems[p]) >= 0) inTraining++;
            }
            if (!_ranking)
            {
                if (testItems.Length == 0) { skippedNoRelevant++; continue; }
                relevant = 0; // nothing is ranked
            }
            else
            {
                if (relevant == 0) { skippedNoRelevant++; continue; }
                int negatives = numItems - trainItems.Length - (relevant - inTraining);
                if (negatives < 1) { skippedNoCandidates++; continue; }
            }
            if (_errors)
            {
                for (int p = 0; p < testItems.Length; p++)
                {
                    errItems.Add(testItems[p]);
                    errRatings.Add(ratings[p]);
                }
                errPtr.Add(errItems.Count);
            }

            users.Add(u);
            relevantInTraining += inTraining;
            maxRelevant = Math.Max(maxRelevant, relevant);
            for (int p = 0; p < testItems.Length && _ranking; p++)
            {
                if (thresholded && ratings[p] < threshold) continue;
                relItems.Add(testItems[p]);
                relGains?.Add(Math.Pow(2.0, ratings[p] - threshold + 1.0) - 1.0);
            }
            relPtr.Add(relItems.Count);
        }

        _train = train;
        _users = [.. users];
        _relPtr = [.. relPtr];
        _relItems = [.. relItems];
        _relGains = relGains?.ToArray();
        _maxRelevant = maxRelevant;
        _errPtr = [.. errPtr];
        _errItems = [.. errItems];
        _errRatings = [.. errRatings];
        (_trainMin, _trainMax) = train.HasRatings && train.Count > 0 ? RatingPrediction.Range(train) : RatingPrediction.Range(test);
        NumUsers = train.NumUsers;
        NumItems = numItems;
        Options = options;
        UsersSkippedNoRelevant = skippedNoRelevant;
        UsersSkippedNoCandidates = skippedNoCandidates;
        RelevantInTraining = relevantInTraining;
    }

    /// <summary>The options this evaluator was built with.</summary>
    public EvaluationOptions Options { get; }

    /// <summary>Number of users of the data (and of the models it accepts).</summary>
    public int NumUsers { get; }

    /// <summary>Number of items of the data (and of the models it accepts).</summary>
    public int NumItems { get; }

    /// <summary>The cutoffs, ascending and distinct.</summary>
    public IReadOnlyList<int> Cutoffs => _cutoffs;

    /// <summary>The metrics, distinct, in the order asked for.</summary>
    public IReadOnlyList<RankingMetric> Metrics => _metrics;

    /// <summary>The columns of a model evaluation (see <see cref="EvaluationResult.Keys"/>).</summary>
    public IReadOnlyList<MetricKey> Keys => _keys;

    /// <summary>The users evaluated, ascending: those with a relevant test item and a non-relevant candidate.</summary>
    public IReadOnlyList<int> Users => _users;

    /// <summary>Users skipped for having no relevant test item.</summary>
    public int UsersSkippedNoRelevant { get; }

    /// <summary>Users skipped for having no non-relevant candidate.</summary>
    public int UsersSkippedNoCandidates { get; }

    /// <summary>Relevant pairs of evaluated users that are also training pairs (unrankable, counted as misses).</summary>
    public int RelevantInTraining { get; }

    /// <summary>
    /// One-shot convenience: builds an evaluator for <paramref name="train"/> and <paramref name="test"/> and
    /// evaluates <paramref name="model"/>. Build a <see cref="RankingEvaluator"/> once instead when evaluating
    /// several models on the same data.
    /// </summary>
    /// <exception cref="ArgumentException">As for the constructor and <see cref="Evaluate(IRecommender, IProgress{ProgressUpdate}, CancellationToken)"/>.</exception>
    public static EvaluationResult Evaluate(IRecommender model, Interactions train, Interactions test, EvaluationOptions? options = null,
        IProgress<ProgressUpdate>? progress = null, CancellationToken cancellationToken = default) =>
        new RankingEvaluator(train, test, options).Evaluate(model, progress, cancellationToken);

    /// <summary>
    /// Scores every evaluated user with <paramref name="model"/> (blocks of
    /// <see cref="EvaluationOptions.UserBlockSize"/> users, in parallel) and computes every metric.
    /// Reports "evaluate" progress in users.
    /// </summary>
    /// <exception cref="ArgumentException">The model's user or item count differs from the data's.</exception>
    public EvaluationResult Evaluate(IRecommender model, IProgress<ProgressUpdate>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.NumUsers != NumUsers || model.NumItems != NumItems)
            throw new ArgumentException(Invariant(
                $"the model has {model.NumUsers:N0} users × {model.NumItems:N0} items but the data has {NumUsers:N0} × {NumItems:N0}"), nameof(model));

        int count = _users.Length;
        var values = NewValues(_keys.Length, count);
        var squared = _errors ? new double[count] : null;
        var absolute = _errors ? new double[count] : null;
        var (low, high) = model is IRatingPredictor predictor ? (predictor.MinRating, predictor.MaxRating) : (_trainMin, _trainMax);
        int n = NumItems;
        int block = Math.Max(1, Math.Min(_blockSize, count));
        int blocks = (count + block - 1) / block;
        int workers = Math.Max(1, Math.Min(_workers, blocks));
        int nextBlock = -1;
        long done = 0;
        progress?.Report(new ProgressUpdate("evaluate", 0, count));
        if (count > 0)
        {
            // Fully optimised from the first call: an evaluation runs this loop only a few dozen times.
            ParallelWorkers.Run(workers, cancellationToken, [MethodImpl(MethodImplOptions.AggressiveOptimization)] () =>
            {
                float[] buffer = ArrayPool<float>.Shared.Rent(block * n);
                int[] ranks = ArrayPool<int>.Shared.Rent(_maxRelevant);
                int[] order = ArrayPool<int>.Shared.Rent(_maxRelevant);
                double[]? gains = _relGains is null ? null : ArrayPool<double>.Shared.Rent(_maxRelevant);
                try
                {
                    int b;
                    while ((b = Interlocked.Increment(ref nextBlock)) < blocks)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        int first = b * block;
                        int rows = Math.Min(block, count - first);
                        model.Score(_users.AsSpan(first, rows), buffer.AsSpan(0, rows * n));
                        for (int r = 0; r < rows; r++)
                        {
                            int pos = first + r;
                            if (_errors) StoreErrors(buffer.AsSpan(r * n, n), pos, low, high, values, squared!, absolute!);
                            if (!_ranking) continue;
                            int relStart = _relPtr[pos], m = _relPtr[pos + 1] - relStart;
                            int negatives = PessimisticRanks.Compute(buffer.AsSpan(r * n, n), _train.ItemsOf(_users[pos]),
                                _relItems.AsSpan(relStart, m), ranks, order);
                            Span<double> userGains = default;
                            if (gains is not null)
                            {
                                userGains = gains.AsSpan(0, m);
                                for (int j = 0; j < m; j++) userGains[j] = _relGains![relStart + order[j]];
                            }
                            Store(_keys, values, pos, ranks.AsSpan(0, m), userGains, negatives);
                        }
                        long total = Interlocked.Add(ref done, rows);
                        progress?.Report(new ProgressUpdate("evaluate", total, count));
                    }
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(buffer);
                    ArrayPool<int>.Shared.Return(ranks);
                    ArrayPool<int>.Shared.Return(order);
                    if (gains is not null) ArrayPool<double>.Shared.Return(gains);
                }
            });
        }
        return new EvaluationResult(_cutoffs, _metrics, _keys, values, _users, UsersSkippedNoRelevant, UsersSkippedNoCandidates,
            RelevantInTraining, usersWithoutList: 0, Pooled(squared, absolute));
    }

    // Each user's own RMSE and MAE of their test ratings, and their summed errors for the pooled means.
    private void StoreErrors(ReadOnlySpan<float> scores, int pos, float low, float high, double[][] values, double[] squared, double[] absolute)
    {
        double sq = 0, ab = 0;
        int start = _errPtr[pos], end = _errPtr[pos + 1];
        for (int p = start; p < end; p++)
        {
            double e = (double)Math.Clamp(scores[_errItems[p]], low, high) - _errRatings[p];
            sq += e * e;
            ab += Math.Abs(e);
        }
        squared[pos] = sq;
        absolute[pos] = ab;
        int m = end - start;
        for (int c = 0; c < _keys.Length; c++)
        {
            if (_keys[c].Metric == RankingMetric.Rmse) values[c][pos] = m == 0 ? 0 : Math.Sqrt(sq / m);
            else if (_keys[c].Metric == RankingMetric.Mae) values[c][pos] = m == 0 ? 0 : ab / m;
        }
    }

    // RMSE and MAE pooled over every test rating of the evaluated users.
    private Dictionary<MetricKey, double>? Pooled(double[]? squared, double[]? absolute)
    {
        if (squared is null || absolute is null) return null;
        double sq = 0, ab = 0;
        for (int pos = 0; pos < squared.Length; pos++)
        {
            sq += squared[pos];
            ab += absolute[pos];
        }
        int total = _errPtr[^1];
        return new Dictionary<MetricKey, double>
        {
            [new MetricKey(RankingMetric.Rmse, 0)] = total == 0 ? double.NaN : Math.Sqrt(sq / total),
            [new MetricKey(RankingMetric.Mae, 0)] = total == 0 ? double.NaN : ab / total,
        };
    }

    /// <summary>
    /// Evaluates ready-made ranked lists (from <see cref="TopKRecommender"/> or a file) on the same users,
    /// cutoffs and metric code as <see cref="Evaluate(IRecommender, IProgress{ProgressUpdate}, CancellationToken)"/>.
    /// The position in a user's list is the rank; relevant items absent from the list are not retrieved; a
    /// cutoff longer than a list just retrieves fewer items. Lists are taken as they are (training items in
    /// them are not removed; they take positions as non-relevant items). An evaluated user without a list
    /// scores 0 on every metric (Elliot drops such users instead; see <see cref="EvaluationResult.UsersWithoutList"/>).
    /// AUC is left out of the result: it needs the rank of every candidate, which a truncated list does not give.
    /// </summary>
    /// <exception cref="ArgumentException">The lists' user or item space differs from the data's.</exception>
    public EvaluationResult Evaluate(RecommendationLists lists)
    {
        ArgumentNullException.ThrowIfNull(lists);
        if (lists.NumUsers != NumUsers || lists.NumItems != NumItems)
            throw new ArgumentException(Invariant(
                $"the lists have {lists.NumUsers:N0} users × {lists.NumItems:N0} items but the data has {NumUsers:N0} × {NumItems:N0}"), nameof(lists));

        int count = _users.Length;
        var values = NewValues(_listKeys.Length, count);
        int size = Math.Max(1, _maxRelevant);
        var keys = new ulong[size];
        var ranks = new int[size];
        var gains = _relGains is null ? null : new double[size];
        int withoutList = 0;
        for (int pos = 0; pos < count; pos++)
        {
            int relStart = _relPtr[pos], m = _relPtr[pos + 1] - relStart;
            ReadOnlySpan<int> relevant = _relItems.AsSpan(relStart, m);
            for (int q = 0; q < m; q++) keys[q] = ((ulong)RankingMetrics.NotRanked << 32) | (uint)q;
            int list = lists.IndexOfUser(_users[pos]);
            if (list < 0)
            {
                withoutList++;
            }
            else
            {
                ReadOnlySpan<int> listItems = lists.ItemsOf(list);
                for (int p = 0; p < listItems.Length; p++)
                {
                    int q = relevant.BinarySearch(listItems[p]);
                    if (q >= 0) keys[q] = ((ulong)(uint)p << 32) | (uint)q;
                }
            }
            Span<ulong> userKeys = keys.AsSpan(0, m);
            userKeys.Sort();
            for (int j = 0; j < m; j++)
            {
                ranks[j] = (int)(userKeys[j] >> 32);
                if (gains is not null) gains[j] = _relGains![relStart + (int)(uint)userKeys[j]];
            }
            Store(_listKeys, values, pos, ranks.AsSpan(0, m), gains is null ? default : gains.AsSpan(0, m), negatives: 0);
        }
        return new EvaluationResult(_cutoffs, _listMetrics, _listKeys, values, _users, UsersSkippedNoRelevant, UsersSkippedNoCandidates,
            RelevantInTraining, withoutList);
    }

    /// <summary>
    /// Reads a recommendation file (<see cref="RecommendationFile.Read"/>: original ids mapped through
    /// <paramref name="users"/> and <paramref name="items"/>, lists ordered by score descending, ties by
    /// the smaller item index) and evaluates it with <see cref="Evaluate(RecommendationLists)"/>; AUC is left out.
    /// </summary>
    /// <exception cref="DataFormatException">The file is malformed; the message names the file and line.</exception>
    public EvaluationResult EvaluateFile(string path, IdMap users, IdMap items) =>
        Evaluate(RecommendationFile.Read(path, users, items));

    private static void Store(MetricKey[] keys, double[][] values, int pos, ReadOnlySpan<int> ranks, ReadOnlySpan<double> gains, int negatives)
    {
        for (int c = 0; c < keys.Length; c++)
        {
            MetricKey key = keys[c];
            if (key.Metric.IsRatingError()) continue; // filled by StoreErrors
            values[c][pos] = RankingMetrics.Compute(key.Metric, ranks, key.Cutoff, negatives, gains);
        }
    }

    private static double[][] NewValues(int columns, int users)
    {
        var values = new double[columns][];
        for (int c = 0; c < columns; c++) values[c] = new double[users];
        return values;
    }

    private static MetricKey[] BuildKeys(RankingMetric[] metrics, int[] cutoffs)
    {
        var keys = new List<MetricKey>();
        foreach (int k in cutoffs)
            foreach (var m in metrics)
                if (m.HasCutoff()) keys.Add(new MetricKey(m, k));
        foreach (var m in metrics)
            if (!m.HasCutoff()) keys.Add(new MetricKey(m, 0));
        return [.. keys];
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
