using AdvRec.Data;
using AdvRec.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AdvRec.Neural.Autoencoders;

/// <summary>
/// Hyperparameters of <see cref="Acae"/>: CDAE's network (hidden units, user node, sigmoid layers, the logistic loss,
/// Adam) and the adversarial training of the paper. Where the papers give no value, the defaults are AdvRec's choices
/// (docs/models.md): half the epochs pre-train, ε 0.5, λ 1, and a network setting that learns more than popularity on
/// ML-1M (200 hidden units, learning rate 0.01, γ 1e-4, corruption 0.2; CDAE's paper defaults do not).
/// </summary>
public sealed record AcaeOptions : AdversarialTrainingOptions, IDeviceOptions, ISeededOptions
{
    /// <summary>The paper's single adversarial term: the perturbations of every target enter one loss.</summary>
    public AcaeOptions() => JointPerturbation = true;

    /// <summary>Hidden units (CDAE's paper: 50; 200 here).</summary>
    [ConfigAlias("hidden_neuron")]
    public int Hidden { get; init; } = 200;

    /// <summary>Random input corruption as in CDAE (its paper: 0.2).</summary>
    [ConfigAlias("corruption_ratio")]
    public float Corruption { get; init; } = 0.2f;

    /// <summary>
    /// false: ACAE (the long paper), one budget ε on the hidden layer; true: FG-ACAE (the short paper), perturbations
    /// on the user embedding, the item embeddings (encoder weights), the hidden layer and the two noise vectors
    /// concatenated to the encoder's and the hidden layer's features, each of budget α_i·ε (<c>eps_scale</c>).
    /// </summary>
    public bool FineGrained { get; init; }

    /// <summary>Adam's learning rate (CDAE in AdvRec: 1e-3; 0.01 here).</summary>
    [ConfigAlias("lr")]
    public float LearningRate { get; init; } = 1e-2f;

    /// <summary>γ of the paper's γ·L2 term: the loss adds γ/2 · (‖W‖² + ‖W'‖² + ‖V‖²) per batch, as CDAE.</summary>
    [ConfigAlias("reg")]
    public float Regularization { get; init; } = 1e-4f;

    /// <summary>Users per batch.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Where the model runs: cpu, cuda, cuda:N or auto.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Seed of every random choice.</summary>
    public ulong Seed { get; init; } = 42;

    /// <inheritdoc />
    protected override int DefaultAdversarialEpochs => Epochs / 2;

    /// <summary>Checks every value and names the first one that is out of range.</summary>
    public void Validate()
    {
        if (Hidden < 1) throw new ArgumentOutOfRangeException(nameof(Hidden), Hidden, "hidden must be >= 1");
        if (!(Corruption is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(Corruption), Corruption, "corruption must be in [0, 1)");
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be > 0");
        if (!(Regularization >= 0) || !float.IsFinite(Regularization)) throw new ArgumentOutOfRangeException(nameof(Regularization), Regularization, "regularization must be >= 0");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be >= 1");
        if (!TorchDevices.IsValidName(Device)) throw new ArgumentException($"device '{Device}': expected {TorchDevices.Choices}", nameof(Device));
        ValidateAdversarial();
    }
}

/// <summary>
/// ACAE and FG-ACAE (Yuan, Yao and Benatallah: "Adversarial Collaborative Auto-encoder for Top-N Recommendation",
/// IJCNN 2019, and "Adversarial Collaborative Neural Network for Robust Recommendation", SIGIR 2019): a collaborative
/// auto-encoder with a user node, <c>h = sigmoid(W x + V_u + b)</c> and <c>ŷ = sigmoid(W' h + b')</c>, pre-trained
/// with the cross-entropy loss and then trained adversarially: each batch minimises
/// <c>L(θ) + λ · L(θ, N) + γ/2 · ‖θ‖²</c>, N the FGSM perturbations of the batch's own loss (see
/// <see cref="AdversarialTrainingOptions"/>). ACAE perturbs the hidden layer with one budget; FG-ACAE perturbs the
/// user embedding, the item embeddings (W), the hidden layer and two noise vectors, which are concatenated to the
/// encoder's output and to the hidden layer and mixed back through a fully connected layer each, every one with its
/// own budget α_i·ε. Perturbable targets: <c>input</c>, <c>user</c>, <c>item</c> (W, a whole table), <c>hidden</c>,
/// and with FG-ACAE <c>mix_encoder</c> and <c>mix_hidden</c>.
/// </summary>
public sealed class Acae : NeuralModel
{
    /// <summary>The long paper's name, as in configs and outputs.</summary>
    public const string ModelName = "ACAE";

