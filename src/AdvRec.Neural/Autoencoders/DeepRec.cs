using AdvRec.Data;
using AdvRec.Evaluation;
using AdvRec.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AdvRec.Neural.Autoencoders;

/// <summary>The activation of <see cref="DeepRec"/>'s layers (the paper compares these; SELU is its choice).</summary>
public enum DeepRecActivation
{
    /// <summary>SELU (the paper's best).</summary>
    Selu,

    /// <summary>ELU.</summary>
    Elu,

    /// <summary>ReLU.</summary>
    Relu,

    /// <summary>Leaky ReLU (slope 0.01).</summary>
    LRelu,

    /// <summary>Sigmoid.</summary>
    Sigmoid,

    /// <summary>Tanh.</summary>
    Tanh,

    /// <summary>No activation.</summary>
    Identity,
}

/// <summary>The optimizer of <see cref="DeepRec"/>.</summary>
public enum DeepRecOptimizer
{
    /// <summary>Adam (the default here: reliable on small data in few epochs).</summary>
    Adam,

    /// <summary>SGD with momentum 0.9 (the paper's Netflix runs, with lr 0.001–0.005).</summary>
    Momentum,
}

/// <summary>
/// Hyperparameters of <see cref="DeepRec"/>. Defaults follow Kuchaiev and Ginsburg (2017) and NVIDIA's
/// DeepRecommender code for Netflix: encoder 512-512-1024, SELU, dropout 0.8 on the code layer, one dense re-feeding
/// step, batch 128, an unconstrained decoder with the activation on its last layer too. The paper trains with momentum
/// SGD; the default here is Adam with lr 0.001 (<see cref="Optimizer"/> selects the paper's).
/// </summary>
public sealed record DeepRecOptions : AdversarialTrainingOptions, IDeviceOptions, ISeededOptions
{
    /// <summary>Encoder layer sizes, input side first; the last is the code layer; the decoder mirrors them (paper: 512, 512, 1024).</summary>
    [ConfigAlias("hidden_layers")]
    public IReadOnlyList<int> Layers { get; init; } = [512, 512, 1024];

    /// <summary>Activation of every layer (paper: SELU).</summary>
    [ConfigAlias("non_linearity_type")]
    public DeepRecActivation Activation { get; init; } = DeepRecActivation.Selu;

    /// <summary>Dropout probability on the code layer while training (paper: 0.8).</summary>
    [ConfigAlias("drop_prob")]
    public float Dropout { get; init; } = 0.8f;

    /// <summary>Constrained (tied) decoder: decoder layer k uses the transposed weights of encoder layer k, with its own bias (paper: an option).</summary>
    public bool Constrained { get; init; }

    /// <summary>Apply the activation on the decoder's output layer too (NVIDIA's code: true).</summary>
    public bool LastLayerActivation { get; init; } = true;

    /// <summary>Dense re-feeding steps per batch: feed the output f(x) back as a dense input and target (paper: 1; 0 = off).</summary>
    [ConfigAlias("aug_step")]
    public int DenseRefeeding { get; init; } = 1;

    /// <summary>Optimizer (paper: momentum SGD; default Adam).</summary>
    public DeepRecOptimizer Optimizer { get; init; } = DeepRecOptimizer.Adam;

