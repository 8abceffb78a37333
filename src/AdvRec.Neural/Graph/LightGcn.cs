using AdvRec.Data;
using AdvRec.Kernels;
using AdvRec.Models;
using AdvRec.Models.Factorization;
using TorchSharp;
using static TorchSharp.torch;

namespace AdvRec.Neural.Graph;

/// <summary>
/// Hyperparameters of <see cref="LightGcn"/>. Defaults are the paper's (He et al., SIGIR 2020, and its PyTorch code):
/// 64 factors, 3 layers, Adam lr 1e-3, L2 1e-4, batch 2048.
/// </summary>
public sealed record LightGcnOptions : IDeviceOptions, ISeededOptions
{
    /// <summary>Embedding size (paper: 64).</summary>
    [ConfigAlias("latent_dim")]
    public int Factors { get; init; } = 64;

    /// <summary>Propagation layers K (paper: 3).</summary>
    [ConfigAlias("n_layers")]
    public int Layers { get; init; } = 3;

    /// <summary>Weights α_0 .. α_K of the layer outputs in the final embedding; null = the paper's mean, 1/(K+1) each.</summary>
    public float[]? LayerWeights { get; init; }

    /// <summary>Adam learning rate (paper: 0.001).</summary>
    [ConfigAlias("lr")]
    public float LearningRate { get; init; } = 0.001f;

    /// <summary>L2 weight on the batch's layer-0 embeddings, <c>reg · ½(‖e_u‖² + ‖e_i‖² + ‖e_j‖²) / batch</c> (paper: 1e-4).</summary>
    [ConfigAlias("l_w")]
    public float Regularization { get; init; } = 1e-4f;

    /// <summary>BPR triples per mini-batch (paper: 2048).</summary>
    public int BatchSize { get; init; } = 2048;

    /// <summary>Standard deviation of the normal initialisation of the layer-0 embeddings (the PyTorch code: 0.1).</summary>
    public float InitStd { get; init; } = 0.1f;

    /// <summary>Propagation engine: auto (managed kernel on the CPU, TorchSharp on CUDA), managed or torch.</summary>
    public GraphEngine Engine { get; init; } = GraphEngine.Auto;

    /// <summary>Device: cpu, cuda, cuda:N or auto.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Seed of every random choice: initialisation, epoch order, negatives.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>The layer weights in use (the mean when <see cref="LayerWeights"/> is null).</summary>
    public float[] EffectiveLayerWeights => LayerWeights ?? Enumerable.Repeat(1f / (Layers + 1), Layers + 1).ToArray();

    /// <summary>Checks every value and names the first one that is out of range.</summary>
    public void Validate()
    {
        if (Factors < 1) throw new ArgumentOutOfRangeException(nameof(Factors), Factors, "factors must be >= 1");
        if (Layers < 0) throw new ArgumentOutOfRangeException(nameof(Layers), Layers, "layers must be >= 0");
        if (LayerWeights is { } w && (w.Length != Layers + 1 || w.Any(x => !float.IsFinite(x))))
            throw new ArgumentOutOfRangeException(nameof(LayerWeights), $"[{string.Join(", ", w)}]", $"layer_weights must be {Layers + 1} finite numbers (one per layer output, layer 0 included)");
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be > 0");
        if (!(Regularization >= 0) || !float.IsFinite(Regularization)) throw new ArgumentOutOfRangeException(nameof(Regularization), Regularization, "regularization must be >= 0");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be >= 1");
        if (!(InitStd >= 0) || !float.IsFinite(InitStd)) throw new ArgumentOutOfRangeException(nameof(InitStd), InitStd, "init std must be >= 0");
        if (!TorchDevices.IsValidName(Device)) throw new ArgumentOutOfRangeException(nameof(Device), Device, $"device must be {TorchDevices.Choices}");
    }
}