    /// <summary>The short paper's fine-grained variant (<see cref="AcaeOptions.FineGrained"/> true).</summary>
    public const string FineGrainedModelName = "FG-ACAE";

    private const int Input = 0, User = 1, Item = 2, Hidden = 3, MixEncoder = 4, MixHidden = 5;
    private const int AttackChunk = 1024;
    private readonly Net _net;
    private readonly optim.Optimizer _optimizer;
    private readonly Tensor _matrix;
    private readonly int[] _fitUsers;

    /// <summary>Builds the model on <paramref name="train"/> (every user with training rows is fitted: the user node has one row per user).</summary>
    public Acae(AcaeOptions options, Interactions train, Action<string>? log = null)
        : base(train, Checked(options).Device, options.Seed, log)
    {
        Options = options;
        _fitUsers = MultAutoencoder.FitRows(train, null);
        if (_fitUsers.Length == 0) throw new ArgumentException("the training data have no user with interactions to fit on", nameof(train));
        int h = options.Hidden;
        _net = new Net(train.NumUsers, train.NumItems, h, options.FineGrained);
        _net.to(Device);
        _matrix = TorchData.Dense(train, Device, ratings: false).DetachFromDisposeScope();
        _optimizer = optim.Adam(_net.parameters(), options.LearningRate);
        List<PerturbationTarget> targets = [new("input", NumUsers, NumItems), new("user", NumUsers, h), new("item", NumItems, h), new("hidden", NumUsers, h)];
        if (options.FineGrained) targets.AddRange([new("mix_encoder", NumUsers, h), new("mix_hidden", NumUsers, h)]);
        PerturbationTargets = targets;
        var perturbed = options.AdversarialTargets
            ?? (options.FineGrained ? new Dictionary<string, float> { ["user"] = 1, ["item"] = 1, ["hidden"] = 1, ["mix_encoder"] = 1, ["mix_hidden"] = 1 }
                : new Dictionary<string, float> { ["hidden"] = 1 });
        UseAdversarialTraining(options with { AdversarialTargets = perturbed });
        log?.Invoke($"{Name}: {h} hidden units; adversarial in the last {options.EffectiveAdversarialEpochs} of {options.Epochs} epochs on {string.Join(", ", perturbed.Keys)}, eps {options.Epsilon}, l_adv {options.AdversarialWeight}");
    }

    /// <summary>The options the model was built with.</summary>
    public AcaeOptions Options { get; }

    /// <summary>ACAE or FG-ACAE.</summary>
    public string Name => Options.FineGrained ? FineGrainedModelName : ModelName;

    /// <inheritdoc />
    public override IReadOnlyList<PerturbationTarget> PerturbationTargets { get; }

    /// <inheritdoc />
    protected override nn.Module Network => _net;

    /// <inheritdoc />
    protected override string PersistedName => Name;

    /// <inheritdoc />
    protected override object PersistedOptions => Options;

    /// <inheritdoc />
    public override ILossSample DrawAttackSample(ulong seed) => new RowSample(_fitUsers);

    /// <inheritdoc />
    protected override bool PerturbsRows(int target) => target != Item;

    /// <inheritdoc />
    protected override EpochStats RunEpoch(int epoch, IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        var users = Shuffled(_fitUsers, epoch);
        int size = Options.BatchSize;
        int batches = (users.Length + size - 1) / size;
        var total = torch.zeros(1, dtype: ScalarType.Float64, device: Device);
        string task = NextEpochIsAdversarial ? $"{Name} adversarial epoch {epoch + 1}" : $"{Name} epoch {epoch + 1}";
        for (int b = 0; b < batches; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            int start = b * size;
            var batch = Indices(users.AsSpan(start, Math.Min(size, users.Length - start)));
            var x = _matrix.index_select(0, batch);
            var input = Options.Corruption > 0 ? F.dropout(x, Options.Corruption, true) : x;
            _optimizer.zero_grad();
            var reg = Options.Regularization > 0 ? 0.5 * Options.Regularization * _net.SquaredWeights() : null;
            var loss = Backward(d => Loss(Forward(input, batch, d), x).sum() / x.shape[0], x.shape[0], reg);
            _optimizer.step();
            total.add_(loss);
            Report(progress, task, b + 1, batches);
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
            return Loss(Forward(x, users, RowsOf(delta, users)), x).sum();
        });

