using System.Globalization;
using AdvRec.Data;
using AdvRec.IO;

namespace AdvRec.Models.Baselines;

/// <summary>Options of <see cref="MostPop"/>: the baseline has no hyperparameters.</summary>
public sealed record MostPopOptions
{
    /// <summary>Nothing to check; present so that every model's options validate the same way.</summary>
    public void Validate()
    {
    }
}

/// <summary>
/// The popularity baseline (MostPop, "TopPop"): every user gets the same scores, the number of training
/// interactions of each item, so the most popular items the user has not seen come first. The first epoch counts;
/// later epochs change nothing. It has no perturbable targets: an attack on it finds nothing to perturb, and its
/// metrics under attack equal its clean metrics.
/// </summary>
public sealed class MostPop : IIterativeModel, IPersistentModel
{
    /// <summary>The model's name, as in configs and outputs.</summary>
    public const string ModelName = "MostPop";

    private readonly Interactions _train;
    private readonly MostPopOptions _options;
    private float[] _popularity;

    /// <summary>A model for <paramref name="train"/>; nothing is counted until the first epoch.</summary>
    public MostPop(MostPopOptions options, Interactions train)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        options.Validate();
        _options = options;
        _train = train;
        NumUsers = train.NumUsers;
        NumItems = train.NumItems;
        _popularity = new float[NumItems];
    }

    /// <inheritdoc />
    public int NumUsers { get; }

    /// <inheritdoc />
    public int NumItems { get; }

    /// <inheritdoc />
    public int EpochsTrained { get; private set; }

    /// <inheritdoc />
    public bool NextEpochIsAdversarial => false;

    /// <summary>The training count of each item (all zero before the first epoch).</summary>
    public ReadOnlySpan<float> Popularity => _popularity;

    /// <summary>None: the scores depend on no parameter that an attack could shift.</summary>
    public IReadOnlyList<PerturbationTarget> PerturbationTargets { get; } = [];

    /// <inheritdoc />
    public EpochStats TrainEpoch(IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long steps = 0;
        if (EpochsTrained == 0)
        {
            var counts = _train.ItemDegrees();
            var popularity = new float[NumItems];
            for (int i = 0; i < NumItems; i++) popularity[i] = counts[i];
            _popularity = popularity;
            steps = _train.Count;
        }
        progress?.Report(new ProgressUpdate("MostPop", 1, 1));
        return new EpochStats(EpochsTrained++, 0, 0, steps, clock.Elapsed.TotalSeconds);
    }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> users, Span<float> scores)
    {
        if (scores.Length < users.Length * NumItems) throw new ArgumentException("the score buffer is too small", nameof(scores));
        var popularity = _popularity;
        for (int r = 0; r < users.Length; r++) popularity.CopyTo(scores.Slice(r * NumItems, NumItems));
    }

    /// <summary>An empty sample: there is no loss to differentiate.</summary>
    public ILossSample DrawAttackSample(ulong seed) => EmptySample.Instance;

    /// <summary>There are no targets: the loss is 0 and nothing is written.</summary>
    public double LossGradient(ILossSample sample, Perturbation? at, Perturbation gradient)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        return 0;
    }

    /// <summary>A view that scores with the model itself: no perturbation can change its scores.</summary>
    public IPerturbedView WithPerturbation(Perturbation delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        return new UnchangedView(this);
    }

    /// <summary>Does nothing: the model holds only managed arrays.</summary>
    public void Dispose()
    {
    }

    /// <inheritdoc />
    public object TakeSnapshot() => _popularity.Clone();

    /// <inheritdoc />
    public void RestoreSnapshot(object snapshot)
    {
        if (snapshot is not float[] saved || saved.Length != NumItems) throw new ArgumentException("not a snapshot of this model", nameof(snapshot));
        _popularity = (float[])saved.Clone();
    }

    /// <summary>
    /// Writes the counts atomically as text: the versioned header line (see <see cref="Load"/>), then one
    /// <c>item_index count</c> line per item.
    /// </summary>
    public void Save(string path) => BaselineFile.Write(path, ModelName, _options, writer =>
    {
        writer.WriteLine("# MostPop: item_index\ttraining_count");
        for (int i = 0; i < NumItems; i++) writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i}\t{_popularity[i]}"));
    });

    /// <summary>Reads a model written by <see cref="Save"/> for <paramref name="train"/> (whose item count must match).</summary>
    /// <exception cref="DataFormatException">The file is not a MostPop file of a known version, or it does not fit the data.</exception>
    public static MostPop Load(string path, Interactions train)
    {
        ArgumentNullException.ThrowIfNull(train);
        var (options, values) = BaselineFile.Read<MostPopOptions>(path, ModelName);
        BaselineFile.RequireCount(path, values, train.NumItems, "one count per item of the training data");
        var model = new MostPop(options, train);
        model._popularity = [.. values.Select(v => v.Value)];
        return model;
    }

    private sealed class EmptySample : ILossSample
    {
        public static readonly EmptySample Instance = new();

        public int Count => 0;
    }
}
