using System.Diagnostics;
using AdvRec.Data;
using AdvRec.Evaluation;

namespace AdvRec.Models.Baselines;

/// <summary>Hyperparameters of <see cref="GlobalMean"/>: it has none to tune.</summary>
public sealed record GlobalMeanOptions
{
    /// <summary>Nothing to check; present so the runner treats every options record alike.</summary>
    public void Validate()
    {
    }
}

/// <summary>
/// The global-mean rating baseline: predicts <c>μ</c>, the mean training rating, for every pair (so it ranks every item
/// alike). The floor that every rating model must beat on RMSE and MAE. No perturbable targets. Needs explicit ratings.
/// </summary>
public sealed class GlobalMean : IIterativeModel, IRatingPredictor, IPersistentModel
{
    /// <summary>The model's name, as in configs and outputs.</summary>
    public const string ModelName = "GlobalMean";

    private readonly Interactions _train;
    private readonly GlobalMeanOptions _options;
    private float _mean;

    /// <summary>A baseline for <paramref name="train"/>, which must hold explicit ratings (<paramref name="dataset"/> names it in errors).</summary>
    public GlobalMean(GlobalMeanOptions options, Interactions train, string? dataset = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        (MinRating, MaxRating) = RatingPrediction.RequireExplicit(train, ModelName, dataset);
        _options = options;
        _train = train;
        NumUsers = train.NumUsers;
        NumItems = train.NumItems;
    }

    /// <summary>The fitted mean rating (0 before the first epoch).</summary>
    public float Mean => _mean;

    /// <inheritdoc />
    public int NumUsers { get; }

    /// <inheritdoc />
    public int NumItems { get; }

    /// <inheritdoc />
    public float MinRating { get; }

    /// <inheritdoc />
    public float MaxRating { get; }

    /// <inheritdoc />
    public int EpochsTrained { get; private set; }

    /// <inheritdoc />
    public bool NextEpochIsAdversarial => false;

    /// <inheritdoc />
    public IReadOnlyList<PerturbationTarget> PerturbationTargets { get; } = [];

    /// <summary>Computes the mean (every epoch gives the same); the loss is the summed squared error.</summary>
    public EpochStats TrainEpoch(IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        double sum = 0;
        for (int u = 0; u < NumUsers; u++) foreach (float r in _train.RatingsOf(u)) sum += r;
        _mean = (float)(sum / _train.Count);
        progress?.Report(new ProgressUpdate("global mean", 1, 1));
        double loss = SquaredError();
        return new EpochStats(EpochsTrained++, loss, 0, 1, clock.Elapsed.TotalSeconds);
    }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> users, Span<float> scores) => scores[..(users.Length * NumItems)].Fill(_mean);

    /// <inheritdoc />
    public void PredictRatings(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> ratings) =>
        ratings[..users.Length].Fill(Math.Clamp(_mean, MinRating, MaxRating));

    /// <inheritdoc />
    public ILossSample DrawAttackSample(ulong seed) => new RatingSample(_train.Count);

    /// <summary>The summed squared error on the training ratings; there is nothing to differentiate.</summary>
    public double LossGradient(ILossSample sample, Perturbation? at, Perturbation gradient) => SquaredError();

    /// <summary>A view that scores with the model itself: it has nothing to perturb.</summary>
    public IPerturbedView WithPerturbation(Perturbation delta) => new UnchangedView(this);

    /// <summary>Does nothing: the model holds only managed arrays.</summary>
    public void Dispose()
    {
    }

    /// <inheritdoc />
    public object TakeSnapshot() => _mean;

    /// <inheritdoc />
    public void RestoreSnapshot(object snapshot) => _mean = snapshot is float m ? m : throw new ArgumentException("not a snapshot of this model", nameof(snapshot));

    /// <summary>Writes the mean as text, after the versioned header line (see <see cref="Load"/>).</summary>
    public void Save(string path) => BaselineFile.Write(path, ModelName, _options, w =>
        w.WriteLine(_mean.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Reads a model written by <see cref="Save"/>, for <paramref name="train"/> (explicit ratings).</summary>
    /// <exception cref="DataFormatException">The file is not a GlobalMean file of a known version.</exception>
    public static GlobalMean Load(string path, Interactions train, string? dataset = null)
    {
        var (options, values) = BaselineFile.Read<GlobalMeanOptions>(path, ModelName);
        BaselineFile.RequireCount(path, values, 1, "the mean");
        return new GlobalMean(options, train, dataset) { _mean = values[0].Value };
    }

    private double SquaredError()
    {
        double loss = 0;
        for (int u = 0; u < NumUsers; u++)
            foreach (float r in _train.RatingsOf(u)) loss += (r - _mean) * (double)(r - _mean);
        return loss;
    }
}

/// <summary>Every training rating once: the loss sample of the rating baselines.</summary>
/// <param name="Count">Number of training ratings.</param>
public sealed record RatingSample(int Count) : ILossSample;
