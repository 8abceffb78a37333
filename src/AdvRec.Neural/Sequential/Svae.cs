using System.Globalization;
using AdvRec.Data;
using AdvRec.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AdvRec.Neural.Sequential;

/// <summary>
/// Hyperparameters of <see cref="Svae"/>. Defaults follow the official notebook (<c>noveens/svae_cf</c>, PROTOCOLS and
/// published.md §7): embedding 256, GRU 200, hidden 150, latent 64, next-k with k = 4, Adam at PyTorch's default
/// learning rate 1e-3 with weight decay 5e-3, KL weight min(0.2, batches / 200,000), batch 1.
/// </summary>
public sealed record SvaeOptions : IDeviceOptions, ISeededOptions
{
    /// <summary>Item embedding size (notebook: 256).</summary>
    public int EmbeddingSize { get; init; } = 256;

    /// <summary>GRU state size (notebook: 200).</summary>
    public int GruSize { get; init; } = 200;

    /// <summary>Size of the tanh layers around the latent code, in the encoder and the decoder (notebook: 150).</summary>
    public int HiddenSize { get; init; } = 150;

    /// <summary>Latent size (notebook: 64).</summary>
    public int LatentSize { get; init; } = 64;

    /// <summary>How many next items each step predicts (notebook's next_k loss: 4).</summary>
    public int NextK { get; init; } = 4;

    /// <summary>Longest history used: only the last this many items of a user count (the notebook keeps users with at most 1000; 200 here bounds the memory).</summary>
    public int MaxLength { get; init; } = 200;

    /// <summary>
    /// Adam's learning rate: 1e-3, PyTorch's default, which is what the authors' code trains with. Their notebook lists
    /// <c>learning_rate: 0.01</c> but marks it "required only if optimizer is adagrad" and builds Adam without it
    /// (<c>torch.optim.Adam(model.parameters(), weight_decay=...)</c>, the <c>lr</c> argument commented out).
    /// </summary>
    [ConfigAlias("lr")]
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Adam's weight decay, an L2 term added to the gradient (notebook: 5e-3, with the loss scaled as the notebook scales it; see <see cref="Svae"/>).</summary>
    public double WeightDecay { get; init; } = 5e-3;

    /// <summary>Users per batch (notebook: 1, because it cannot pad); histories are padded to the batch's longest and the loss is the batch's mean per user, so the weight decay keeps its strength at any batch size.</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>The KL weight's cap (notebook: 0.2).</summary>
    public double AnnealCap { get; init; } = 0.2;

    /// <summary>
    /// The KL weight's slope: before batch n it is min(<see cref="AnnealCap"/>, n / this), as in the notebook (and in
    /// Liang et al.'s Mult-VAE code), so with the defaults it reaches the cap 0.2 after 40,000 batches, not 200,000.
    /// The count runs over the whole training; the notebook's restarts every epoch (its counter is local to its
    /// <c>train()</c>), which on ML-1M keeps its weight below 0.023.
    /// </summary>
    public int TotalAnnealSteps { get; init; } = 200_000;

    /// <summary>Where the model runs: cpu, cuda, cuda:N or auto.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Seed of the initialisation, the batch order and the sampling of the latent code.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Checks every value and names the first one that is out of range.</summary>
    public void Validate()
    {
        foreach (var (name, value) in new[] { (nameof(EmbeddingSize), EmbeddingSize), (nameof(GruSize), GruSize), (nameof(HiddenSize), HiddenSize),
            (nameof(LatentSize), LatentSize), (nameof(NextK), NextK), (nameof(MaxLength), MaxLength), (nameof(BatchSize), BatchSize), (nameof(TotalAnnealSteps), TotalAnnealSteps) })
        {
            if (value < 1) throw new ArgumentOutOfRangeException(name, value, $"{name} must be >= 1");
        }
        if (MaxLength < 2) throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, "max length must be >= 2 (a step and a next item)");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be > 0");
        if (!(WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "weight decay must be >= 0");
        if (!(AnnealCap >= 0)) throw new ArgumentOutOfRangeException(nameof(AnnealCap), AnnealCap, "anneal cap must be >= 0");
        if (!TorchDevices.IsValidName(Device)) throw new ArgumentOutOfRangeException(nameof(Device), Device, $"device must be {TorchDevices.Choices}");
    }
}

