using AdvRec.Data;
using AdvRec.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AdvRec.Neural.Autoencoders;

/// <summary>The reconstruction loss of <see cref="Cdae"/> (Wu et al. 2016, Section 3.2).</summary>
public enum CdaeLoss
{
    /// <summary>Logistic loss: binary cross-entropy of the sigmoid output against the 0/1 row (the paper's choice for ranking).</summary>
    Logistic,

    /// <summary>Squared error of the sigmoid output against the 0/1 row.</summary>
    Squared,
}

/// <summary>
/// Hyperparameters of <see cref="Cdae"/>. Defaults follow Wu et al. (WSDM 2016): 50 hidden units, corruption 0.2,
/// sigmoid hidden and output layers, the logistic loss; the optimizer is Adam (as in RecBole and Elliot) where the paper
/// used AdaGrad.
/// </summary>
public sealed record CdaeOptions : AdversarialTrainingOptions, IDeviceOptions, ISeededOptions
{
    /// <summary>Hidden units (paper: 50).</summary>
    [ConfigAlias("hidden_neuron")]
    public int Hidden { get; init; } = 50;

    /// <summary>Input corruption q: each input entry is dropped with probability q and the rest scaled by 1/(1 − q) (paper: 0.2).</summary>
    [ConfigAlias("corruption_ratio")]
    public float Corruption { get; init; } = 0.2f;

    /// <summary>Reconstruction loss: logistic (binary cross-entropy) or squared.</summary>
    public CdaeLoss Loss { get; init; } = CdaeLoss.Logistic;

    /// <summary>Negative sampling: 0 = the loss covers every item; k &gt; 0 = only the user's items and, in expectation, k sampled non-interacted items per item (paper: a few).</summary>
    public float NegativeSamples { get; init; }

    /// <summary>The user embedding node added to the hidden layer (the "C" of CDAE); without it the model folds in new users.</summary>
    public bool UserNode { get; init; } = true;