/// <summary>
/// LightGCN (He et al., SIGIR 2020): layer-0 user and item embeddings propagated K times over the symmetric
/// normalised user-item graph without weights or non-linearities; the final embedding is the weighted sum of the
/// layer outputs, the score <c>e_u · e_i</c>. Trained with the BPR loss (every training pair once per epoch in a
/// seeded order, one uniform negative each), L2 on the batch's layer-0 rows, and Adam; each batch propagates the
/// whole graph forward and backward. Perturbable targets: the layer-0 user and item embeddings, so perturbations
/// propagate through the graph. Scoring uses the propagated embeddings, computed once per parameter state.
/// </summary>
public class LightGcn : NeuralModel
{
    /// <summary>The model's name, as in configs and outputs.</summary>
    public const string ModelName = "LightGCN";

    private readonly Net _net;
    private readonly optim.Optimizer _optimizer;
    private readonly GraphPropagation _propagation;
    private readonly NormalizedAdjacency _graph;
    private readonly int _f;
    private readonly ulong[] _pairs;
    private Tensor? _final;
    private readonly string _name;
    private IReadOnlyList<Tensor?>? _perturbedKey;
    private Tensor? _perturbedFinal;

    /// <summary>A new model for <paramref name="train"/>, initialised from <see cref="LightGcnOptions.Seed"/>.</summary>
    public LightGcn(LightGcnOptions options, Interactions train, Action<string>? log = null)
        : this(options, train, log, ModelName)
    {
    }

    /// <summary>For LightGCN variants: the same model under another name.</summary>
    protected LightGcn(LightGcnOptions options, Interactions train, Action<string>? log, string name)
        : base(Checked(options, train, name), (options ?? throw new ArgumentNullException(nameof(options))).Device, options.Seed, log)
    {
        Options = options;
        _name = name;
        _f = options.Factors;
        _graph = new NormalizedAdjacency(train);
        var engine = options.Engine == GraphEngine.Auto ? (Device.type == DeviceType.CPU ? GraphEngine.Managed : GraphEngine.Torch) : options.Engine;
        _propagation = new GraphPropagation(_graph, options.EffectiveLayerWeights, engine, Device);
        log?.Invoke($"{name}: {options.Layers} layers, {_graph.NonZeros:N0} adjacency non-zeros, engine {engine.ToString().ToLowerInvariant()}");
        _net = new Net(NumUsers + NumItems, _f, options.InitStd);
        _net.to(Device);
        _optimizer = optim.Adam(_net.parameters(), options.LearningRate);
        _pairs = TripleSampler.PackPairs(train);
        PerturbationTargets = [new PerturbationTarget(BprMf.UserEmbeddings, NumUsers, _f), new PerturbationTarget(BprMf.ItemEmbeddings, NumItems, _f)];
    }

