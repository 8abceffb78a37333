using System.Globalization;
using System.Runtime.InteropServices;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using AdvRec.Data;
using AdvRec.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AdvRec.Neural.Autoencoders;

/// <summary>
/// Hyperparameters of <see cref="Ease"/>. The default λ is Steck's value for ML-20M (his notebooks use
/// <c>lambda = 500</c>); Elliot's <c>EASER</c> defaults to <c>l2_norm = 1e3</c>.
/// </summary>
public sealed record EaseOptions
{
    /// <summary>L2 weight λ added to the diagonal of the Gram matrix XᵀX (Steck 2019, ML-20M: 500; Elliot's <c>l2_norm</c>).</summary>
    public double Lambda { get; init; } = 500;

    /// <summary>The most memory the fit may use, in bytes; 0 = half of the memory available to the process (<see cref="GC.GetGCMemoryInfo()"/>).</summary>
    public long MemoryBudgetBytes { get; init; }

    /// <summary>Where the fit and scoring run: cpu, cuda, cuda:N or auto.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>
    /// Precision of the Gram matrix, its Cholesky factor and inverse: float64 (the default, as Steck's notebook) or
    /// float32, which halves their memory and the time of the factorisation, as the Python frameworks that build the
    /// Gram matrix from a float32 X do. The weights are float32 either way.
    /// </summary>
    public EasePrecision Precision { get; init; } = EasePrecision.Float64;

    /// <summary>Seed (the fit itself is deterministic; the seed only seeds libtorch for the engine's conventions).</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Checks every value and names the first one that is out of range.</summary>
    public void Validate()
    {
        if (!(Lambda > 0) || !double.IsFinite(Lambda)) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "lambda (l2_norm) must be a finite number > 0");
        if (MemoryBudgetBytes < 0) throw new ArgumentOutOfRangeException(nameof(MemoryBudgetBytes), MemoryBudgetBytes, "memory budget must be >= 0 bytes (0 = half the available memory)");
        if (!TorchDevices.IsValidName(Device)) throw new ArgumentOutOfRangeException(nameof(Device), Device, $"device must be {TorchDevices.Choices}");
    }
}

/// <summary>The floating-point precision of EASE's fit.</summary>
public enum EasePrecision
{
    /// <summary>64-bit (the default).</summary>
    Float64,

    /// <summary>32-bit: half the memory and about half the time of the factorisation.</summary>
    Float32,
}

/// <summary>
/// EASE (Steck, WWW 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): an item-item weight matrix B with
/// a zero diagonal, in closed form <c>B = I − P·diagMat(1/diag(P))</c> with <c>P = (XᵀX + λI)⁻¹</c>, where X is the
/// binary user-item training matrix. The Gram matrix is counted exactly from the sparse rows, straight into the
/// tensor that is factorised, and P comes from a Cholesky factorisation in float64 (or float32, see
/// <see cref="EaseOptions.Precision"/>): <c>torch.linalg.cholesky</c>, then <c>cholesky_inverse</c>. Scores are
/// <c>x_u · B</c>, from the user's training row: a user unseen in fitting is scored from their fold-in row.
/// <para>
/// Not iterative: the first epoch fits, later epochs change nothing and say so in the log. Before any work the
/// model estimates the memory the fit needs and refuses, with the number, when it exceeds the budget.
/// The reported loss is the plain reconstruction error <c>‖X − XB‖²_F</c>, computed exactly from the Gram matrix
/// (<c>tr(G) − Σ G⊙B − λ‖B‖²</c>, which follows from <c>GB = G − D + λ(I − B)</c>).
/// Perturbable targets: <c>input</c> (the users' rows of X, users × items) and <c>item_weights</c> (B, items × items);
/// the attack loss is <c>Σ_u ‖x_u − (x_u + δ_u)(B + Δ_B)‖²</c>.
/// </para>
/// </summary>
public sealed class Ease : NeuralModel
{
    /// <summary>The model's name, as in configs and outputs.</summary>
    public const string ModelName = "EASE";

