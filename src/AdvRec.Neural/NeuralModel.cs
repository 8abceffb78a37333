using System.Diagnostics;
using System.Runtime.InteropServices;
using AdvRec.Data;
using AdvRec.IO;
using AdvRec.Kernels;
using AdvRec.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AdvRec.Neural;

/// <summary>
/// The base of every TorchSharp model: device placement, deterministic seeding per epoch, one dispose scope per
/// epoch and per call (so the number of live tensors does not grow), scoring into the shared
/// <see cref="IRecommender"/> buffer, snapshots for the trainer, and the adversarial interface through autograd:
/// a model names its perturbable tables and writes its loss with a Δ tensor per table, and the base takes the
/// gradient. Calls are serialised on the model (libtorch parallelises inside each operation).
/// </summary>
public abstract class NeuralModel : IIterativeModel, IDisposable
{
    private readonly object _gate = new();
    private bool _disposed;

    /// <summary>Places the model on <paramref name="device"/> (see <see cref="TorchDevices"/>) and keeps the training data.</summary>
    protected NeuralModel(Interactions train, string device, ulong seed, Action<string>? log)
    {
        ArgumentNullException.ThrowIfNull(train);
        Train = train;
        NumUsers = train.NumUsers;
        NumItems = train.NumItems;
        Seed = seed;
        Device = TorchDevices.Resolve(device, log);
        torch.random.manual_seed(unchecked((long)seed));
    }

    /// <summary>Where the parameters live.</summary>
    public torch.Device Device { get; }

    /// <inheritdoc />
    public int NumUsers { get; }

    /// <inheritdoc />
    public int NumItems { get; }

    /// <inheritdoc />
    public int EpochsTrained { get; private set; }

    /// <inheritdoc />
    public virtual bool NextEpochIsAdversarial => false;

    /// <summary>The training interactions.</summary>
    protected Interactions Train { get; }

    /// <summary>The model's seed.</summary>
    protected ulong Seed { get; }

    /// <summary>The module that holds every trained parameter and buffer (snapshots and saving use it).</summary>
    protected abstract nn.Module Network { get; }

    /// <inheritdoc />
    public abstract IReadOnlyList<PerturbationTarget> PerturbationTargets { get; }

    /// <summary>Trains one epoch: <paramref name="epoch"/> is 0-based; return the summed loss, adversarial loss and steps (time is measured here).</summary>
    protected abstract EpochStats RunEpoch(int epoch, IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken);

    /// <summary>
    /// Scores of every item for <paramref name="users"/> (int64, on <see cref="Device"/>) as a [users, items] float
    /// tensor, with <paramref name="delta"/> (one tensor per target in <see cref="PerturbationTargets"/> order, full table
    /// shape, or null where a target is not perturbed; the list itself is null for a clean model) added. Runs without
    /// gradients in evaluation mode.
    /// </summary>
    protected abstract Tensor ScoreUsers(Tensor users, IReadOnlyList<Tensor?>? delta);

    /// <summary>
    /// The plain training loss (no regulariser, evaluation mode: no dropout or corruption) summed over
    /// <paramref name="sample"/> with <paramref name="delta"/> added; the model calls <c>backward()</c> on each part it
    /// sums so that the Δ tensors that require gradients accumulate theirs. Returns the summed loss.
    /// </summary>
    protected abstract double AttackLoss(ILossSample sample, IReadOnlyList<Tensor?> delta);

    /// <summary>Called after the parameters changed (an epoch, a restored snapshot): drop caches of derived tensors.</summary>
    protected virtual void OnParametersChanged()
    {
    }

    /// <summary>Every user with at least one training interaction, in order: the default attack sample.</summary>
    public virtual ILossSample DrawAttackSample(ulong seed) => new RowSample(Enumerable.Range(0, NumUsers).Where(u => Train.DegreeOf(u) > 0).ToArray());

