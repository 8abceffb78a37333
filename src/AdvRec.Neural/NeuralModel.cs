using System.Diagnostics;
using System.Runtime.InteropServices;
using AdvRec.Adversarial;
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
public abstract class NeuralModel : IIterativeModel, IPersistentModel, IDisposable
{
    private readonly object _gate = new();
    private bool _disposed;
    private AdversarialPlan? _adversarial;
    private bool _adversarialEpoch;
    private Tensor? _adversarialTotal;

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
    public virtual bool NextEpochIsAdversarial => _adversarial is { } plan && plan.Options.EffectiveAdversarialEpochs > 0
        && AdversarialStep.IsAdversarialEpoch(EpochsTrained, plan.Options.Epochs, plan.Options.EffectiveAdversarialEpochs);

    /// <summary>The training interactions.</summary>
    protected Interactions Train { get; }

    /// <summary>The model's seed.</summary>
    protected ulong Seed { get; }

    /// <summary>The module that holds every trained parameter and buffer (snapshots and saving use it).</summary>
    protected abstract nn.Module Network { get; }

    /// <inheritdoc />
    public abstract IReadOnlyList<PerturbationTarget> PerturbationTargets { get; }

    /// <summary>The model's registry name, written into saved files and checked when they are read back.</summary>
    protected abstract string PersistedName { get; }

    /// <summary>
    /// The options record the model was built from, written as JSON into saved files; <see cref="Load"/> deserialises it
    /// into the same type and rebuilds the model from it.
    /// </summary>
    protected abstract object PersistedOptions { get; }

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

