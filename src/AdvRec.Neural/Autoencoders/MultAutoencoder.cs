using AdvRec.Data;
using AdvRec.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AdvRec.Neural.Autoencoders;

/// <summary>
/// The network and training loop that <see cref="MultVae"/> and <see cref="MultDae"/> share (Liang et al., WWW 2018,
/// and the authors' notebook): the user's binary row, L2-normalised, dropout on it in training, tanh layers
/// [I → hidden → latent → hidden → I], a softmax over the items and the multinomial log-likelihood
/// <c>−Σ_i x_ui log softmax(f(x_u))_i</c> averaged over the batch, plus <c>lambda · Σ‖W‖²</c> (the notebook's
/// <c>2 · l2_regularizer(lam)</c>). The VAE's encoder gives a mean and a log-variance, samples the code in training
/// (the mean when scoring) and adds <c>beta · KL</c>, with beta annealed linearly over the update steps up to a cap.
/// Perturbable: <c>input</c> (the normalised input rows, users × items), <c>hidden</c> (the first hidden layer, after
/// tanh; absent without one) and, for the VAE, <c>latent_mean</c> (users × latent).
/// </summary>
public abstract class MultAutoencoder : NeuralModel
{
    private const int AttackChunk = 1024;
    private readonly Net _net;
    private readonly optim.Optimizer _optimizer;
    private readonly Tensor _matrix;
    private readonly int[] _fitUsers;
    private readonly bool _variational;
    private readonly int _batchSize;
    private readonly double _dropout;
    private readonly double _regularization;
    private readonly long _totalAnnealSteps;
    private readonly double _annealCap;
    private readonly int _hiddenIndex;
    private readonly int _latentIndex;
    private long _updates;

    /// <summary>Builds the network; <paramref name="fitUsers"/> (null = every user with training rows) are the rows it trains on.</summary>
    private protected MultAutoencoder(Interactions train, IReadOnlyList<int>? fitUsers, bool variational, int hidden, int latent, double dropout,
        double learningRate, int batchSize, double regularization, long totalAnnealSteps, double annealCap, string device, ulong seed, AdversarialTrainingOptions adversarial, Action<string>? log)
        : base(train, device, seed, log)
    {
        _variational = variational;
        _batchSize = batchSize;
        _dropout = dropout;
        _regularization = regularization;
        _totalAnnealSteps = totalAnnealSteps;
        _annealCap = annealCap;
        _fitUsers = FitRows(train, fitUsers);
        if (_fitUsers.Length == 0) throw new ArgumentException("the training data have no user with interactions to fit on", nameof(train));
        _net = new Net(train.NumItems, hidden, latent, variational);
        _net.to(Device);
        _matrix = TorchData.Dense(train, Device, ratings: false).DetachFromDisposeScope();
        _optimizer = optim.Adam(_net.parameters(), learningRate);
        var targets = new List<PerturbationTarget> { new("input", NumUsers, NumItems) };
        if (hidden > 0) targets.Add(new PerturbationTarget("hidden", NumUsers, hidden));
        if (variational) targets.Add(new PerturbationTarget("latent_mean", NumUsers, latent));
        PerturbationTargets = targets;
        _hiddenIndex = hidden > 0 ? 1 : -1;
        _latentIndex = variational ? targets.Count - 1 : -1;
        UseAdversarialTraining(adversarial);
    }

    /// <inheritdoc />
    public override IReadOnlyList<PerturbationTarget> PerturbationTargets { get; }

    /// <summary>The users whose rows the model trains on (ascending).</summary>
    public IReadOnlyList<int> FitUsers => _fitUsers;

    /// <summary>The KL weight of the next update (0 for the DAE): min(cap, updates / total_anneal_steps).</summary>
    public double Beta => !_variational ? 0 : _totalAnnealSteps <= 0 ? _annealCap : Math.Min(_annealCap, (double)_updates / _totalAnnealSteps);

    /// <inheritdoc />
    protected override nn.Module Network => _net;

    /// <inheritdoc />
    public override ILossSample DrawAttackSample(ulong seed) => new RowSample(_fitUsers);

    /// <summary>The users of <paramref name="train"/> with rows, restricted to <paramref name="fitUsers"/> when given.</summary>
    internal static int[] FitRows(Interactions train, IReadOnlyList<int>? fitUsers) =>
        (fitUsers ?? Enumerable.Range(0, train.NumUsers).ToArray()).Where(u => u >= 0 && u < train.NumUsers && train.DegreeOf(u) > 0).Order().ToArray();

    /// <inheritdoc />
    protected override EpochStats RunEpoch(int epoch, IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        var users = Shuffled(_fitUsers, epoch);
        var total = torch.zeros(1, dtype: ScalarType.Float64, device: Device); // read once per epoch: no host sync per batch
        int batches = (users.Length + _batchSize - 1) / _batchSize;
        var weights = _net.Weights();
        for (int b = 0; b < batches; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            int start = b * _batchSize;
            var batch = Indices(users.AsSpan(start, Math.Min(_batchSize, users.Length - start)));
            var x = _matrix.index_select(0, batch);
            _optimizer.zero_grad();
            var input = Normalized(x);
            if (_dropout > 0) input = F.dropout(input, _dropout, true);
            var noise = _variational ? torch.randn(x.shape[0], _net.Latent, device: Device) : null; // one draw for the clean and the adversarial passes
            double beta = Beta;
            Tensor? reg = null;
            if (_regularization > 0)
            {
                reg = weights[0].square().sum();
                for (int w = 1; w < weights.Count; w++) reg = reg + weights[w].square().sum();
                reg = _regularization * reg;
            }
            // adversarial epochs attack the reconstruction at the mean code (the attacks' loss), not the sampled ELBO:
            // against the sampled one the VAE learns robustness of its variance, which the attacks never see
            var loss = Backward(d =>
            {
                var (logits, mu, logVar) = Forward(input, d, noise);
                var l = NegLogLikelihood(logits, x).mean();
                return _variational ? l + beta * Kl(mu!, logVar!).mean() : l;
            }, x.shape[0], reg, d => NegLogLikelihood(Forward(input, d, null).Logits, x).mean());
            _optimizer.step();
            _updates++;
            total.add_(loss);
            Report(progress, "epoch", b + 1, batches);
        }
        return new EpochStats(epoch, total.item<double>(), 0, batches, 0);
    }