    /// <summary>Name of the input-row target.</summary>
    public const string Input = "input";

    /// <summary>Name of the item-item weight target.</summary>
    public const string ItemWeights = "item_weights";

    private const int AttackChunk = 512;

    private readonly EaseOptions _options;
    private readonly Action<string>? _log;
    private readonly Weights _net;
    private readonly int[] _itemCount;
    private readonly int[] _itemStart;
    private readonly int[] _blockRows;
    private Tensor? _dense;
    private float[]? _hostWeights;
    private bool _hostStale = true;
    private double _loss;

    /// <summary>A model for <paramref name="train"/>; <paramref name="dataName"/> names the data in errors.</summary>
    /// <exception cref="InvalidOperationException">The fit would need more memory than the budget (the message gives both numbers).</exception>
    public Ease(EaseOptions options, Interactions train, Action<string>? log = null, string? dataName = null)
        : base(Checked(options, train, dataName), options.Device, options.Seed, log)
    {
        _options = options;
        _log = log;
        _net = new Weights(NumItems, Device);
        _itemCount = new int[NumItems];
        _itemStart = new int[NumItems + 1];
        _blockRows = new int[Math.Max(1, train.Count)];
        PerturbationTargets = [new PerturbationTarget(Input, NumUsers, NumItems), new PerturbationTarget(ItemWeights, NumItems, NumItems)];
        _log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"EASE: {NumItems:N0} items, estimated peak memory {EstimateBytes(train.NumUsers, train.NumItems, options.Precision) / 1048576.0:N0} MiB of a budget of {Budget(options) / 1048576.0:N0} MiB"));
    }

    /// <inheritdoc />
    public override IReadOnlyList<PerturbationTarget> PerturbationTargets { get; }

    /// <inheritdoc />
    protected override nn.Module Network => _net;

    /// <summary>
    /// The bytes the fit needs at its peak for <paramref name="items"/> items and <paramref name="users"/> users: the
    /// Gram matrix on the host and on the device, its Cholesky factor and inverse (8 bytes a value in float64, 4 in
    /// float32), the weights in float32 (the model's, a host copy for scoring and a snapshot), and the dense float32
    /// user-item matrix.
    /// </summary>
    public static long EstimateBytes(int users, int items, EasePrecision precision = EasePrecision.Float64)
    {
        long n2 = (long)items * items;
        return n2 * ElementSize(precision) * 4 + n2 * 4 * 3 + (long)users * items * 4;
    }

    private static int ElementSize(EasePrecision precision) => precision == EasePrecision.Float32 ? 4 : 8;

    /// <summary>The budget in bytes that <paramref name="options"/> give (its own, or half of the available memory).</summary>
    public static long Budget(EaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.MemoryBudgetBytes > 0 ? options.MemoryBudgetBytes : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;
    }

    private static Interactions Checked(EaseOptions options, Interactions train, string? dataName)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        options.Validate();
        long need = EstimateBytes(train.NumUsers, train.NumItems, options.Precision), budget = Budget(options);
        if (need > budget)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"EASE on {dataName ?? "the training data"}: {train.NumItems:N0} items need about {need / 1048576.0:N0} MiB " +
                $"(items² {(options.Precision == EasePrecision.Float32 ? "float32" : "float64")} matrices: Gram, Cholesky factor, inverse; plus the float32 weights and the user-item matrix), " +
                $"over the budget of {budget / 1048576.0:N0} MiB. Set memory_budget_bytes higher or reduce the catalogue (item_k_core)."));
        }
        return train;
    }

    /// <inheritdoc />
    protected override EpochStats RunEpoch(int epoch, IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        if (epoch > 0)
        {
            _log?.Invoke($"EASE is closed form: epoch {epoch + 1} changes nothing (the first epoch fitted B)");
            return new EpochStats(epoch, _loss, 0, 0, 0);
        }
        Fit(progress, cancellationToken);
        return new EpochStats(epoch, _loss, 0, Train.Count, 0);
    }

    private void Fit(IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        int n = NumItems;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Report(progress, "EASE fit", 0, 3);
        var dtype = _options.Precision == EasePrecision.Float32 ? ScalarType.Float32 : ScalarType.Float64;
        using var noGrad = torch.no_grad();
        using (var scope = torch.NewDisposeScope())
        {
            var host = Gram(dtype, cancellationToken);
            double gramSeconds = clock.Elapsed.TotalSeconds;
            var diagonal = host.diagonal();
            double trace = diagonal.sum().to(ScalarType.Float64).item<double>();
            diagonal.add_(_options.Lambda);
            Report(progress, "EASE fit", 1, 3);
            cancellationToken.ThrowIfCancellationRequested();
            var a = host.to(Device);
            double copySeconds = clock.Elapsed.TotalSeconds;
            var l = torch.linalg.cholesky(a);
            double choleskySeconds = clock.Elapsed.TotalSeconds;
            // P = A⁻¹ from the factor (LAPACK potri). On the quiet 2-core machine, n = 3,583: 0.71–0.79 s, against
            // 1.66–2.09 s for cholesky_solve against I and 1.7–1.9 s for linalg.inv.
            var p = torch.cholesky_inverse(l).contiguous();
            l.Dispose();
            double inverseSeconds = clock.Elapsed.TotalSeconds;
            Report(progress, "EASE fit", 2, 3);
            var b = p.div_(p.diagonal().neg().unsqueeze(0)); // B_ij = −P_ij / P_jj (off the diagonal)
            b.diagonal().zero_();
            double sumGB = a.view(-1).dot(b.view(-1)).to(ScalarType.Float64).item<double>(); // Σ (G + λI) ⊙ B = Σ G ⊙ B (B's diagonal is 0)
            double squared = b.view(-1).dot(b.view(-1)).to(ScalarType.Float64).item<double>();
            _loss = trace - sumGB - _options.Lambda * squared;
            _net.B.copy_(b); // converts to float32 on the way
            _log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"EASE fit: Gram {gramSeconds:F3} s, to the device {copySeconds - gramSeconds:F3} s, Cholesky {choleskySeconds - copySeconds:F3} s, inverse {inverseSeconds - choleskySeconds:F3} s, weights {clock.Elapsed.TotalSeconds - inverseSeconds:F3} s (lambda {_options.Lambda})"));
        }
        _hostStale = true;
        Report(progress, "EASE fit", 3, 3);
    }

    // XᵀX counted from the sparse rows into a host tensor of the fit's precision, row by row (row i adds the items of
    // every user of item i: Σ_u deg_u² additions in all). Counts are exact in either precision (a count is at most the
    // number of users, far below 2²⁴).
    private Tensor Gram(ScalarType dtype, CancellationToken cancellationToken)
    {
        int n = NumItems;
        var (userPtr, users) = ItemColumns();
        var rowPtr = Train.RowPointers.ToArray();
        var items = Train.ItemIndices.ToArray();
        var gram = torch.zeros([n, n], dtype);
        // 16 rows per task: a row is written by one thread only
        const int Rows = 16;
        Parallel.For(0, (n + Rows - 1) / Rows, new ParallelOptions { CancellationToken = cancellationToken }, block =>
        {
            int end = Math.Min(n, (block + 1) * Rows);
            for (int i = block * Rows; i < end; i++)
            {
                using var row = gram[i];
                if (dtype == ScalarType.Float32) AddCounts(MemoryMarshal.Cast<byte, float>(row.bytes), i);
                else AddCounts(MemoryMarshal.Cast<byte, double>(row.bytes), i);
            }
        });
        return gram;

        void AddCounts<T>(Span<T> row, int i) where T : System.Numerics.INumberBase<T>
        {
            for (int k = userPtr[i]; k < userPtr[i + 1]; k++)
            {
                int u = users[k];
                for (int m = rowPtr[u]; m < rowPtr[u + 1]; m++) row[items[m]] += T.One;
            }
        }
    }

    // The users of each item (CSC), by counting sort of the CSR rows.
    private (int[] Pointers, int[] Users) ItemColumns()
    {
        int n = NumItems;
        var ptr = new int[n + 1];
        var items = Train.ItemIndices;
        foreach (int i in items) ptr[i + 1]++;
        for (int i = 0; i < n; i++) ptr[i + 1] += ptr[i];
        var next = ptr.AsSpan(0, n).ToArray();
        var users = new int[items.Length];
        var rowPtr = Train.RowPointers;
        for (int u = 0; u < NumUsers; u++)
            for (int k = rowPtr[u]; k < rowPtr[u + 1]; k++) users[next[items[k]]++] = u;
        return (ptr, users);
    }

    /// <inheritdoc />
    protected override Tensor ScoreUsers(Tensor users, IReadOnlyList<Tensor?>? delta)
    {
        bool perturbed = delta is not null && delta.Any(d => d is not null);
        if (!perturbed && Device.type == DeviceType.CPU) return SparseScores(users);
        var x = Dense.index_select(0, users);
        if (delta?[0] is { } d0) x = x + d0.index_select(0, users);
        var w = delta?[1] is { } d1 ? _net.B + d1 : _net.B;
        return x.matmul(w);
    }

    // x_u·B from the sparse training rows: each weight row that the block's users share is read once and added to
    // each of their score rows, so B streams through the cache once per block.
    private Tensor SparseScores(Tensor users)
    {
        int n = NumItems;
        if (_hostStale || _hostWeights is null)
        {
            _hostWeights ??= new float[(long)n * n];
            CopyToSpan(_net.B, _hostWeights);
            _hostStale = false;
        }
        var ids = users.data<long>().ToArray();
        var scores = new float[(long)ids.Length * n];
        Array.Clear(_itemCount);
        foreach (long u in ids)
            foreach (int i in Train.ItemsOf((int)u)) _itemCount[i]++;
        _itemStart[0] = 0;
        for (int i = 0; i < n; i++) _itemStart[i + 1] = _itemStart[i] + _itemCount[i];
        for (int r = 0; r < ids.Length; r++)
            foreach (int i in Train.ItemsOf((int)ids[r])) _blockRows[_itemStart[i + 1] - _itemCount[i]--] = r;
        var weights = _hostWeights;
        for (int i = 0; i < n; i++)
        {
            if (_itemStart[i + 1] == _itemStart[i]) continue;
            ReadOnlySpan<float> wRow = weights.AsSpan(i * n, n);
            for (int k = _itemStart[i]; k < _itemStart[i + 1]; k++)
            {
                var target = scores.AsSpan(_blockRows[k] * n, n);
                TensorPrimitives.Add(target, wRow, target);
            }
        }
        return torch.tensor(scores, [ids.Length, n]);
    }

    /// <inheritdoc />
    protected override double AttackLoss(ILossSample sample, IReadOnlyList<Tensor?> delta)
    {
        var rows = ((RowSample)sample).Rows;
        double total = 0;
        for (int start = 0; start < rows.Length; start += AttackChunk)
        {
            using var scope = torch.NewDisposeScope();
            var users = Indices(rows.AsSpan(start, Math.Min(AttackChunk, rows.Length - start)));
            var x = Dense.index_select(0, users);
            var input = delta[0] is { } d0 ? x + d0.index_select(0, users) : x;
            var w = delta[1] is { } d1 ? _net.B + d1 : _net.B;
            var loss = (x - input.matmul(w)).pow(2).sum();
            loss.backward();
            total += loss.item<float>();
        }
        return total;
    }

    /// <inheritdoc />
    protected override void OnParametersChanged() => _hostStale = true;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _dense?.Dispose();
        base.Dispose(disposing);
    }

    // The binary user-item matrix on the device, made when an attack or a perturbed view first needs it.
    private Tensor Dense => _dense ??= TorchData.Dense(Train, Device, ratings: false).DetachFromDisposeScope();

    private sealed class Weights : nn.Module
    {
        public Weights(int items, torch.Device device) : base("EASE")
        {
            B = torch.zeros(items, items, device: device);
            register_buffer("B", B);
        }

        public Tensor B { get; }
    }
}