    /// <summary>Adam's learning rate.</summary>
    [ConfigAlias("lr")]
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>L2 weight lambda: the loss adds lambda/2 · (‖W‖² + ‖W'‖² + ‖V‖²) per batch (paper: tuned; 0.01 here).</summary>
    [ConfigAlias("reg")]
    public float Regularization { get; init; } = 0.01f;

    /// <summary>Users per batch.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Where the model runs: cpu, cuda, cuda:N or auto.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Seed of every random choice: initialisation, batch order, corruption, negatives.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Checks every value and names the first one that is out of range.</summary>
    public void Validate()
    {
        if (Hidden < 1) throw new ArgumentOutOfRangeException(nameof(Hidden), Hidden, "hidden must be >= 1");
        if (!(Corruption is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(Corruption), Corruption, "corruption must be in [0, 1)");
        if (!Enum.IsDefined(Loss)) throw new ArgumentOutOfRangeException(nameof(Loss), Loss, "loss must be logistic or squared");
        if (!(NegativeSamples >= 0) || !float.IsFinite(NegativeSamples)) throw new ArgumentOutOfRangeException(nameof(NegativeSamples), NegativeSamples, "negative samples must be >= 0 (0 = every item)");
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be > 0");
        if (!(Regularization >= 0) || !float.IsFinite(Regularization)) throw new ArgumentOutOfRangeException(nameof(Regularization), Regularization, "regularization must be >= 0");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be >= 1");
        if (!TorchDevices.IsValidName(Device)) throw new ArgumentException($"device '{Device}': expected {TorchDevices.Choices}", nameof(Device));
        ValidateAdversarial();
    }
}

/// <summary>
/// CDAE (Wu, DuBois, Zheng and Ester, "Collaborative Denoising Auto-Encoders for Top-N Recommender Systems", WSDM
/// 2016): the user's 0/1 item row, corrupted by dropout, encoded as <c>z = sigmoid(W x̃ + V_u + b)</c> with a user
/// embedding node V_u, and decoded as <c>sigmoid(W' z + b')</c>, trained with the logistic or squared loss over every
/// item or over the user's items plus sampled negatives. Scores are the output's logits (same order as the sigmoid).
/// With the user node it has one parameter row per user and fits on every training row (fold-in rows included, under
/// strong generalisation); without it, it folds in new users and fits on the dataset's fit users only.
/// Perturbable: <c>input</c> (the input rows, users × items), <c>user</c> (the user node, users × hidden; with the node
/// only) and <c>hidden</c> (the hidden layer after the sigmoid, users × hidden).
/// </summary>
public sealed class Cdae : NeuralModel
{
    /// <summary>The paper's name, as in configs and outputs.</summary>
    public const string ModelName = "CDAE";

    private const int AttackChunk = 1024;
    private readonly Net _net;
    private readonly optim.Optimizer _optimizer;
    private readonly Tensor _matrix;
    private readonly int[] _fitUsers;
    private readonly int _hiddenIndex;

    /// <summary>Builds the model on <paramref name="train"/>; without the user node it fits on <paramref name="fitUsers"/> (null = every user with rows).</summary>
    public Cdae(CdaeOptions options, Interactions train, IReadOnlyList<int>? fitUsers = null, Action<string>? log = null)
        : base(train, Checked(options).Device, options.Seed, log)
    {
        Options = options;
        if (options.UserNode && fitUsers is not null)
            log?.Invoke("CDAE with its user node has one parameter row per user and cannot fold in new users: it fits on every training row, held-out users' fold-in rows included");
        _fitUsers = MultAutoencoder.FitRows(train, options.UserNode ? null : fitUsers);
        if (_fitUsers.Length == 0) throw new ArgumentException("the training data have no user with interactions to fit on", nameof(train));
        _net = new Net(train.NumUsers, train.NumItems, options.Hidden, options.UserNode);
        _net.to(Device);
        _matrix = TorchData.Dense(train, Device, ratings: false).DetachFromDisposeScope();
        _optimizer = optim.Adam(_net.parameters(), options.LearningRate);
        var targets = new List<PerturbationTarget> { new("input", NumUsers, NumItems) };
        if (options.UserNode) targets.Add(new PerturbationTarget("user", NumUsers, options.Hidden));
        targets.Add(new PerturbationTarget("hidden", NumUsers, options.Hidden));
        PerturbationTargets = targets;
        _hiddenIndex = targets.Count - 1;
        UseAdversarialTraining(options);
    }

    /// <summary>The options the model was built with.</summary>
    public CdaeOptions Options { get; }

    /// <inheritdoc />
    public override IReadOnlyList<PerturbationTarget> PerturbationTargets { get; }

    /// <summary>The users whose rows the model trains on (ascending).</summary>
    public IReadOnlyList<int> FitUsers => _fitUsers;

    /// <inheritdoc />
    protected override nn.Module Network => _net;

    /// <inheritdoc />
    protected override string PersistedName => ModelName;

    /// <inheritdoc />
    protected override object PersistedOptions => Options;

    /// <inheritdoc />
    public override ILossSample DrawAttackSample(ulong seed) => new RowSample(_fitUsers);

    /// <inheritdoc />
    protected override EpochStats RunEpoch(int epoch, IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        var users = Shuffled(_fitUsers, epoch);
        int size = Options.BatchSize;
        int batches = (users.Length + size - 1) / size;
        var total = torch.zeros(1, dtype: ScalarType.Float64, device: Device); // read once per epoch: no host sync per batch
        for (int b = 0; b < batches; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            int start = b * size;
            var batch = Indices(users.AsSpan(start, Math.Min(size, users.Length - start)));
            var x = _matrix.index_select(0, batch);
            _optimizer.zero_grad();
            var input = Options.Corruption > 0 ? F.dropout(x, Options.Corruption, true) : x;
            Tensor? mask = null;
            if (Options.NegativeSamples > 0)
            {
                // each non-interacted item joins the loss with probability k·|O_u| / (I − |O_u|): k negatives per positive in expectation
                var degree = x.sum(1, keepdim: true);
                var p = (Options.NegativeSamples * degree / (NumItems - degree).clamp_min(1)).clamp_max(1);
                mask = x + (1 - x) * (torch.rand_like(x) < p).to(x.dtype);
            }
            var reg = Options.Regularization > 0 ? 0.5 * Options.Regularization * _net.SquaredWeights() : null;
            var loss = Backward(d => Reconstruction(Forward(input, batch, d), x, mask).sum() / x.shape[0], x.shape[0], reg);
            _optimizer.step();
            total.add_(loss);
            Report(progress, "epoch", b + 1, batches);
        }
        return new EpochStats(epoch, total.item<double>(), 0, batches, 0);
    }

    /// <inheritdoc />
    protected override Tensor ScoreUsers(Tensor users, IReadOnlyList<Tensor?>? delta) =>
        Forward(_matrix.index_select(0, users), users, RowsOf(delta, users));

    /// <inheritdoc />
    protected override double AttackLoss(ILossSample sample, IReadOnlyList<Tensor?> delta) =>
        SumInChunks(((RowSample)sample).Rows, AttackChunk, users =>
        {
            var x = _matrix.index_select(0, users);
            return Reconstruction(Forward(x, users, RowsOf(delta, users)), x, null).sum();
        });

    // the per-entry loss, masked to the sampled entries when negatives are sampled
    private Tensor Reconstruction(Tensor logits, Tensor x, Tensor? mask)
    {
        var loss = Options.Loss == CdaeLoss.Logistic
            ? F.binary_cross_entropy_with_logits(logits, x, reduction: nn.Reduction.None)
            : (torch.sigmoid(logits) - x).square();
        return mask is null ? loss : loss * mask;
    }

    // x: the (corrupted) input rows of `users`; Δ batch-shaped (RowsOf). Without an input Δ the encoder runs on the nonzero entries only.
    private Tensor Forward(Tensor x, Tensor users, IReadOnlyList<Tensor?>? delta)
    {
        var pre = delta?[0] is { } d0
            ? (x + d0).matmul(_net.Encoder.weight!) + _net.EncoderBias
            : SparseRows.Project(x, _net.Encoder, _net.EncoderBias);
        if (_net.UserNode is { } node)
        {
            var v = node.forward(users);
            if (delta?[1] is { } dv) v = v + dv;
            pre = pre + v;
        }
        var h = torch.sigmoid(pre);
        if (delta?[_hiddenIndex] is { } dh) h = h + dh;
        return _net.Decoder.forward(h);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _optimizer.Dispose();
            _matrix.Dispose();
        }
        base.Dispose(disposing);
    }

    private static CdaeOptions Checked(CdaeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    private sealed class Net : nn.Module
    {
        public readonly EmbeddingBag Encoder;
        public readonly Parameter EncoderBias;
        public readonly Linear Decoder;
        public readonly Embedding? UserNode;

        public Net(int users, int items, int hidden, bool userNode) : base("cdae")
        {
            Encoder = SparseRows.Layer(items, hidden);
            EncoderBias = nn.Parameter(torch.zeros(hidden));
            Decoder = nn.Linear(hidden, items);
            if (userNode) UserNode = nn.Embedding(users, hidden);
            RegisterComponents();
            using var noGrad = torch.no_grad();
            nn.init.xavier_uniform_(Encoder.weight!);
            nn.init.xavier_uniform_(Decoder.weight!);
            nn.init.zeros_(Decoder.bias!);
            if (UserNode is not null) nn.init.normal_(UserNode.weight!, 0, 0.01);
        }

        public Tensor SquaredWeights()
        {
            var sum = Encoder.weight!.square().sum() + Decoder.weight!.square().sum();
            return UserNode is null ? sum : sum + UserNode.weight!.square().sum();
        }
    }
}