    /// <inheritdoc />
    protected override Tensor ScoreUsers(Tensor users, IReadOnlyList<Tensor?>? delta) =>
        Forward(Normalized(_matrix.index_select(0, users)), RowsOf(delta, users), null).Logits;

    /// <inheritdoc />
    protected override double AttackLoss(ILossSample sample, IReadOnlyList<Tensor?> delta) =>
        SumInChunks(((RowSample)sample).Rows, AttackChunk, users =>
        {
            var x = _matrix.index_select(0, users);
            return NegLogLikelihood(Forward(Normalized(x), RowsOf(delta, users), null).Logits, x).sum();
        });

    // −Σ_i x_ui log softmax(logits)_i per user
    private static Tensor NegLogLikelihood(Tensor logits, Tensor x) => -(F.log_softmax(logits, 1) * x).sum(1);

    // KL(q(z|x) ‖ N(0, I)) per user
    private static Tensor Kl(Tensor mu, Tensor logVar) => (0.5 * (logVar.exp() + mu.square() - 1 - logVar)).sum(1);

    // the rows L2-normalised: the first layer's input
    private static Tensor Normalized(Tensor x) => x * x.sum(1, keepdim: true).sqrt().clamp_min(1e-12).reciprocal();

    // input: normalised (and, in training, dropped-out) rows; Δ batch-shaped (RowsOf); noise: the VAE's standard normal draw (null = the mean)
    private (Tensor Logits, Tensor? Mu, Tensor? LogVar) Forward(Tensor input, IReadOnlyList<Tensor?>? delta, Tensor? noise)
    {
        // the first layer: without an input Δ it runs on the nonzero entries only (an embedding bag, see SparseRows),
        // the same product as the dense one at a fraction of the cost
        var first = delta?[0] is { } d0
            ? (input + d0).matmul(_net.Input.weight!) + _net.InputBias
            : SparseRows.Project(input, _net.Input, _net.InputBias);
        Tensor h = first;
        if (_net.Hidden > 0)
        {
            h = torch.tanh(first);
            if (delta?[_hiddenIndex] is { } dh) h = h + dh;
        }
        Tensor z;
        Tensor? mu = null, logVar = null;
        if (_variational)
        {
            if (_net.Hidden > 0)
            {
                mu = _net.Mean!.forward(h);
                logVar = _net.LogVariance!.forward(h);
            }
            else
            {
                // the notebook's single 2·latent layer: the mean, then the log-variance
                mu = first.narrow(1, 0, _net.Latent);
                logVar = first.narrow(1, _net.Latent, _net.Latent);
            }
            if (delta?[_latentIndex] is { } dz) mu = mu + dz;
            z = noise is null ? mu : mu + noise * (0.5 * logVar).exp();
        }
        else
        {
            z = torch.tanh(_net.Hidden > 0 ? _net.Code!.forward(h) : first);
        }
        if (_net.DecoderHidden is { } dh2) z = torch.tanh(dh2.forward(z));
        return (_net.Output.forward(z), mu, logVar);
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

    private sealed class Net : nn.Module
    {
        public readonly EmbeddingBag Input;
        public readonly Parameter InputBias;
        public readonly Linear? Mean;
        public readonly Linear? LogVariance;
        public readonly Linear? Code;
        public readonly Linear? DecoderHidden;
        public readonly Linear Output;

        public Net(int items, int hidden, int latent, bool variational) : base(variational ? "mult_vae" : "mult_dae")
        {
            Hidden = hidden;
            Latent = latent;
            // the first layer is stored items × width, so that the rows of a user's items are contiguous
            int width = hidden > 0 ? hidden : variational ? 2 * latent : latent;
            Input = SparseRows.Layer(items, width);
            InputBias = nn.Parameter(torch.empty(width));
            if (hidden > 0 && variational)
            {
                // the notebook's 2·latent layer, as two heads
                Mean = nn.Linear(hidden, latent);
                LogVariance = nn.Linear(hidden, latent);
            }
            else if (hidden > 0)
            {
                Code = nn.Linear(hidden, latent);
            }
            if (hidden > 0) DecoderHidden = nn.Linear(latent, hidden);
            Output = nn.Linear(hidden > 0 ? hidden : latent, items);
            RegisterComponents();
            using var noGrad = torch.no_grad();
            // the notebook: Glorot-uniform weights, biases from a normal with std 0.001
            nn.init.xavier_uniform_(Input.weight!);
            nn.init.normal_(InputBias, 0, 0.001);
            foreach (var layer in Layers())
            {
                nn.init.xavier_uniform_(layer.weight!);
                nn.init.normal_(layer.bias!, 0, 0.001);
            }
        }

        public int Hidden { get; }

        public int Latent { get; }

        private IEnumerable<Linear> Layers() => new[] { Mean, LogVariance, Code, DecoderHidden, Output }.OfType<Linear>();

        public List<Tensor> Weights() => [Input.weight!, .. Layers().Select(l => (Tensor)l.weight!)];
    }
}
