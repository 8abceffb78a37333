using AdvRec.Data;
using AdvRec.Evaluation;
using AdvRec.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AdvRec.Neural.Autoencoders;

/// <summary>
/// Hyperparameters of <see cref="AutoRec"/>. Defaults follow Sedhain et al. (WWW 2015): item-based, 500 hidden
/// units, sigmoid encoder and identity decoder; the paper tunes λ and trains with Rprop/L-BFGS, AdvRec uses Adam.
/// </summary>
public sealed record AutoRecOptions : AdversarialTrainingOptions, IDeviceOptions, ISeededOptions
{
    /// <summary>Item-based (I-AutoRec: each item's vector of user ratings is one input row; the paper's best) or user-based (U-AutoRec).</summary>
    public bool ItemBased { get; init; } = true;

    /// <summary>Hidden units k (paper: 500).</summary>
    [ConfigAlias("hidden_neuron")]
    public int Hidden { get; init; } = 500;

    /// <summary>L2 weight λ of the objective's <c>λ/2 (‖W‖² + ‖V‖²)</c>, charged once per epoch over the batches (paper: tuned in {0.001, …, 1000}; 100 was best of 30, 100, 300 on ml-100k).</summary>
    [ConfigAlias("l_w")]
    public float Lambda { get; init; } = 100f;

    /// <summary>Adam learning rate.</summary>
    [ConfigAlias("lr")]
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Input rows (items, or users for U-AutoRec) per mini-batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Where the tensors live: cpu, cuda, cuda:N or auto.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Seed of the initialisation and the batch order.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Checks every value and names the first one that is out of range.</summary>
    public void Validate()
    {
        if (Hidden < 1) throw new ArgumentOutOfRangeException(nameof(Hidden), Hidden, "hidden must be >= 1");
        if (!(Lambda >= 0) || !float.IsFinite(Lambda)) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "lambda must be a finite number >= 0");
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be > 0");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be >= 1");
        if (Device is null || !TorchDevices.IsValidName(Device)) throw new ArgumentOutOfRangeException(nameof(Device), Device, $"device must be {TorchDevices.Choices}");
        ValidateAdversarial();
    }
}

/// <summary>
/// AutoRec (Sedhain, Menon, Sanner, Xie, WWW 2015): <c>h(r) = V · sigmoid(W r + μ) + b</c> reconstructs each input
/// row r (an item's ratings by all users for I-AutoRec, a user's ratings of all items for U-AutoRec; unobserved
/// entries are 0) and is trained on the squared error of the observed entries only, plus <c>λ/2 (‖W‖² + ‖V‖²)</c>.
/// The reconstruction is the predicted rating (unclipped as a score, clipped to the training scale as a rating), so
/// the model predicts ratings (RMSE, MAE) and ranks. Perturbable targets: <c>input</c> (the input rows, a table of
/// rows × their length) and <c>hidden</c> (the hidden layer's activation of each row). Needs explicit ratings.
/// </summary>
public sealed class AutoRec : NeuralModel, IRatingPredictor
{
    /// <summary>The item-based model's name (<see cref="AutoRecOptions.ItemBased"/> true).</summary>
    public const string ItemModelName = "I-AutoRec";

    /// <summary>The user-based model's name (<see cref="AutoRecOptions.ItemBased"/> false).</summary>
    public const string UserModelName = "U-AutoRec";

    /// <summary>Name of the input-row target.</summary>
    public const string InputTarget = "input";

    /// <summary>Name of the hidden-layer target.</summary>
    public const string HiddenTarget = "hidden";

    private readonly AutoRecOptions _options;
    private readonly Net _net;
    private readonly optim.Optimizer _optimizer;
    private readonly Tensor _rows;   // [rows, width] ratings, 0 where unobserved
    private readonly Tensor _mask;   // [rows, width] 1 where observed
    private readonly int[] _activeRows;
    private Tensor? _cache;          // [users, items] clean scores

    /// <summary>A new model for <paramref name="train"/>, which must hold explicit ratings (<paramref name="dataset"/> names it in errors).</summary>
    public AutoRec(AutoRecOptions options, Interactions train, Action<string>? log = null, string? dataset = null)
        : base(Checked(options, train, dataset), options.Device, options.Seed, log)
    {
        _options = options;
        (MinRating, MaxRating) = RatingPrediction.Range(train);
        int rows = options.ItemBased ? NumItems : NumUsers, width = options.ItemBased ? NumUsers : NumItems;
        _net = new Net(width, options.Hidden);
        _net.to(Device);
        var ratings = TorchData.Dense(train, Device, ratings: true).DetachFromDisposeScope();
        var mask = TorchData.Dense(train, Device, ratings: false).DetachFromDisposeScope();
        if (options.ItemBased)
        {
            _rows = ratings.t().contiguous().DetachFromDisposeScope();
            _mask = mask.t().contiguous().DetachFromDisposeScope();
            ratings.Dispose();
            mask.Dispose();
        }
        else
        {
            _rows = ratings;
            _mask = mask;
        }
        var degrees = train.ItemDegrees();
        _activeRows = options.ItemBased
            ? Enumerable.Range(0, NumItems).Where(i => degrees[i] > 0).ToArray()
            : Enumerable.Range(0, NumUsers).Where(u => train.DegreeOf(u) > 0).ToArray();
        _optimizer = optim.Adam(_net.parameters(), options.LearningRate);
        PerturbationTargets = [new PerturbationTarget(InputTarget, rows, width), new PerturbationTarget(HiddenTarget, rows, options.Hidden)];
        UseAdversarialTraining(options);
        log?.Invoke($"{Name}: {rows:N0} input rows of {width:N0}, {options.Hidden} hidden units, lambda {options.Lambda}");
    }