    /// <summary>
    /// Called, under the model's lock, when the perturbed view that scored with <paramref name="delta"/> (the same list
    /// instance that <see cref="ScoreUsers"/> received) is disposed: drop any tensor cached for that perturbation.
    /// </summary>
    protected virtual void OnPerturbationReleased(IReadOnlyList<Tensor?> delta)
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
            _adversarialEpoch = NextEpochIsAdversarial;
            try
            {
                using var scope = torch.NewDisposeScope();
                _adversarialTotal = _adversarialEpoch ? torch.zeros(1, dtype: ScalarType.Float64, device: Device) : null;
                stats = RunEpoch(EpochsTrained, progress, cancellationToken);
                if (_adversarialTotal is not null) stats = stats with { AdversarialLoss = stats.AdversarialLoss + _adversarialTotal.item<double>() };
            }
            finally
            {
                _adversarialEpoch = false;
                _adversarialTotal = null;
                Network.eval();
                OnParametersChanged();
            }
            stats = stats with { Epoch = EpochsTrained, Seconds = clock.Elapsed.TotalSeconds };
            EpochsTrained++;
            return stats;
        }
    }

    /// <summary>
    /// Turns on adversarial training with <paramref name="options"/> (call it once the targets are known): the batches
    /// that a model trains through <see cref="Backward"/> become adversarial in the schedule's epochs. Throws with the
    /// model's target names when the options name a target it does not have.
    /// </summary>
    protected void UseAdversarialTraining(AdversarialTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var names = PerturbationTargets.Select(t => t.Name).ToList();
        int Index(string name, string key) => names.IndexOf(name) is var i and >= 0 ? i
            : throw new ArgumentException($"{key}: '{name}' is not a perturbation target of this model; its targets are {string.Join(", ", names)}", key == "adversarial_targets" ? nameof(options.AdversarialTargets) : nameof(options.EpsilonScale));
        var weights = options.AdversarialTargets ?? new Dictionary<string, float> { [names.Contains("hidden") ? "hidden" : names[^1]] = 1 };
        foreach (var name in (options.EpsilonScale ?? new Dictionary<string, float>()).Keys) Index(name, "eps_scale");
        var chosen = weights.Where(w => w.Value > 0 || options.JointPerturbation).Select(w => Index(w.Key, "adversarial_targets")).ToArray();
        var budgets = chosen.Select(t => options.Epsilon * (options.EpsilonScale?.GetValueOrDefault(names[t], 1f) ?? 1f)).ToArray();
        _adversarial = new AdversarialPlan(options, chosen, [.. chosen.Select(t => weights[names[t]])], budgets);
    }

    /// <summary>
    /// Whether Δ of target <paramref name="target"/> is indexed by the rows of a batch (users, or items for item-based
    /// models: inputs, user embeddings, hidden layers; the default) or is one whole table (a weight matrix).
    /// </summary>
    protected virtual bool PerturbsRows(int target) => true;

    /// <summary>The batch's slice of a full-table Δ list: row targets restricted to <paramref name="rows"/>, whole tables as they are.</summary>
    protected IReadOnlyList<Tensor?>? RowsOf(IReadOnlyList<Tensor?>? delta, Tensor rows)
    {
        if (delta is null) return null;
        var slice = new Tensor?[delta.Count];
        for (int t = 0; t < slice.Length; t++) slice[t] = delta[t] is { } d && PerturbsRows(t) ? d.index_select(0, rows) : delta[t];
        return slice;
    }

    /// <summary>
    /// Backpropagates one training batch of <paramref name="rows"/> rows: <paramref name="loss"/> gives the batch's
    /// data loss with a Δ list added (null = clean; otherwise one entry per target, batch-shaped for row targets as in
    /// <see cref="RowsOf"/>, null where a target is not perturbed), and <paramref name="regularizer"/> is added once.
    /// In an adversarial epoch it also builds each configured target's FGSM/MSAP perturbation from the gradient of
    /// the clean batch loss and backpropagates the weighted adversarial term(s): the cost is one more forward and
    /// backward pass per term (and per extra MSAP step). <paramref name="adversarialLoss"/> (default: the same loss)
    /// is the loss the adversarial term measures and MSAP's further steps ascend (the first step's direction is the
    /// clean pass's gradient), for models whose training loss is stochastic (a VAE's sampled code): the attacks'
    /// deterministic loss. Returns the clean loss with the regulariser,
    /// detached; the caller zeroes the gradients before and steps the optimizer after.
    /// </summary>
    protected Tensor Backward(Func<IReadOnlyList<Tensor?>?, Tensor> loss, long rows, Tensor? regularizer = null, Func<IReadOnlyList<Tensor?>?, Tensor>? adversarialLoss = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        adversarialLoss ??= loss;
        if (!_adversarialEpoch || _adversarial is not { } plan || plan.Targets.Length == 0)
        {
            var plain = loss(null);
            var total = regularizer is null ? plain : plain + regularizer;
            total.backward();
            return total.detach();
        }
        var targets = PerturbationTargets;
        var zero = new Tensor?[targets.Count];
        foreach (int t in plan.Targets) zero[t] = torch.zeros(PerturbsRows(t) ? rows : targets[t].Rows, targets[t].Columns, device: Device).requires_grad_();
        var clean = loss(zero);
        var cleanTotal = regularizer is null ? clean : clean + regularizer;
        cleanTotal.backward(); // the parameters' gradients of the clean term, and ∇Δ at Δ = 0
        var steps = plan.Options.AdversarialSteps;
        var delta = new Tensor?[targets.Count];
        for (int i = 0; i < plan.Targets.Length; i++)
        {
            int t = plan.Targets[i];
            delta[t] = ProjectRows(Normalized(zero[t]!.grad!, StepSize(plan, i)), plan.Budgets[i]);
        }
        for (int step = 1; step < steps; step++)
        {
            // MSAP: the gradient at θ + Δ with respect to Δ only (the parameters' gradients are left alone)
            var probe = delta.Select(d => d?.detach().requires_grad_()).ToArray();
            var grads = torch.autograd.grad([adversarialLoss(probe)], [.. plan.Targets.Select(t => probe[t]!)]);
            for (int i = 0; i < plan.Targets.Length; i++)
            {
                int t = plan.Targets[i];
                delta[t] = ProjectRows(probe[t]!.detach() + Normalized(grads[i], StepSize(plan, i)), plan.Budgets[i]);
            }
        }
        float lambda = plan.Options.AdversarialWeight;
        if (plan.Options.JointPerturbation)
        {
            var adversarial = adversarialLoss(delta);
            (adversarial * lambda).backward();
            _adversarialTotal?.add_(adversarial.detach());
        }
        else
        {
            for (int i = 0; i < plan.Targets.Length; i++)
            {
                var only = new Tensor?[targets.Count];
                only[plan.Targets[i]] = delta[plan.Targets[i]];
                var adversarial = adversarialLoss(only);
                (adversarial * (lambda * plan.Weights[i])).backward();
                _adversarialTotal?.add_(adversarial.detach() * plan.Weights[i]);
            }
        }
        return cleanTotal.detach();
    }

    private static float StepSize(AdversarialPlan plan, int i) => plan.Options.AdversarialStepSize ?? Msap.DefaultStepSize(plan.Budgets[i], plan.Options.AdversarialSteps);

    /// <summary><paramref name="g"/> scaled to L2 norm <paramref name="norm"/> per row (rows of zeros stay zero): an FGSM or MSAP step.</summary>
    protected static Tensor Normalized(Tensor g, float norm) => g * (norm / g.norm(1, keepdim: true).clamp_min(1e-12));

    /// <summary>Every row of <paramref name="x"/> brought back into the L2 ball of radius <paramref name="budget"/>.</summary>
    protected static Tensor ProjectRows(Tensor x, float budget) => x * (budget / x.norm(1, keepdim: true).clamp_min(1e-12)).clamp_max(1);

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
    public IPerturbedView WithPerturbation(Perturbation delta)
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

    // The file: magic, format version, model name, options (JSON), users, items, then TorchSharp's state dict.
    private const int FileVersion = 1;
    private static ReadOnlySpan<byte> FileMagic => "ADVRECNN"u8;

    /// <summary>
    /// Writes the model atomically to <paramref name="path"/>: a versioned header (magic <c>ADVRECNN</c>, format version,
    /// model name, options as JSON, users and items), then the network's parameters in TorchSharp's format.
    /// <see cref="Load"/> reads it back.
    /// </summary>
    public void Save(string path)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var options = PersistedOptions;
            AtomicFile.Write(path, stream =>
            {
                using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
                writer.Write(FileMagic);
                writer.Write(FileVersion);
                writer.Write(PersistedName);
                writer.Write(System.Text.Json.JsonSerializer.Serialize(options, options.GetType()));
                writer.Write(NumUsers);
                writer.Write(NumItems);
                Network.save(writer);
            });
        }
    }

    /// <summary>
    /// Reads a model written by <see cref="Save"/>: checks the header (magic, version, that it holds a
    /// <paramref name="name"/> model), deserialises the stored options as <paramref name="optionsType"/>, builds the model
    /// through <paramref name="create"/> (which supplies the training data; its users and items must match the file's)
    /// and loads the stored parameters into it. The result scores as the saved model did.
    /// </summary>
    /// <exception cref="DataFormatException">The file is missing, not a neural model file of a known version, holds another model, is truncated, or does not fit the data.</exception>
    public static NeuralModel Load(string path, string name, Type optionsType, Func<object, NeuralModel> create)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(optionsType);
        ArgumentNullException.ThrowIfNull(create);
        if (!File.Exists(path)) throw new DataFormatException(path, 0, "model file not found");
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8);
        object options;
        int users, items;
        try
        {
            var magic = reader.ReadBytes(FileMagic.Length);
            if (!magic.AsSpan().SequenceEqual(FileMagic)) throw new DataFormatException(path, 0, "not an AdvRec neural model file (bad magic bytes; expected ADVRECNN)");
            int version = reader.ReadInt32();
            if (version != FileVersion) throw new DataFormatException(path, 0, $"model file format version {version}; this build reads version {FileVersion}");
            string stored = reader.ReadString();
            if (stored != name) throw new DataFormatException(path, 0, $"the file holds a {stored} model, expected {name}");
            string json = reader.ReadString();
            try
            {
                options = System.Text.Json.JsonSerializer.Deserialize(json, optionsType) ?? throw new DataFormatException(path, 0, "the header has no options");
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new DataFormatException(path, 0, $"the header's options are not {optionsType.Name} JSON: {e.Message}", e);
            }
            users = reader.ReadInt32();
            items = reader.ReadInt32();
        }
        catch (EndOfStreamException e)
        {
            throw new DataFormatException(path, 0, "the model file is truncated (in its header)", e);
        }
        var model = create(options);
        try
        {
            if (model.NumUsers != users || model.NumItems != items)
                throw new DataFormatException(path, 0, $"the model has {users} users × {items} items but the data has {model.NumUsers} users × {model.NumItems} items");
            lock (model._gate)
            {
                try
                {
                    model.Network.load(reader, strict: true);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException)
                {
                    throw new DataFormatException(path, 0, $"the parameters do not fit a {name} of the stored options: {e.Message}", e);
                }
                if (stream.Position != stream.Length) throw new DataFormatException(path, 0, $"{stream.Length - stream.Position} unexpected bytes after the parameters");
                model.Network.eval();
                model.OnParametersChanged();
            }
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
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

    /// <summary>
    /// The attack loss summed over <paramref name="rows"/> in chunks of <paramref name="chunk"/>: <paramref name="loss"/>
    /// gives a chunk's summed loss (its rows as an index tensor), which is backpropagated (the Δ tensors accumulate their
    /// gradients) in the chunk's own dispose scope.
    /// </summary>
    protected double SumInChunks(int[] rows, int chunk, Func<Tensor, Tensor> loss)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(loss);
        double total = 0;
        for (int start = 0; start < rows.Length; start += chunk)
        {
            using var scope = torch.NewDisposeScope();
            var part = loss(Indices(rows.AsSpan(start, Math.Min(chunk, rows.Length - start))));
            part.backward();
            total += part.item<float>();
        }
        return total;
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

    // Holds one native tensor per active target from its first Score until Dispose.
    private sealed class PerturbedView(NeuralModel model, Perturbation delta) : IPerturbedView
    {
        private Tensor?[]? _tensors;
        private bool _disposed;

        public int NumUsers => model.NumUsers;

        public int NumItems => model.NumItems;

        public void Score(ReadOnlySpan<int> users, Span<float> scores)
        {
            lock (model._gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_tensors is null)
                {
                    // made once, outside any dispose scope, and kept for the view's lifetime (freed by Dispose)
                    var tensors = new Tensor?[delta.Targets.Count];
                    try
                    {
                        for (int t = 0; t < tensors.Length; t++)
                        {
                            if (!delta.IsActive(t)) continue;
                            tensors[t] = model.FromSpan(delta.Table(t), delta.Targets[t].Rows, delta.Targets[t].Columns).DetachFromDisposeScope();
                        }
                    }
                    catch
                    {
                        foreach (var tensor in tensors) tensor?.Dispose();
                        throw;
                    }
                    _tensors = tensors;
                }
                model.ScoreWith(users, scores, _tensors);
            }
        }

        /// <summary>Frees the view's tensors (the model's own are left alone).</summary>
        public void Dispose()
        {
            lock (model._gate)
            {
                if (_disposed) return;
                _disposed = true;
                if (_tensors is { } tensors)
                {
                    _tensors = null;
                    model.OnPerturbationReleased(tensors);
                    foreach (var tensor in tensors) tensor?.Dispose();
                }
            }
        }
    }
}

/// <summary>A model's adversarial training: the options, the perturbed targets (indices), their weights λ_i and budgets α_i·ε.</summary>
internal sealed record AdversarialPlan(AdversarialTrainingOptions Options, int[] Targets, float[] Weights, float[] Budgets);

/// <summary>The rows (users, or items for item-based models) over which a neural model's loss is summed.</summary>
/// <param name="Rows">Row indices.</param>
public sealed record RowSample(int[] Rows) : ILossSample
{
    /// <inheritdoc />
    public int Count => Rows.Length;
}