    /// <inheritdoc />
    public EpochStats TrainEpoch(IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var clock = Stopwatch.StartNew();
            torch.random.manual_seed(unchecked((long)(Seed ^ ((ulong)(EpochsTrained + 1) * 0x9E3779B97F4A7C15UL))));
            Network.train();
            EpochStats stats;
            try
            {
                using var scope = torch.NewDisposeScope();
                stats = RunEpoch(EpochsTrained, progress, cancellationToken);
            }
            finally
            {
                Network.eval();
                OnParametersChanged();
            }
            stats = stats with { Epoch = EpochsTrained, Seconds = clock.Elapsed.TotalSeconds };
            EpochsTrained++;
            return stats;
        }
    }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> users, Span<float> scores)
    {
        if (scores.Length < users.Length * NumItems) throw new ArgumentException("the score buffer is too small", nameof(scores));
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!TryScoreOnHost(users, scores[..(users.Length * NumItems)])) ScoreWith(users, scores, null);
    }

    /// <summary>
    /// Writes the unperturbed scores of <paramref name="users"/> (row-major, one row of <see cref="NumItems"/> each)
    /// without libtorch where the model can, outside the lock that serialises libtorch calls, so that evaluation
    /// workers score in parallel; false (the default) scores through <see cref="ScoreUsers"/>. Must be safe to call
    /// from several threads at once.
    /// </summary>
    protected virtual bool TryScoreOnHost(ReadOnlySpan<int> users, Span<float> scores) => false;

    private void ScoreWith(ReadOnlySpan<int> users, Span<float> scores, IReadOnlyList<Tensor?>? delta)
    {
        if (scores.Length < users.Length * NumItems) throw new ArgumentException("the score buffer is too small", nameof(scores));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var index = Indices(users);
            var result = ScoreUsers(index, delta);
            CopyToSpan(result, scores[..(users.Length * NumItems)]);
        }
    }

    /// <inheritdoc />
    public double LossGradient(ILossSample sample, Perturbation? at, Perturbation gradient)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(gradient);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var scope = torch.NewDisposeScope();
            var targets = PerturbationTargets;
            var delta = new Tensor?[targets.Count];
            for (int t = 0; t < targets.Count; t++)
            {
                bool wanted = gradient.IsActive(t);
                bool shifted = at is not null && at.IsActive(t);
                if (!wanted && !shifted) continue;
                delta[t] = (shifted ? FromSpan(at!.Table(t), targets[t].Rows, targets[t].Columns) : torch.zeros(targets[t].Rows, targets[t].Columns, device: Device))
                    .requires_grad_(wanted);
            }
            var parameters = Network.parameters().ToList();
            var trainable = parameters.Select(p => p.requires_grad).ToList();
            foreach (var p in parameters) p.requires_grad = false; // only Δ needs a gradient here
            double loss;
            try
            {
                loss = AttackLoss(sample, delta);
            }
            finally
            {
                for (int i = 0; i < parameters.Count; i++) parameters[i].requires_grad = trainable[i];
            }
            for (int t = 0; t < targets.Count; t++)
            {
                var table = gradient.Table(t);
                if (gradient.IsActive(t) && delta[t]?.grad is { } g) CopyToSpan(g, table);
                else table.Clear();
            }
            return loss;
        }
    }

    /// <inheritdoc />
    public IRecommender WithPerturbation(Perturbation delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        return new PerturbedView(this, delta.Clone());
    }

    /// <inheritdoc />
    public object TakeSnapshot()
    {
        lock (_gate)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            return Network.state_dict().ToDictionary(kv => kv.Key, kv => (Shape: kv.Value.shape, Values: ToArray(kv.Value)));
        }
    }

    /// <inheritdoc />
    public void RestoreSnapshot(object snapshot)
    {
        if (snapshot is not Dictionary<string, (long[] Shape, float[] Values)> saved) throw new ArgumentException("not a snapshot of this model", nameof(snapshot));
        lock (_gate)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            foreach (var (name, tensor) in Network.state_dict())
            {
                if (!saved.TryGetValue(name, out var s) || !s.Shape.SequenceEqual(tensor.shape)) throw new ArgumentException($"the snapshot does not match the model's tensor {name}", nameof(snapshot));
                tensor.copy_(torch.tensor(s.Values, s.Shape, device: Device));
            }
            OnParametersChanged();
        }
    }

    /// <summary>Writes the network's parameters (TorchSharp's format) atomically to <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        lock (_gate)
        {
            AtomicFile.Write(path, stream =>
            {
                using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
                Network.save(writer);
            });
        }
    }

    /// <summary>Disposes the native tensors.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            Dispose(true);
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the network and anything else the model holds (optimizers).</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing) Network.Dispose();
    }

    /// <summary>The rows of a 0-based epoch in a seeded shuffled order (the same for a seed on any machine).</summary>
    protected int[] Shuffled(ReadOnlySpan<int> rows, int epoch)
    {
        var order = rows.ToArray();
        var rng = Xoshiro.Derive(Seed, 1, (ulong)epoch);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>An int64 index tensor on <see cref="Device"/>.</summary>
    protected Tensor Indices(ReadOnlySpan<int> rows)
    {
        var values = new long[rows.Length];
        for (int i = 0; i < rows.Length; i++) values[i] = rows[i];
        return torch.tensor(values, device: Device);
    }

    /// <summary>A [rows, columns] float tensor on <see cref="Device"/> with <paramref name="values"/> (row-major).</summary>
    protected Tensor FromSpan(ReadOnlySpan<float> values, long rows, long columns) =>
        torch.tensor(values.ToArray(), [rows, columns], device: Device);

    /// <summary>Copies a float tensor (any device, any shape) into <paramref name="destination"/>, row-major.</summary>
    protected static void CopyToSpan(Tensor source, Span<float> destination)
    {
        using var host = source.detach().to(ScalarType.Float32).cpu().contiguous();
        if (host.numel() != destination.Length) throw new ArgumentException($"the tensor has {host.numel()} values, the buffer {destination.Length}");
        MemoryMarshal.Cast<byte, float>(host.bytes).CopyTo(destination);
    }

    private static float[] ToArray(Tensor t)
    {
        var values = new float[t.numel()];
        CopyToSpan(t, values);
        return values;
    }

    /// <summary>Reports progress of a batch loop.</summary>
    protected static void Report(IProgress<ProgressUpdate>? progress, string task, long done, long total) =>
        progress?.Report(new ProgressUpdate(task, done, total));

    private sealed class PerturbedView(NeuralModel model, Perturbation delta) : IRecommender
    {
        private Tensor?[]? _tensors;

        public int NumUsers => model.NumUsers;

        public int NumItems => model.NumItems;

        public void Score(ReadOnlySpan<int> users, Span<float> scores)
        {
            lock (model._gate)
            {
                if (_tensors is null)
                {
                    // made once, outside any dispose scope, and kept for the view's lifetime (freed with it)
                    var tensors = new Tensor?[delta.Targets.Count];
                    for (int t = 0; t < tensors.Length; t++)
                    {
                        if (!delta.IsActive(t)) continue;
                        tensors[t] = model.FromSpan(delta.Table(t), delta.Targets[t].Rows, delta.Targets[t].Columns).DetachFromDisposeScope();
                    }
                    _tensors = tensors;
                }
                model.ScoreWith(users, scores, _tensors);
            }
        }
    }
}

/// <summary>The rows (users, or items for item-based models) over which a neural model's loss is summed.</summary>
/// <param name="Rows">Row indices.</param>
public sealed record RowSample(int[] Rows) : ILossSample
{
    /// <inheritdoc />
    public int Count => Rows.Length;
}