    // the cross-entropy of the sigmoid output against the 0/1 row, per entry
    private static Tensor Loss(Tensor logits, Tensor x) => F.binary_cross_entropy_with_logits(logits, x, reduction: nn.Reduction.None);

    // x: the (corrupted) input rows of `users`; Δ batch-shaped for row targets, the whole table for `item`
    private Tensor Forward(Tensor x, Tensor users, IReadOnlyList<Tensor?>? delta)
    {
        Tensor e;
        if (delta?[Input] is not null || delta?[Item] is not null)
        {
            var input = delta?[Input] is { } dx ? x + dx : x;
            var w = delta?[Item] is { } dw ? _net.Encoder.weight! + dw : _net.Encoder.weight!;
            e = input.matmul(w) + _net.EncoderBias;
        }
        else
        {
            e = SparseRows.Project(x, _net.Encoder, _net.EncoderBias);
        }
        var v = _net.UserNode.forward(users);
        if (delta?[User] is { } du) v = v + du;
        e = e + v;
        if (_net.MixEncoderLayer is { } mixE) e = Mix(mixE, e, delta?[MixEncoder]); // the mixing layers and their targets exist with FG-ACAE only
        var h = torch.sigmoid(e);
        if (delta?[Hidden] is { } dh) h = h + dh;
        if (_net.MixHiddenLayer is { } mixH) h = Mix(mixH, h, delta?[MixHidden]);
        return _net.Decoder.forward(h);
    }

    // the noise concatenation: [features; noise] through a fully connected layer (noise 0 on the clean pass)
    private static Tensor Mix(Linear layer, Tensor features, Tensor? noise) => layer.forward(torch.cat([features, noise ?? torch.zeros_like(features)], 1));

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

    private static AcaeOptions Checked(AcaeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    private sealed class Net : nn.Module
    {
        public readonly EmbeddingBag Encoder;
        public readonly Parameter EncoderBias;
        public readonly Embedding UserNode;
        public readonly Linear? MixEncoderLayer;
        public readonly Linear? MixHiddenLayer;
        public readonly Linear Decoder;

        public Net(int users, int items, int hidden, bool fineGrained) : base("acae")
        {
            Encoder = SparseRows.Layer(items, hidden);
            EncoderBias = nn.Parameter(torch.zeros(hidden));
            UserNode = nn.Embedding(users, hidden);
            if (fineGrained)
            {
                MixEncoderLayer = nn.Linear(2 * hidden, hidden);
                MixHiddenLayer = nn.Linear(2 * hidden, hidden);
            }
            Decoder = nn.Linear(hidden, items);
            RegisterComponents();
            using var noGrad = torch.no_grad();
            nn.init.xavier_uniform_(Encoder.weight!);
            nn.init.xavier_uniform_(Decoder.weight!);
            nn.init.zeros_(Decoder.bias!);
            nn.init.normal_(UserNode.weight!, 0, 0.01);
            foreach (var mix in new[] { MixEncoderLayer, MixHiddenLayer }.OfType<Linear>())
            {
                // the feature block starts as the identity (FG-ACAE starts as ACAE), the noise block as Glorot-uniform
                nn.init.xavier_uniform_(mix.weight!);
                mix.weight!.narrow(1, 0, hidden).copy_(torch.eye(hidden));
                nn.init.zeros_(mix.bias!);
            }
        }

        // CDAE's weights (the mixing layers, which start at the identity, are left out)
        public Tensor SquaredWeights() => Encoder.weight!.square().sum() + Decoder.weight!.square().sum() + UserNode.weight!.square().sum();
    }
}