    /// <summary>Learning rate (Adam default 0.001; the paper's momentum SGD used 0.001–0.005).</summary>
    [ConfigAlias("lr")]
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>L2 weight decay of the optimizer (NVIDIA's code: 0).</summary>
    public float WeightDecay { get; init; }

    /// <summary>Users per mini-batch (paper: 128).</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Where the tensors live: cpu, cuda, cuda:N or auto.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Seed of the initialisation, dropout and the batch order.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Checks every value and names the first one that is out of range.</summary>
    public void Validate()
    {
        if (Layers is null || Layers.Count == 0) throw new ArgumentOutOfRangeException(nameof(Layers), "layers must list at least one layer size");
        foreach (int size in Layers)
            if (size < 1) throw new ArgumentOutOfRangeException(nameof(Layers), size, "every layer size must be >= 1");
        if (!Enum.IsDefined(Activation)) throw new ArgumentOutOfRangeException(nameof(Activation), Activation, "unknown activation");
        if (!(Dropout is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "dropout must be in [0, 1)");
        if (DenseRefeeding < 0) throw new ArgumentOutOfRangeException(nameof(DenseRefeeding), DenseRefeeding, "dense re-feeding must be >= 0");
        if (!Enum.IsDefined(Optimizer)) throw new ArgumentOutOfRangeException(nameof(Optimizer), Optimizer, "unknown optimizer");
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be > 0");
        if (!(WeightDecay >= 0) || !float.IsFinite(WeightDecay)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "weight decay must be a finite number >= 0");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be >= 1");
        if (Device is null || !TorchDevices.IsValidName(Device)) throw new ArgumentOutOfRangeException(nameof(Device), Device, $"device must be {TorchDevices.Choices}");
        ValidateAdversarial();
    }
}

/// <summary>
/// DeepRec (Kuchaiev and Ginsburg 2017, "Training Deep AutoEncoders for Collaborative Filtering"): a deep user-based
/// autoencoder over each user's ratings of all items (0 where unrated), with configurable encoder layers, a mirrored
/// (optionally tied) decoder, SELU or another activation, dropout on the code layer, and the masked MSE of the observed
/// ratings (summed squared error divided by the number of observed ratings in the batch). After each step, dense
/// re-feeding feeds the output f(x) back as a fully observed input and target for another step. The output is the
/// predicted rating (clipped to the training scale as a rating), so the model predicts ratings and ranks.
/// Perturbable targets: <c>input</c> (users × items) and <c>hidden</c> (the first encoder layer's activation, users × its size).
/// Needs explicit ratings.
/// </summary>
public sealed class DeepRec : NeuralModel, IRatingPredictor
{
    /// <summary>The model's name, as in configs and outputs.</summary>
    public const string ModelName = "DeepRec";

    /// <summary>Name of the input-row target.</summary>
    public const string InputTarget = "input";

    /// <summary>Name of the first-hidden-layer target.</summary>
    public const string HiddenTarget = "hidden";

    private readonly DeepRecOptions _options;
    private readonly Net _net;
    private readonly optim.Optimizer _optimizer;
    private readonly Tensor _ratings; // [users, items], 0 where unrated
    private readonly Tensor _mask;    // [users, items], 1 where rated
    private readonly int[] _activeUsers;

    /// <summary>A new model for <paramref name="train"/>, which must hold explicit ratings (<paramref name="dataset"/> names it in errors).</summary>
    public DeepRec(DeepRecOptions options, Interactions train, Action<string>? log = null, string? dataset = null)
        : base(Checked(options, train, dataset), options.Device, options.Seed, log)
    {
        _options = options;
        (MinRating, MaxRating) = RatingPrediction.Range(train);
        _net = new Net(NumItems, options);
        _net.to(Device);
        _net.eval(); // no dropout outside training (scores and attacks before the first epoch)
        _ratings = TorchData.Dense(train, Device, ratings: true).DetachFromDisposeScope();
        _mask = TorchData.Dense(train, Device, ratings: false).DetachFromDisposeScope();
        _activeUsers = Enumerable.Range(0, NumUsers).Where(u => train.DegreeOf(u) > 0).ToArray();
        _optimizer = options.Optimizer == DeepRecOptimizer.Adam
            ? optim.Adam(_net.parameters(), options.LearningRate, weight_decay: options.WeightDecay)
            : optim.SGD(_net.parameters(), options.LearningRate, momentum: 0.9, weight_decay: options.WeightDecay);
        PerturbationTargets = [new PerturbationTarget(InputTarget, NumUsers, NumItems), new PerturbationTarget(HiddenTarget, NumUsers, options.Layers[0])];
        UseAdversarialTraining(options);
        log?.Invoke($"{ModelName}: {NumItems:N0}-{string.Join("-", options.Layers)}-(mirrored)-{NumItems:N0}, {options.Activation}, dropout {options.Dropout}, " +
            $"{(options.Constrained ? "constrained" : "free")} decoder, re-feeding {options.DenseRefeeding}, {options.Optimizer} lr {options.LearningRate}");
    }

    /// <inheritdoc />
    public float MinRating { get; }

    /// <inheritdoc />
    public float MaxRating { get; }

    /// <inheritdoc />
    public override IReadOnlyList<PerturbationTarget> PerturbationTargets { get; }

    /// <inheritdoc />
    protected override nn.Module Network => _net;

    /// <inheritdoc />
    protected override string PersistedName => ModelName;

    /// <inheritdoc />
    protected override object PersistedOptions => _options;

    /// <inheritdoc />
    public void PredictRatings(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> ratings) =>
        RatingPrediction.FromScores(this, MinRating, MaxRating, users, items, ratings);

    /// <inheritdoc />
    protected override EpochStats RunEpoch(int epoch, IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        var order = Shuffled(_activeUsers, epoch);
        int batch = _options.BatchSize;
        double total = 0;
        long steps = 0;
        for (int start = 0; start < order.Length; start += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            int n = Math.Min(batch, order.Length - start);
            var users = Indices(order.AsSpan(start, n));
            var x = _ratings.index_select(0, users);
            var mask = _mask.index_select(0, users);
            _optimizer.zero_grad();
            var observed = mask.sum().clamp_min(1);
            Tensor? output = null;
            var loss = Backward(d =>
            {
                var o = _net.Forward(x, d?[0], d?[1]);
                output ??= o; // the clean output, for dense re-feeding
                return ((o - x) * mask).square().sum() / observed;
            }, n);
            _optimizer.step();
            total += (loss * observed).item<float>();
            steps++;
            for (int r = 0; r < _options.DenseRefeeding; r++)
            {
                // dense re-feeding: f(x) is a fully observed input whose reconstruction should be itself
                var dense = output!.detach();
                _optimizer.zero_grad();
                output = _net.Forward(dense, null, null);
                (output - dense).square().mean().backward();
                _optimizer.step();
                steps++;
            }
            Report(progress, ModelName, start + n, order.Length);
        }
        return new EpochStats(epoch, total, 0, steps, 0);
    }

    /// <inheritdoc />
    protected override Tensor ScoreUsers(Tensor users, IReadOnlyList<Tensor?>? delta) =>
        Forward(_ratings.index_select(0, users), RowsOf(delta, users));

    private Tensor Forward(Tensor x, IReadOnlyList<Tensor?>? delta) => _net.Forward(x, delta?[0], delta?[1]);

    /// <inheritdoc />
    protected override double AttackLoss(ILossSample sample, IReadOnlyList<Tensor?> delta) =>
        SumInChunks(((RowSample)sample).Rows, 256, users =>
        {
            var x = _ratings.index_select(0, users);
            return ((Forward(x, RowsOf(delta, users)) - x) * _mask.index_select(0, users)).square().sum();
        });

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _optimizer.Dispose();
            _ratings.Dispose();
            _mask.Dispose();
        }
        base.Dispose(disposing);
    }

