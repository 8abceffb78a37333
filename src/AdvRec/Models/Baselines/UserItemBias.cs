using System.Diagnostics;
using System.Globalization;
using AdvRec.Data;
using AdvRec.Evaluation;

namespace AdvRec.Models.Baselines;

/// <summary>
/// Hyperparameters of <see cref="UserItemBias"/>. Defaults are Koren's (KDD 2008, "Factorization meets the
/// neighborhood", §2.1): λ2 = 25 for the item biases, λ3 = 10 for the user biases.
/// </summary>
public sealed record UserItemBiasOptions
{
    /// <summary>L2 weight of the item biases, λ2 (Koren: 25).</summary>
    public float ItemRegularization { get; init; } = 25f;

    /// <summary>L2 weight of the user biases, λ3 (Koren: 10).</summary>
    public float UserRegularization { get; init; } = 10f;

    /// <summary>Checks every value and names the first one that is out of range.</summary>
    public void Validate()
    {
        if (!(ItemRegularization >= 0) || !float.IsFinite(ItemRegularization)) throw new ArgumentOutOfRangeException(nameof(ItemRegularization), ItemRegularization, "item regularization must be a finite number >= 0");
        if (!(UserRegularization >= 0) || !float.IsFinite(UserRegularization)) throw new ArgumentOutOfRangeException(nameof(UserRegularization), UserRegularization, "user regularization must be a finite number >= 0");
    }
}

/// <summary>
/// The regularised baseline predictor <c>b_ui = μ + b_u + b_i</c> (Koren 2008): μ is the mean training rating; the
/// biases minimise <c>Σ (r_ui − μ − b_u − b_i)² + λ3 Σ b_u² + λ2 Σ b_i²</c> by alternating least squares, one sweep
/// per epoch (items, then users). The first epoch is Koren's two-step estimate exactly:
/// <c>b_i = Σ_u (r_ui − μ) / (λ2 + |R(i)|)</c>, then <c>b_u = Σ_i (r_ui − μ − b_i) / (λ3 + |R(u)|)</c>; later
/// epochs refine the same objective. Perturbable targets: the user and item bias tables (one column each).
/// Needs explicit ratings.
/// </summary>
public sealed class UserItemBias : IIterativeModel, IRatingPredictor, IPersistentModel
{
    /// <summary>The model's name, as in configs and outputs.</summary>
    public const string ModelName = "UserItemBias";

    /// <summary>Name of the user-bias target.</summary>
    public const string UserBiasTarget = "user_bias";

    /// <summary>Name of the item-bias target.</summary>
    public const string ItemBiasTarget = "item_bias";

    private readonly Interactions _train;
    private readonly UserItemBiasOptions _options;
    private readonly int[] _itemPtr;
    private readonly int[] _itemUsers;
    private readonly float[] _itemRatings;
    private readonly float _mean;
    private float[] _userBias;
    private float[] _itemBias;

    /// <summary>A baseline for <paramref name="train"/>, which must hold explicit ratings (<paramref name="dataset"/> names it in errors).</summary>
    public UserItemBias(UserItemBiasOptions options, Interactions train, string? dataset = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        (MinRating, MaxRating) = RatingPrediction.RequireExplicit(train, ModelName, dataset);
        _options = options;
        _train = train;
        NumUsers = train.NumUsers;
        NumItems = train.NumItems;
        _userBias = new float[NumUsers];
        _itemBias = new float[NumItems];
        double sum = 0;
        var counts = new int[NumItems + 1];
        for (int u = 0; u < NumUsers; u++)
        {
            foreach (int i in train.ItemsOf(u)) counts[i + 1]++;
            foreach (float r in train.RatingsOf(u)) sum += r;
        }
        _mean = (float)(sum / train.Count);
        for (int i = 0; i < NumItems; i++) counts[i + 1] += counts[i];
        _itemPtr = (int[])counts.Clone();
        _itemUsers = new int[train.Count];
        _itemRatings = new float[train.Count];
        for (int u = 0; u < NumUsers; u++)
        {
            var items = train.ItemsOf(u);
            var ratings = train.RatingsOf(u);
            for (int k = 0; k < items.Length; k++)
            {
                int slot = counts[items[k]]++;
                _itemUsers[slot] = u;
                _itemRatings[slot] = ratings[k];
            }
        }
        PerturbationTargets = [new PerturbationTarget(UserBiasTarget, NumUsers, 1), new PerturbationTarget(ItemBiasTarget, NumItems, 1)];
    }