/// <summary>
/// SVAE (Sachdeva, Manco, Ritacco, Pudi, WSDM 2019, "Sequential Variational Autoencoders for Collaborative
/// Filtering"): a GRU over each user's training history in time order (item embeddings → GRU → tanh layer → μ, log σ²
/// → sampled code → tanh layer → item logits at every step), trained on the next-k loss (a multinomial over the next
/// k items of each step) plus an annealed KL term, scaled as the authors' loss is: the likelihood summed over the
/// steps and divided by k and by the users of the batch, plus β times the KL term averaged over the steps. A user's
/// scores are the logits of the last step of their history.
/// Needs timestamps: data without them is refused before training. With fit users (strong generalisation) it trains on
/// those users' histories only and scores any other user from their own history, as the notebook scores its held-out
/// users from their fold-in items. Perturbable targets: <c>item_embeddings</c> (the GRU's input, items × embedding) and
/// <c>latent</c> (the code z of every step of a user, users × latent).
/// </summary>
public sealed class Svae : NeuralModel
{
    /// <summary>The model's name, as in configs and outputs.</summary>
    public const string ModelName = "SVAE";

    /// <summary>Name of the item embedding target.</summary>
    public const string ItemEmbeddings = "item_embeddings";

    /// <summary>Name of the latent code target.</summary>
    public const string Latent = "latent";

    private readonly SvaeOptions _options;
    private readonly Net _net;
    private readonly optim.Optimizer _optimizer;
    private readonly int[][] _histories;
    private readonly int[] _fitUsers;
    private long _step;

    /// <summary>
    /// A model for <paramref name="train"/>; <paramref name="dataName"/> names the data in errors. It trains on the
    /// histories of <paramref name="fitUsers"/> (all users when null) that have a next item (two or more rows).
    /// </summary>
    /// <exception cref="InvalidOperationException">The training data has no timestamps.</exception>
    public Svae(SvaeOptions options, Interactions train, Action<string>? log = null, string? dataName = null, IReadOnlyList<int>? fitUsers = null)
        : base(Checked(options, train, dataName), options.Device, options.Seed, log)
    {
        _options = options;
        _net = new Net(NumItems, options);
        _net.to(Device);
        _optimizer = optim.Adam(_net.parameters(), options.LearningRate, weight_decay: options.WeightDecay);
        _histories = new int[NumUsers][];
        for (int u = 0; u < NumUsers; u++)
        {
            var items = train.ItemsOf(u).ToArray();
            var times = train.TimestampsOf(u).ToArray();
            Array.Sort(times, items); // time order; the order of equal timestamps is deterministic (the same input sorts the same way)
            _histories[u] = items.Length > options.MaxLength ? items[^options.MaxLength..] : items;
        }
        _fitUsers = (fitUsers ?? Enumerable.Range(0, NumUsers).ToArray()).Where(u => u >= 0 && u < NumUsers && _histories[u].Length >= 2).Distinct().Order().ToArray();
        PerturbationTargets = [new PerturbationTarget(ItemEmbeddings, NumItems, options.EmbeddingSize), new PerturbationTarget(Latent, NumUsers, options.LatentSize)];
    }

    /// <inheritdoc />
    public override IReadOnlyList<PerturbationTarget> PerturbationTargets { get; }

    /// <summary>The users whose histories the model trains on (ascending).</summary>
    public IReadOnlyList<int> FitUsers => _fitUsers;

    /// <summary>The KL weight of the next batch: min(cap, batches trained / total_anneal_steps).</summary>
    public double Beta => Math.Min(_options.AnnealCap, (double)_step / _options.TotalAnnealSteps);