    private static Interactions Checked(DeepRecOptions options, Interactions train, string? dataset)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        RatingPrediction.RequireExplicit(train, ModelName, dataset);
        return train;
    }

    private sealed class Net : nn.Module
    {
        private readonly DeepRecOptions _options;
        private readonly List<Parameter> _encoderWeights = [], _encoderBiases = [], _decoderWeights = [], _decoderBiases = [];
        private readonly Dropout _dropout;

        public Net(int items, DeepRecOptions options) : base("deeprec")
        {
            _options = options;
            int[] sizes = [items, .. options.Layers];
            for (int k = 0; k + 1 < sizes.Length; k++)
            {
                _encoderWeights.Add(Weight($"encoder_w{k}", sizes[k + 1], sizes[k]));
                _encoderBiases.Add(Bias($"encoder_b{k}", sizes[k + 1]));
            }
            for (int k = sizes.Length - 1; k > 0; k--)
            {
                // decoder layer j maps sizes[k] back to sizes[k - 1]
                int j = sizes.Length - 1 - k;
                if (!options.Constrained) _decoderWeights.Add(Weight($"decoder_w{j}", sizes[k - 1], sizes[k]));
                _decoderBiases.Add(Bias($"decoder_b{j}", sizes[k - 1]));
            }
            _dropout = nn.Dropout(options.Dropout);
            register_module("dropout", _dropout);
        }

        public Tensor Forward(Tensor x, Tensor? inputDelta, Tensor? hiddenDelta)
        {
            if (inputDelta is not null) x = x + inputDelta;
            int layers = _encoderWeights.Count;
            for (int k = 0; k < layers; k++)
            {
                x = Activate(x.matmul(_encoderWeights[k].t()) + _encoderBiases[k]);
                if (k == 0 && hiddenDelta is not null) x = x + hiddenDelta;
            }
            if (_options.Dropout > 0) x = _dropout.forward(x);
            for (int j = 0; j < layers; j++)
            {
                // tied: decoder layer j uses encoder layer (layers - 1 - j) transposed
                var w = _options.Constrained ? _encoderWeights[layers - 1 - j] : null;
                x = w is null ? x.matmul(_decoderWeights[j].t()) : x.matmul(w);
                x = x + _decoderBiases[j];
                if (j < layers - 1 || _options.LastLayerActivation) x = Activate(x);
            }
            return x;
        }

        private Tensor Activate(Tensor x) => _options.Activation switch
        {
            DeepRecActivation.Selu => nn.functional.selu(x),
            DeepRecActivation.Elu => nn.functional.elu(x, 1.0),
            DeepRecActivation.Relu => nn.functional.relu(x),
            DeepRecActivation.LRelu => nn.functional.leaky_relu(x, 0.01),
            DeepRecActivation.Sigmoid => torch.sigmoid(x),
            DeepRecActivation.Tanh => torch.tanh(x),
            _ => x,
        };

        private Parameter Weight(string name, long rows, long columns)
        {
            var p = new Parameter(torch.empty(rows, columns));
            using (torch.no_grad()) nn.init.xavier_uniform_(p);
            register_parameter(name, p);
            return p;
        }

        private Parameter Bias(string name, long size)
        {
            var p = new Parameter(torch.zeros(size));
            register_parameter(name, p);
            return p;
        }
    }
}