    /// <summary>The mean training rating μ.</summary>
    public float GlobalMean => _mean;

    /// <summary>The user biases b_u.</summary>
    public ReadOnlySpan<float> UserBiases => _userBias;

    /// <summary>The item biases b_i.</summary>
    public ReadOnlySpan<float> ItemBiases => _itemBias;

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
    public IReadOnlyList<PerturbationTarget> PerturbationTargets { get; }

    /// <summary>One alternating sweep (item biases, then user biases); the loss is the regularised objective after it.</summary>
    public EpochStats TrainEpoch(IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < NumItems; i++)
        {
            double s = 0;
            for (int p = _itemPtr[i]; p < _itemPtr[i + 1]; p++) s += _itemRatings[p] - _mean - _userBias[_itemUsers[p]];
            _itemBias[i] = (float)(s / (_options.ItemRegularization + (_itemPtr[i + 1] - _itemPtr[i])));
        }
        cancellationToken.ThrowIfCancellationRequested();
        progress?.Report(new ProgressUpdate("bias sweep", 1, 2));
        for (int u = 0; u < NumUsers; u++)
        {
            var items = _train.ItemsOf(u);
            var ratings = _train.RatingsOf(u);
            double s = 0;
            for (int k = 0; k < items.Length; k++) s += ratings[k] - _mean - _itemBias[items[k]];
            _userBias[u] = (float)(s / (_options.UserRegularization + items.Length));
        }
        progress?.Report(new ProgressUpdate("bias sweep", 2, 2));
        double loss = Loss(null, null);
        for (int u = 0; u < NumUsers; u++) loss += _options.UserRegularization * (double)_userBias[u] * _userBias[u];
        for (int i = 0; i < NumItems; i++) loss += _options.ItemRegularization * (double)_itemBias[i] * _itemBias[i];
        return new EpochStats(EpochsTrained++, loss, 0, 2, clock.Elapsed.TotalSeconds);
    }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> users, Span<float> scores) => ScoreWith(users, scores, null);

    /// <inheritdoc />
    public void PredictRatings(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> ratings)
    {
        if (users.Length != items.Length || ratings.Length < users.Length) throw new ArgumentException("users, items and ratings must have the same length");
        for (int k = 0; k < users.Length; k++) ratings[k] = Math.Clamp(_mean + _userBias[users[k]] + _itemBias[items[k]], MinRating, MaxRating);
    }

    /// <inheritdoc />
    public ILossSample DrawAttackSample(ulong seed) => new RatingSample(_train.Count);

    /// <summary>The summed squared error on the training ratings (no regulariser) at <paramref name="at"/>, and its gradient with respect to the bias tables.</summary>
    public double LossGradient(ILossSample sample, Perturbation? at, Perturbation gradient)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        var du = at is not null && at.IsActive(0) ? at.Table(0).ToArray() : null;
        var di = at is not null && at.IsActive(1) ? at.Table(1).ToArray() : null;
        var gu = gradient.Table(0);
        var gi = gradient.Table(1);
        gu.Clear();
        gi.Clear();
        double loss = 0;
        for (int u = 0; u < NumUsers; u++)
        {
            var items = _train.ItemsOf(u);
            var ratings = _train.RatingsOf(u);
            float bu = _userBias[u] + (du?[u] ?? 0);
            for (int k = 0; k < items.Length; k++)
            {
                int i = items[k];
                double e = _mean + bu + _itemBias[i] + (di?[i] ?? 0) - ratings[k];
                loss += e * e;
                if (gradient.IsActive(0)) gu[u] += (float)(2 * e);
                if (gradient.IsActive(1)) gi[i] += (float)(2 * e);
            }
        }
        return loss;
    }

    /// <inheritdoc />
    public IPerturbedView WithPerturbation(Perturbation delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        return new PerturbedView(this, delta.Clone());
    }

    /// <summary>Does nothing: the model holds only managed arrays.</summary>
    public void Dispose()
    {
    }

    /// <inheritdoc />
    public object TakeSnapshot() => ((float[])_userBias.Clone(), (float[])_itemBias.Clone());

    /// <inheritdoc />
    public void RestoreSnapshot(object snapshot)
    {
        if (snapshot is not (float[] users, float[] items) || users.Length != NumUsers || items.Length != NumItems)
            throw new ArgumentException("not a snapshot of this model", nameof(snapshot));
        _userBias = (float[])users.Clone();
        _itemBias = (float[])items.Clone();
    }

    /// <summary>
    /// Writes μ and the biases as text after the versioned header line (see <see cref="Load"/>): one value per line,
    /// μ, then the user biases, then the item biases.
    /// </summary>
    public void Save(string path) => BaselineFile.Write(path, ModelName, _options, w =>
    {
        w.WriteLine(_mean.ToString("R", CultureInfo.InvariantCulture));
        foreach (float b in _userBias) w.WriteLine(b.ToString("R", CultureInfo.InvariantCulture));
        foreach (float b in _itemBias) w.WriteLine(b.ToString("R", CultureInfo.InvariantCulture));
    });

    /// <summary>
    /// Reads a model written by <see cref="Save"/> for <paramref name="train"/> (explicit ratings; its users, items and
    /// mean rating must be those the model was saved with).
    /// </summary>
    /// <exception cref="DataFormatException">The file is not a UserItemBias file of a known version, or it does not fit the data.</exception>
    public static UserItemBias Load(string path, Interactions train, string? dataset = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        var (options, values) = BaselineFile.Read<UserItemBiasOptions>(path, ModelName);
        BaselineFile.RequireCount(path, values, 1 + train.NumUsers + train.NumItems, "μ, one bias per user and one per item of the training data");
        var model = new UserItemBias(options, train, dataset);
        if (values[0].Value != model._mean)
            throw new DataFormatException(path, values[0].Line, string.Create(CultureInfo.InvariantCulture, $"the file's mean rating {values[0].Value} is not the training data's {model._mean}: it was saved for other data"));
        for (int u = 0; u < model.NumUsers; u++) model._userBias[u] = values[1 + u].Value;
        for (int i = 0; i < model.NumItems; i++) model._itemBias[i] = values[1 + model.NumUsers + i].Value;
        return model;
    }

    private void ScoreWith(ReadOnlySpan<int> users, Span<float> scores, Perturbation? delta)
    {
        if (scores.Length < users.Length * NumItems) throw new ArgumentException("the score buffer is too small", nameof(scores));
        var du = delta is not null && delta.IsActive(0) ? delta.Table(0) : default;
        var di = delta is not null && delta.IsActive(1) ? delta.Table(1) : default;
        for (int r = 0; r < users.Length; r++)
        {
            int u = users[r];
            float bu = _mean + _userBias[u] + (du.IsEmpty ? 0 : du[u]);
            var row = scores.Slice(r * NumItems, NumItems);
            for (int i = 0; i < NumItems; i++) row[i] = bu + _itemBias[i] + (di.IsEmpty ? 0 : di[i]);
        }
    }

    private double Loss(float[]? du, float[]? di)
    {
        double loss = 0;
        for (int u = 0; u < NumUsers; u++)
        {
            var items = _train.ItemsOf(u);
            var ratings = _train.RatingsOf(u);
            float bu = _mean + _userBias[u] + (du?[u] ?? 0);
            for (int k = 0; k < items.Length; k++)
            {
                double e = bu + _itemBias[items[k]] + (di?[items[k]] ?? 0) - ratings[k];
                loss += e * e;
            }
        }
        return loss;
    }

    private sealed class PerturbedView(UserItemBias model, Perturbation delta) : IPerturbedView
    {
        public int NumUsers => model.NumUsers;

        public int NumItems => model.NumItems;

        public void Score(ReadOnlySpan<int> users, Span<float> scores) => model.ScoreWith(users, scores, delta);

        // The perturbation is a managed copy: nothing to free.
        public void Dispose()
        {
        }
    }
}