    /// <inheritdoc />
    protected override nn.Module Network => _net;

    /// <inheritdoc />
    protected override string PersistedName => ModelName;

    /// <inheritdoc />
    protected override object PersistedOptions => _options;

    private static Interactions Checked(SvaeOptions options, Interactions train, string? dataName)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        options.Validate();
        if (!train.HasTimestamps)
            throw new InvalidOperationException($"SVAE needs timestamps to put each user's history in time order, but {dataName ?? "the training data"} has none " +
                "(read a file with a timestamp column, such as MovieLens u.data or ratings.dat)");
        return train;
    }

    /// <inheritdoc />
    public override ILossSample DrawAttackSample(ulong seed) => new RowSample(_fitUsers);

    /// <inheritdoc />
    protected override EpochStats RunEpoch(int epoch, IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        var users = Shuffled(_fitUsers, epoch);
        double total = 0;
        int batches = (users.Length + _options.BatchSize - 1) / _options.BatchSize;
        for (int b = 0; b < batches; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var batch = users.AsSpan(b * _options.BatchSize, Math.Min(_options.BatchSize, users.Length - b * _options.BatchSize)).ToArray();
            _optimizer.zero_grad();
            var (nll, kl, steps) = Loss(batch, null, sample: true);
            var loss = Objective(nll, kl, batch.Length, steps, Beta);
            loss.backward();
            _optimizer.step();
            _step++;
            total += nll.item<float>();
            if (b % 64 == 0) Report(progress, "SVAE epoch", b, batches);
        }
        Report(progress, "SVAE epoch", batches, batches);
        return new EpochStats(epoch, total, 0, users.Length, 0);
    }

    // The padded batch: item ids [B, T] (padding: item 0, masked), the mask [B, T], and the next-k targets [B, T, items].
    private (Tensor Items, Tensor Mask, Tensor Targets, int[] Last) Batch(int[] users, bool targets)
    {
        int t = Math.Max(1, users.Max(u => _histories[u].Length));
        var ids = new long[users.Length * t];
        var mask = new float[users.Length * t];
        var next = targets ? new float[(long)users.Length * t * NumItems] : null;
        var last = new int[users.Length];
        for (int r = 0; r < users.Length; r++)
        {
            var h = _histories[users[r]];
            last[r] = Math.Max(0, h.Length - 1);
            for (int s = 0; s < h.Length; s++)
            {
                ids[r * t + s] = h[s];
                if (next is null || s == h.Length - 1) continue;
                mask[r * t + s] = 1;
                for (int k = s + 1; k <= Math.Min(h.Length - 1, s + _options.NextK); k++) next[((long)r * t + s) * NumItems + h[k]] = 1;
            }
        }
        return (torch.tensor(ids, [users.Length, t], device: Device), torch.tensor(mask, [users.Length, t], device: Device),
            next is null ? torch.empty(0) : torch.tensor(next, [users.Length, t, NumItems], device: Device), last);
    }

    // The head runs at every step, or with last (one step per row, [B]) only at those steps ([B, 1, items]).
    private (Tensor Logits, Tensor Mu, Tensor LogVar) Forward(Tensor items, Tensor users, IReadOnlyList<Tensor?>? delta, bool sample, Tensor? last = null)
    {
        var e = _net.Embedding.forward(items);
        if (delta?[0] is { } d0) e = e + d0.index_select(0, items.view(-1)).view(e.shape);
        var (h, _) = _net.Gru.forward(e);
        if (last is not null) h = h.gather(1, last.view(-1, 1, 1).expand(-1, 1, h.shape[2]));
        var enc = torch.tanh(_net.Encoder.forward(h));
        var mu = _net.Mu.forward(enc);
        var logVar = _net.LogVar.forward(enc);
        var z = sample ? mu + torch.randn_like(mu) * torch.exp(0.5 * logVar) : mu;
        if (delta?[1] is { } d1) z = z + d1.index_select(0, users).unsqueeze(1);
        var logits = _net.Output.forward(torch.tanh(_net.Decoder.forward(z)));
        return (logits, mu, logVar);
    }

    // The next-k multinomial negative log-likelihood summed over the valid steps, the KL term summed over the same
    // steps, and their number.
    private (Tensor Nll, Tensor Kl, int Steps) Loss(int[] users, IReadOnlyList<Tensor?>? delta, bool sample)
    {
        var (items, mask, targets, last) = Batch(users, targets: true);
        var (logits, mu, logVar) = Forward(items, Indices(users), delta, sample);
        var nll = -(torch.nn.functional.log_softmax(logits, -1) * targets).sum(-1);
        var kl = -0.5 * (1 + logVar - mu.pow(2) - logVar.exp()).sum(-1);
        return ((nll * mask).sum(), (kl * mask).sum(), last.Sum()); // a user with n items has n − 1 steps with a next item
    }

    // The authors' loss (VAELoss in noveens/svae_cf): the likelihood divided by the users and by k (the targets of a
    // step), plus beta times the KL term averaged over the steps. Its scale is what the weight decay acts against.
    private Tensor Objective(Tensor nll, Tensor kl, int users, int steps, double beta) =>
        nll / ((double)users * _options.NextK) + beta * kl / Math.Max(1, steps);

    /// <summary>The training objective of <paramref name="users"/> with z = μ and KL weight <paramref name="beta"/> (for tests).</summary>
    internal double ObjectiveOf(int[] users, double beta)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (nll, kl, steps) = Loss(users, null, sample: false);
        return Objective(nll, kl, users.Length, steps, beta).item<float>();
    }

    /// <inheritdoc />
    protected override Tensor ScoreUsers(Tensor users, IReadOnlyList<Tensor?>? delta)
    {
        var ids = users.data<long>().ToArray().Select(u => (int)u).ToArray();
        var (items, _, _, last) = Batch(ids, targets: false);
        var index = torch.tensor(last.Select(l => (long)l).ToArray(), device: Device);
        var (logits, _, _) = Forward(items, users, delta, sample: false, index);
        var scores = logits.squeeze(1);
        // a user without history gets no preference
        var empty = ids.Select(u => _histories[u].Length == 0 ? 0f : 1f).ToArray();
        return scores * torch.tensor(empty, device: Device).unsqueeze(1);
    }

    /// <inheritdoc />
    protected override double AttackLoss(ILossSample sample, IReadOnlyList<Tensor?> delta)
    {
        var rows = ((RowSample)sample).Rows;
        double total = 0;
        for (int start = 0; start < rows.Length; start += 64)
        {
            using var scope = torch.NewDisposeScope();
            var (nll, _, _) = Loss(rows.AsSpan(start, Math.Min(64, rows.Length - start)).ToArray(), delta, sample: false);
            nll.backward();
            total += nll.item<float>();
        }
        return total;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _optimizer.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>A one-line description for logs.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"SVAE {_options.EmbeddingSize}-GRU {_options.GruSize}-{_options.HiddenSize}-{_options.LatentSize}, next {_options.NextK}");

    private sealed class Net : nn.Module
    {
        public readonly TorchSharp.Modules.Embedding Embedding;
        public readonly TorchSharp.Modules.GRU Gru;
        public readonly TorchSharp.Modules.Linear Encoder, Mu, LogVar, Decoder, Output;

        public Net(int items, SvaeOptions o) : base("SVAE")
        {
            Embedding = nn.Embedding(items, o.EmbeddingSize);
            Gru = nn.GRU(o.EmbeddingSize, o.GruSize, batchFirst: true);
            Encoder = nn.Linear(o.GruSize, o.HiddenSize);
            Mu = nn.Linear(o.HiddenSize, o.LatentSize);
            LogVar = nn.Linear(o.HiddenSize, o.LatentSize);
            Decoder = nn.Linear(o.LatentSize, o.HiddenSize);
            Output = nn.Linear(o.HiddenSize, items);
            RegisterComponents();
        }
    }
}