    private static Interactions Checked(LightGcnOptions options, Interactions train, string name)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        options.Validate();
        if (train.Count == 0) throw new ArgumentException($"{name}: the training data has no interactions", nameof(train));
        return train;
    }

    /// <summary>The hyperparameters.</summary>
    public LightGcnOptions Options { get; }

    /// <summary>The propagation engine in use (managed or torch).</summary>
    public GraphEngine Engine => _propagation.Engine;

    /// <inheritdoc />
    public override IReadOnlyList<PerturbationTarget> PerturbationTargets { get; }

    /// <inheritdoc />
    protected override nn.Module Network => _net;

    /// <inheritdoc />
    protected override string PersistedName => _name;

    /// <inheritdoc />
    protected override object PersistedOptions => Options;

    /// <summary>The adversarial step of the next epoch (ε, λ), or null for a plain epoch; LightGCN-APR overrides it.</summary>
    protected virtual AdversarialStep? NextAdversarialStep => null;

    /// <inheritdoc />
    public override bool NextEpochIsAdversarial => NextAdversarialStep is not null;

    /// <summary>The name shown in progress reports.</summary>
    protected virtual string Name => ModelName;

    /// <inheritdoc />
    protected override EpochStats RunEpoch(int epoch, IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        using var threads = TorchThreadsForEngine();
        var adversarial = NextAdversarialStep;
        var order = Shuffled(Enumerable.Range(0, _pairs.Length).ToArray(), epoch);
        var rng = Xoshiro.Derive(Seed, 2, (ulong)epoch);
        int batch = Options.BatchSize, batches = (order.Length + batch - 1) / batch;
        var u = new long[batch];
        var i = new long[batch];
        var j = new long[batch];
        double total = 0, totalAdv = 0;
        long steps = 0;
        string task = adversarial is null ? $"{Name} epoch {epoch + 1}" : $"{Name} APR epoch {epoch + 1}";
        for (int b = 0; b < batches; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int start = b * batch, m = 0;
            for (int t = start; t < Math.Min(order.Length, start + batch); t++)
            {
                ulong pair = _pairs[order[t]];
                int user = (int)(pair >> 32);
                int negative = TripleSampler.SampleNegative(Train, user, ref rng);
                if (negative < 0) continue;
                u[m] = user;
                i[m] = NumUsers + (int)(uint)pair;
                j[m] = NumUsers + negative;
                m++;
            }
            if (m == 0) continue;
            using var scope = torch.NewDisposeScope();
            var users = torch.tensor(u.AsSpan(0, m).ToArray(), device: Device);
            var positives = torch.tensor(i.AsSpan(0, m).ToArray(), device: Device);
            var negatives = torch.tensor(j.AsSpan(0, m).ToArray(), device: Device);
            var e0 = _net.Embeddings;
            var bpr = BprSum(_propagation.Propagate(e0), users, positives, negatives) / m;
            var reg = (e0.index_select(0, users).square().sum() + e0.index_select(0, positives).square().sum() + e0.index_select(0, negatives).square().sum()) * (0.5 / m);
            var loss = bpr + reg * Options.Regularization;
            if (adversarial is not null)
            {
                // FGSM on the layer-0 embeddings: the batch's BPR gradient, per-row L2-normalised to ε; MSAP with more steps:
                // steps of that size along the gradient at e0 + Δ, each projected back into the ε ball
                var g = torch.autograd.grad([bpr], [e0], retain_graph: true)[0];
                var delta = Normalized(g, adversarial.Steps == 1 ? adversarial.Epsilon : adversarial.EffectiveStepSize);
                for (int k = 1; k < adversarial.Steps; k++)
                {
                    delta = ProjectRows(delta, adversarial.Epsilon).detach().requires_grad_(true);
                    var at = BprSum(_propagation.Propagate(e0.detach() + delta), users, positives, negatives) / m;
                    delta = delta.detach() + Normalized(torch.autograd.grad([at], [delta])[0], adversarial.EffectiveStepSize);
                }
                if (adversarial.Steps > 1) delta = ProjectRows(delta, adversarial.Epsilon);
                var advBpr = BprSum(_propagation.Propagate(e0 + delta.detach()), users, positives, negatives) / m;
                loss = loss + advBpr * adversarial.Lambda;
                totalAdv += advBpr.item<float>() * m;
            }
            _optimizer.zero_grad();
            loss.backward();
            _optimizer.step();
            total += bpr.item<float>() * m;
            steps += m;
            if (b % 16 == 0) Report(progress, task, b + 1, batches);
        }
        Report(progress, task, batches, batches);
        return new EpochStats(epoch, total, totalAdv, steps, 0);
    }

    // With the managed engine the small libtorch operations of a batch run on one thread: libtorch's OpenMP workers
    // spin after each operation and took the cores from the managed kernel's threads (measured on the 2-core
    // machine: an epoch ran about 8 times slower). libtorch's thread count is per process: it is restored after.
    private ThreadSetting? TorchThreadsForEngine() => Engine == GraphEngine.Managed ? new ThreadSetting(1) : null;

    private sealed class ThreadSetting : IDisposable
    {
        private readonly int _previous = torch.get_num_threads();

        public ThreadSetting(int threads)
        {
            if (_previous != threads) torch.set_num_threads(threads);
        }

        public void Dispose()
        {
            if (torch.get_num_threads() != _previous) torch.set_num_threads(_previous);
        }
    }

    private static Tensor BprSum(Tensor final, Tensor users, Tensor positives, Tensor negatives)
    {
        var eu = final.index_select(0, users);
        var x = (eu * (final.index_select(0, positives) - final.index_select(0, negatives))).sum(1);
        return torch.nn.functional.softplus(-x).sum();
    }

    /// <inheritdoc />
    protected override void OnParametersChanged()
    {
        _final?.Dispose();
        _final = null;
        _perturbedFinal?.Dispose();
        _perturbedFinal = null;
        _perturbedKey = null;
    }

    /// <inheritdoc />
    protected override void OnPerturbationReleased(IReadOnlyList<Tensor?> delta)
    {
        if (!ReferenceEquals(delta, _perturbedKey)) return;
        _perturbedFinal?.Dispose();
        _perturbedFinal = null;
        _perturbedKey = null;
    }

    /// <inheritdoc />
    protected override Tensor ScoreUsers(Tensor users, IReadOnlyList<Tensor?>? delta)
    {
        Tensor final;
        if (delta is null || delta.All(d => d is null))
        {
            final = _final ??= _propagation.Propagate(_net.Embeddings.detach()).DetachFromDisposeScope();
        }
        else
        {
            if (!ReferenceEquals(delta, _perturbedKey) || _perturbedFinal is null)
            {
                _perturbedFinal?.Dispose();
                _perturbedFinal = _propagation.Propagate(Shifted(_net.Embeddings.detach(), delta)).DetachFromDisposeScope();
                _perturbedKey = delta;
            }
            final = _perturbedFinal;
        }
        var items = final.narrow(0, NumUsers, NumItems);
        return final.index_select(0, users).matmul(items.t());
    }

    // e0 + [Δ_users; Δ_items] (a missing table counts as zero)
    private Tensor Shifted(Tensor e0, IReadOnlyList<Tensor?> delta)
    {
        if (delta[0] is null && delta[1] is null) return e0;
        var du = delta[0] ?? torch.zeros(NumUsers, _f, device: Device);
        var di = delta[1] ?? torch.zeros(NumItems, _f, device: Device);
        return e0 + torch.cat([du, di], 0);
    }

    /// <inheritdoc />
    public override ILossSample DrawAttackSample(ulong seed)
    {
        int n = _pairs.Length;
        var users = new List<int>(n);
        var pos = new List<int>(n);
        var neg = new List<int>(n);
        var rng = Xoshiro.Derive(seed, 0xA77AC);
        foreach (ulong pair in _pairs)
        {
            int user = (int)(pair >> 32);
            int j = TripleSampler.SampleNegative(Train, user, ref rng);
            if (j < 0) continue; // a user with every item has no negative
            users.Add(user);
            pos.Add((int)(uint)pair);
            neg.Add(j);
        }
        return new TripleSample([.. users], [.. pos], [.. neg]);
    }

    /// <inheritdoc />
    protected override double AttackLoss(ILossSample sample, IReadOnlyList<Tensor?> delta)
    {
        if (sample is not TripleSample triples) throw new ArgumentException($"{Name} takes a {nameof(TripleSample)}", nameof(sample));
        using var threads = TorchThreadsForEngine();
        using var scope = torch.NewDisposeScope();
        var final = _propagation.Propagate(Shifted(_net.Embeddings, delta));
        // the loss over all triples in chunks, each differentiated with respect to the propagated embeddings,
        // then one backward through the propagation
        var leaf = final.detach().requires_grad_(true);
        double total = 0;
        const int Chunk = 1 << 16;
        for (int start = 0; start < triples.Count; start += Chunk)
        {
            using var chunkScope = torch.NewDisposeScope();
            int m = Math.Min(Chunk, triples.Count - start);
            var users = Indices(triples.Users.AsSpan(start, m));
            var positives = Indices(triples.Positives.AsSpan(start, m)) + NumUsers;
            var negatives = Indices(triples.Negatives.AsSpan(start, m)) + NumUsers;
            var loss = BprSum(leaf, users, positives, negatives);
            loss.backward();
            total += loss.item<float>();
        }
        if (final.requires_grad && leaf.grad is { } g) final.backward([g]);
        return total;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            OnParametersChanged();
            _optimizer.Dispose();
            _propagation.Dispose();
        }
        base.Dispose(disposing);
    }

    private sealed class Net : nn.Module
    {
        // the layer-0 embeddings of the users (first rows) and the items
        public readonly TorchSharp.Modules.Parameter Embeddings;

        public Net(int nodes, int factors, float std) : base("lightgcn")
        {
            using (torch.no_grad())
            {
                Embeddings = new TorchSharp.Modules.Parameter(torch.randn(nodes, factors) * std);
            }
            RegisterComponents();
        }
    }
}