    /// <summary>I-AutoRec or U-AutoRec.</summary>
    public string Name => _options.ItemBased ? ItemModelName : UserModelName;

    /// <inheritdoc />
    public float MinRating { get; }

    /// <inheritdoc />
    public float MaxRating { get; }

    /// <inheritdoc />
    public override IReadOnlyList<PerturbationTarget> PerturbationTargets { get; }

    /// <inheritdoc />
    protected override nn.Module Network => _net;

    /// <inheritdoc />
    protected override string PersistedName => Name;

    /// <inheritdoc />
    protected override object PersistedOptions => _options;

    /// <summary>Every input row with at least one training rating (items for I-AutoRec, users for U-AutoRec).</summary>
    public override ILossSample DrawAttackSample(ulong seed) => new RowSample(_activeRows);

    /// <inheritdoc />
    public void PredictRatings(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> ratings) =>
        RatingPrediction.FromScores(this, MinRating, MaxRating, users, items, ratings);

    /// <inheritdoc />
    protected override EpochStats RunEpoch(int epoch, IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        var order = Shuffled(_activeRows, epoch);
        int batch = _options.BatchSize;
        double total = 0;
        long steps = 0;
        // λ/2 (‖W‖² + ‖V‖²) once per epoch, spread over the batches in proportion to their rows
        float share = _options.Lambda / 2f / order.Length;
        for (int start = 0; start < order.Length; start += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            int n = Math.Min(batch, order.Length - start);
            var rows = Indices(order.AsSpan(start, n));
            _optimizer.zero_grad();
            var reg = share * n * (_net.Encoder.weight!.square().sum() + _net.Decoder.weight!.square().sum());
            var loss = Backward(d => MaskedError(rows, d), n, reg);
            _optimizer.step();
            total += loss.item<float>();
            steps++;
            Report(progress, Name, start + n, order.Length);
        }
        return new EpochStats(epoch, total, 0, steps, 0);
    }

    /// <inheritdoc />
    protected override Tensor ScoreUsers(Tensor users, IReadOnlyList<Tensor?>? delta)
    {
        if (!_options.ItemBased) return Reconstruct(users, RowsOf(delta, users));
        if (delta is null || delta.All(d => d is null))
        {
            _cache ??= AllScores(null).DetachFromDisposeScope();
            return _cache.index_select(0, users);
        }
        return AllScores(delta).index_select(0, users);
    }

    /// <inheritdoc />
    protected override double AttackLoss(ILossSample sample, IReadOnlyList<Tensor?> delta) =>
        SumInChunks(((RowSample)sample).Rows, 256, rows => MaskedError(rows, RowsOf(delta, rows)));

    /// <inheritdoc />
    protected override void OnParametersChanged()
    {
        _cache?.Dispose();
        _cache = null;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _cache?.Dispose();
            _optimizer.Dispose();
            _rows.Dispose();
            _mask.Dispose();
        }
        base.Dispose(disposing);
    }

    // I-AutoRec: every item row reconstructed, as [users, items].
    private Tensor AllScores(IReadOnlyList<Tensor?>? delta)
    {
        using var scope = torch.NewDisposeScope();
        var parts = new List<Tensor>();
        for (int start = 0; start < NumItems; start += 1024)
        {
            int n = Math.Min(1024, NumItems - start);
            var rows = torch.arange(start, start + n, dtype: ScalarType.Int64, device: Device);
            parts.Add(Reconstruct(rows, RowsOf(delta, rows)));
        }
        return torch.cat(parts, 0).t().contiguous().MoveToOuterDisposeScope();
    }

    private Tensor Reconstruct(Tensor rows, IReadOnlyList<Tensor?>? delta)
    {
        var x = _rows.index_select(0, rows);
        if (delta?[0] is { } d0) x = x + d0;
        var h = torch.sigmoid(_net.Encoder.forward(x));
        if (delta?[1] is { } d1) h = h + d1;
        return _net.Decoder.forward(h);
    }

    private Tensor MaskedError(Tensor rows, IReadOnlyList<Tensor?>? delta) =>
        ((Reconstruct(rows, delta) - _rows.index_select(0, rows)) * _mask.index_select(0, rows)).square().sum();

    private static Interactions Checked(AutoRecOptions options, Interactions train, string? dataset)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        RatingPrediction.RequireExplicit(train, options.ItemBased ? ItemModelName : UserModelName, dataset);
        return train;
    }

    private sealed class Net : nn.Module
    {
        public readonly TorchSharp.Modules.Linear Encoder, Decoder;

        public Net(int width, int hidden) : base("autorec")
        {
            Encoder = nn.Linear(width, hidden);
            Decoder = nn.Linear(hidden, width);
            RegisterComponents();
        }
    }
}
