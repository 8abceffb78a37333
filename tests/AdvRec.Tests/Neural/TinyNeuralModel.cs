using AdvRec.Data;
using AdvRec.Models;
using AdvRec.Neural;
using TorchSharp;
using static TorchSharp.torch;

namespace AdvRec.Tests.Neural;

/// <summary>
/// A minimal autoencoder on the base class (sigmoid encoder, linear decoder, squared error on the user's binary row),
/// to test the engine's plumbing apart from any paper's model. Targets: the input rows and the hidden layer.
/// </summary>
internal sealed class TinyNeuralModel : NeuralModel
{
    private readonly Net _net;
    private readonly optim.Optimizer _optimizer;
    private readonly Tensor _matrix;

    public TinyNeuralModel(Interactions train, int hidden = 8, ulong seed = 7, string device = "cpu") : base(train, device, seed, null)
    {
        _net = new Net(train.NumItems, hidden);
        _net.to(Device);
        _matrix = TorchData.Dense(train, Device, ratings: false).DetachFromDisposeScope();
        _optimizer = optim.Adam(_net.parameters(), 0.05);
        PerturbationTargets = [new PerturbationTarget("input", NumUsers, NumItems), new PerturbationTarget("hidden", NumUsers, hidden)];
    }

    public override IReadOnlyList<PerturbationTarget> PerturbationTargets { get; }

    /// <summary>Called at the start of every epoch, with the epoch's index; for tests that look inside training.</summary>
    public Action<int>? EpochStarting { get; init; }

    protected override nn.Module Network => _net;

    protected override string PersistedName => "Tiny";

    protected override object PersistedOptions => new { Hidden = _net.Encoder.out_features };

    protected override EpochStats RunEpoch(int epoch, IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        EpochStarting?.Invoke(epoch);
        var users = Shuffled(Enumerable.Range(0, NumUsers).ToArray(), epoch);
        double total = 0;
        for (int start = 0; start < users.Length; start += 16)
        {
            using var scope = torch.NewDisposeScope();
            var batch = Indices(users.AsSpan(start, Math.Min(16, users.Length - start)));
            _optimizer.zero_grad();
            var loss = Loss(batch, null);
            loss.backward();
            _optimizer.step();
            total += loss.item<float>();
        }
        return new EpochStats(epoch, total, 0, users.Length, 0);
    }

    protected override Tensor ScoreUsers(Tensor users, IReadOnlyList<Tensor?>? delta) => Forward(users, delta);

    protected override double AttackLoss(ILossSample sample, IReadOnlyList<Tensor?> delta)
    {
        var rows = ((RowSample)sample).Rows;
        using var scope = torch.NewDisposeScope();
        var loss = Loss(Indices(rows), delta);
        loss.backward();
        return loss.item<float>();
    }

    private Tensor Forward(Tensor users, IReadOnlyList<Tensor?>? delta)
    {
        var x = _matrix.index_select(0, users);
        if (delta?[0] is { } d0) x = x + d0.index_select(0, users);
        var h = torch.sigmoid(_net.Encoder.forward(x));
        if (delta?[1] is { } d1) h = h + d1.index_select(0, users);
        return _net.Decoder.forward(h);
    }

    private Tensor Loss(Tensor users, IReadOnlyList<Tensor?>? delta) =>
        (Forward(users, delta) - _matrix.index_select(0, users)).pow(2).sum();

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
        public readonly TorchSharp.Modules.Linear Encoder, Decoder;

        public Net(int items, int hidden) : base("tiny")
        {
            Encoder = nn.Linear(items, hidden);
            Decoder = nn.Linear(hidden, items);
            RegisterComponents();
        }
    }
}
