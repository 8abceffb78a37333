using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using AdvRec.Data;
using AdvRec.Kernels;
using AdvRec.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AdvRec.Neural.Autoencoders;

/// <summary>
/// Hyperparameters of <see cref="Ease"/>. The default λ is Steck's value for ML-20M (his notebooks use
/// <c>lambda = 500</c>); Elliot's <c>EASER</c> defaults to <c>l2_norm = 1e3</c>.
/// </summary>
public sealed record EaseOptions : IDeviceOptions, ISeededOptions
{
    /// <summary>L2 weight λ added to the diagonal of the Gram matrix XᵀX (Steck 2019, ML-20M: 500; Elliot's <c>l2_norm</c>).</summary>
    [ConfigAlias("l2_norm")]
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

    /// <summary>
    /// What factorises and inverts the Gram matrix: <c>auto</c> (the default: on the CPU OpenBLAS where the machine has
    /// it, else the managed kernels; libtorch on CUDA), <c>openblas</c> (OpenBLAS's potrf and potri,
    /// <see cref="AdvRec.Kernels.OpenBlas"/>), <c>managed</c> (AdvRec's blocked Cholesky and inverse,
    /// <see cref="AdvRec.Kernels.Cholesky"/>) or <c>torch</c> (libtorch's <c>linalg.cholesky</c> and
    /// <c>cholesky_inverse</c>: the LAPACK inside libtorch on the CPU).
    /// </summary>
    public EaseSolver Solver { get; init; } = EaseSolver.Auto;

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

/// <summary>What inverts EASE's Gram matrix (see <see cref="EaseOptions.Solver"/>).</summary>
public enum EaseSolver
{
    /// <summary>On the CPU OpenBLAS where it loads, else the managed kernels; libtorch on CUDA.</summary>
    Auto,

    /// <summary>OpenBLAS's potrf and potri on the CPU, in place (the weights are copied to the device after); an error where OpenBLAS is missing.</summary>
    OpenBlas,

    /// <summary>AdvRec's blocked Cholesky and inverse on the CPU (the weights are copied to the device after).</summary>
    Managed,

    /// <summary>libtorch's Cholesky and <c>cholesky_inverse</c>, on the model's device.</summary>
    Torch,
}

/// <summary>
/// EASE (Steck, WWW 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): an item-item weight matrix B with
/// a zero diagonal, in closed form <c>B = I − P·diagMat(1/diag(P))</c> with <c>P = (XᵀX + λI)⁻¹</c>, where X is the
/// binary user-item training matrix. The lower triangle of the Gram matrix is counted exactly from the sparse rows
/// (<see cref="SparseKernels.GramLower{T}"/>), and P comes from a Cholesky factorisation in float64 (or float32, see
/// <see cref="EaseOptions.Precision"/>): on the CPU AdvRec's blocked kernels (<see cref="Cholesky"/>), on CUDA or with
/// <c>solver: torch</c> libtorch's <c>linalg.cholesky</c>, then <c>cholesky_inverse</c>. Scores are <c>x_u · B</c>, from
/// the user's training row, as sums of B's rows (<see cref="StripedMatrix.SumRows"/>): a user unseen in fitting is
/// scored from their fold-in row.
/// <para>
/// Not iterative: the first epoch fits, later epochs change nothing and say so in the log. Before any work the
/// model estimates the memory the fit needs and refuses, with the number, when it exceeds the budget.
/// The reported loss is the plain reconstruction error <c>‖X − XB‖²_F</c>, computed exactly from P and B:
/// <c>GB = G − D⁻¹ + λ(I − B)</c> with <c>D = diagMat(diag P)</c> gives <c>‖X − XB‖² = tr(G) − tr(GB) − λ‖B‖² =
/// Σ_j 1/P_jj − λ·n − λ‖B‖²</c>.
/// Perturbable targets: <c>input</c> (the users' rows of X, users × items) and <c>item_weights</c> (B, items × items);
/// the attack loss is <c>Σ_u ‖x_u − (x_u + δ_u)(B + Δ_B)‖²</c>.
/// </para>
/// </summary>
public sealed unsafe class Ease : NeuralModel
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
    private readonly Lock _hostGate = new();
    private Tensor? _dense;
    private StripedMatrix? _hostWeights;
    private bool _hostStale = true;
    private bool _hostJustFitted;
    private double _loss;

    /// <summary>A model for <paramref name="train"/>; <paramref name="dataName"/> names the data in errors.</summary>
    /// <exception cref="InvalidOperationException">The fit would need more memory than the budget (the message gives both numbers).</exception>
    public Ease(EaseOptions options, Interactions train, Action<string>? log = null, string? dataName = null)
        : base(Checked(options, train, dataName), options.Device, options.Seed, log)
    {
        _options = options;
        _log = log;
        Solver = ResolveSolver(options, Device);
        _net = new Weights(NumItems, Device);
        PerturbationTargets = [new PerturbationTarget(Input, NumUsers, NumItems), new PerturbationTarget(ItemWeights, NumItems, NumItems)];
        _log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"EASE: {NumItems:N0} items, {SolverName}, estimated peak memory {EstimateBytes(train.NumUsers, train.NumItems, options.Precision, Solver != EaseSolver.Torch) / 1048576.0:N0} MiB of a budget of {Budget(options) / 1048576.0:N0} MiB"));
    }

    /// <inheritdoc />
    public override IReadOnlyList<PerturbationTarget> PerturbationTargets { get; }

    /// <inheritdoc />
    protected override nn.Module Network => _net;

    /// <inheritdoc />
    protected override string PersistedName => ModelName;

    /// <inheritdoc />
    protected override object PersistedOptions => _options;

    /// <summary>
    /// The bytes the fit needs at its peak for <paramref name="items"/> items and <paramref name="users"/> users. The
    /// managed and OpenBLAS solvers work in place on one items² matrix of the fit's precision (8 bytes a value in
    /// float64, 4 in float32; <paramref name="inPlace"/>); libtorch's needs four (the Gram matrix on the host and on the device, its Cholesky factor and
    /// inverse). Both add the weights in float32 (the model's, the host copy for scoring and one in transit) and the
    /// dense float32 user-item matrix that attacks use.
    /// </summary>
    public static long EstimateBytes(int users, int items, EasePrecision precision = EasePrecision.Float64, bool inPlace = true)
    {
        long n2 = (long)items * items;
        return n2 * ElementSize(precision) * (inPlace ? 1 : 4) + n2 * 4 * 3 + (long)users * items * 4;
    }

    /// <summary>The solver that fits this model (<see cref="EaseOptions.Solver"/> with <c>auto</c> resolved; never <c>Auto</c>).</summary>
    public EaseSolver Solver { get; }

    private string SolverName => Solver switch
    {
        EaseSolver.OpenBlas => OpenBlas.Description,
        EaseSolver.Managed => _options.Solver == EaseSolver.Auto && Device.type == DeviceType.CPU
            ? $"managed Cholesky and inverse ({OpenBlas.Description})"
            : "managed Cholesky and inverse",
        _ => $"libtorch Cholesky and cholesky_inverse on {Device}",
    };

    // auto: OpenBLAS, else the managed kernels, on the CPU; libtorch on CUDA. openblas where it is missing: an error.
    private static EaseSolver ResolveSolver(EaseOptions options, torch.Device device) => options.Solver switch
    {
        EaseSolver.Auto => device.type != DeviceType.CPU ? EaseSolver.Torch : OpenBlas.IsAvailable ? EaseSolver.OpenBlas : EaseSolver.Managed,
        EaseSolver.OpenBlas when !OpenBlas.IsAvailable => throw new InvalidOperationException(
            $"EASE solver openblas: {OpenBlas.Description}; install it (Debian: apt-get install libopenblas0-pthread) or choose solver: managed"),
        var chosen => chosen,
    };

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
        bool managed = ResolveSolver(options, TorchDevices.Resolve(options.Device)) != EaseSolver.Torch;
        long need = EstimateBytes(train.NumUsers, train.NumItems, options.Precision, managed), budget = Budget(options);
        if (need > budget)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"EASE on {dataName ?? "the training data"}: {train.NumItems:N0} items need about {need / 1048576.0:N0} MiB " +
                $"(items² {(options.Precision == EasePrecision.Float32 ? "float32" : "float64")} matrices: {(managed ? "the Gram matrix, factorised and inverted in place" : "Gram, Cholesky factor, inverse")}; plus the float32 weights and the user-item matrix), " +
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
        if (_options.Precision == EasePrecision.Float32) Fit<float>(progress, cancellationToken);
        else Fit<double>(progress, cancellationToken);
    }

    // P in place of the Gram matrix (lower triangle), then B and the loss from P. The host weights are written first and
    // copied to the model's tensor, so scoring on the host needs no copy back.
    private void Fit<T>(IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = NumItems;
        int threads = torch.get_num_threads();
        var clock = Stopwatch.StartNew();
        Report(progress, "EASE fit", 0, 3);
        double sumInverseDiagonal, squared;
        double gramSeconds, inverseSeconds;
        using (var a = new NativeArray<T>((nint)n * n, zeroed: false))
        {
            SparseKernels.GramLower(Train.RowPointers, Train.ItemIndices, n, a.Pointer, n, threads, cancellationToken);
            T lambda = T.CreateChecked(_options.Lambda);
            for (int i = 0; i < n; i++) a.Pointer[(nint)i * n + i] += lambda;
            gramSeconds = clock.Elapsed.TotalSeconds;
            Report(progress, "EASE fit", 1, 3);
            switch (Solver)
            {
                case EaseSolver.OpenBlas: OpenBlas.Invert(a.Pointer, n, n, threads); break;
                case EaseSolver.Managed: Cholesky.Invert(a.Pointer, n, n, threads, null, cancellationToken); break;
                default: InvertWithTorch(a, n); break;
            }
            inverseSeconds = clock.Elapsed.TotalSeconds;
            Report(progress, "EASE fit", 2, 3);
            _hostWeights ??= new StripedMatrix(n, n);
            (sumInverseDiagonal, squared) = WeightsFromInverse(a.Pointer, n, _hostWeights, threads);
        }
        _loss = sumInverseDiagonal - _options.Lambda * n - _options.Lambda * squared;
        if (Device.type == DeviceType.CPU && (long)n * n * sizeof(float) <= int.MaxValue)
            _hostWeights.CopyTo(MemoryMarshal.Cast<byte, float>(_net.B.bytes)); // no third copy of B in transit
        else
        {
            var rowMajor = new float[(long)n * n];
            _hostWeights.CopyTo(rowMajor);
            using var host = torch.tensor(rowMajor, [n, n]);
            _net.B.copy_(host);
        }
        lock (_hostGate)
        {
            _hostStale = false;
            _hostJustFitted = true;
        }
        _log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"EASE fit: Gram {gramSeconds:F3} s, {SolverName} {inverseSeconds - gramSeconds:F3} s, weights {clock.Elapsed.TotalSeconds - inverseSeconds:F3} s (lambda {_options.Lambda}, {typeof(T).Name}, {threads} threads)"));
        Report(progress, "EASE fit", 3, 3);
    }

    // libtorch's potrf and potri on the model's device, from and back into the host matrix (lower triangle read; the
    // full inverse written back).
    private void InvertWithTorch<T>(NativeArray<T> a, int n) where T : unmanaged
    {
        var dtype = typeof(T) == typeof(float) ? ScalarType.Float32 : ScalarType.Float64;
        int rowsPerCopy = (int)Math.Clamp((1L << 28) / ((long)n * sizeof(T)), 1, n); // each copy well below 2 GiB
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var host = torch.empty([n, n], dtype);
        for (int r = 0; r < n; r += rowsPerCopy)
        {
            int rows = Math.Min(rowsPerCopy, n - r);
            using var slice = host.narrow(0, r, rows);
            MemoryMarshal.AsBytes(a.Slice((nint)r * n, rows * n)).CopyTo(slice.bytes);
        }
        var l = torch.linalg.cholesky(host.to(Device));
        var p = torch.cholesky_inverse(l).cpu().contiguous();
        for (int r = 0; r < n; r += rowsPerCopy)
        {
            int rows = Math.Min(rowsPerCopy, n - r);
            using var slice = p.narrow(0, r, rows);
            slice.bytes.CopyTo(MemoryMarshal.AsBytes(a.Slice((nint)r * n, rows * n)));
        }
    }

    // B_ij = −P_ij / P_jj off the diagonal, 0 on it, from the lower triangle of P, by 64 × 64 tiles (a tile above the
    // diagonal reads its mirror, which stays in cache); returns Σ_j 1/P_jj and ‖B‖² (B in the fit's precision).
    private static (double SumInverseDiagonal, double Squared) WeightsFromInverse<T>(T* p, int n, StripedMatrix b, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int Tile = StripedMatrix.Strip; // a column tile is one strip of b
        var inverseDiagonal = new double[n];
        double sum = 0;
        for (int j = 0; j < n; j++)
        {
            double d = double.CreateChecked(p[(nint)j * n + j]);
            if (!(d > 0)) throw new ArithmeticException($"EASE: P's diagonal entry {j} is {d}; the Gram matrix plus lambda is not positive definite");
            inverseDiagonal[j] = 1 / d;
            sum += inverseDiagonal[j];
        }
        int tiles = (n + Tile - 1) / Tile;
        var squares = new double[tiles];
        Parallel.For(0, tiles, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, ti =>
        {
            int i0 = ti * Tile, i1 = Math.Min(n, i0 + Tile);
            double sq = 0;
            for (int j0 = 0; j0 < n; j0 += Tile)
            {
                int j1 = Math.Min(n, j0 + Tile);
                for (int i = i0; i < i1; i++)
                {
                    long row = (long)i * n;
                    float* dst = b.At(i, j0);
                    for (int j = j0; j < j1; j++)
                    {
                        double v = i == j ? 0 : -double.CreateTruncating(j <= i ? p[row + j] : p[(nint)j * n + i]) * inverseDiagonal[j];
                        var f = typeof(T) == typeof(float) ? (float)v : v;
                        sq += f * f;
                        dst[j - j0] = (float)v;
                    }
                }
            }
            squares[ti] = sq;
        });
        double squared = 0;
        foreach (double sq in squares) squared += sq;
        return (sum, squared);
    }

    /// <inheritdoc />
    protected override Tensor ScoreUsers(Tensor users, IReadOnlyList<Tensor?>? delta)
    {
        bool perturbed = delta is not null && delta.Any(d => d is not null);
        if (!perturbed && Device.type == DeviceType.CPU)
        {
            var ids = users.data<long>().Select(u => (int)u).ToArray();
            var scores = new float[(long)ids.Length * NumItems];
            SparseScores(ids, scores);
            return torch.tensor(scores, [ids.Length, NumItems]);
        }
        var x = Dense.index_select(0, users);
        if (delta?[0] is { } d0) x = x + d0.index_select(0, users);
        var w = delta?[1] is { } d1 ? _net.B + d1 : _net.B;
        return x.matmul(w);
    }

    /// <inheritdoc />
    protected override bool TryScoreOnHost(ReadOnlySpan<int> users, Span<float> scores)
    {
        if (Device.type != DeviceType.CPU) return false;
        SparseScores(users, scores);
        return true;
    }

    // x_u·B from the sparse training rows, as sums of B's rows on the host (any number of threads at once).
    private void SparseScores(ReadOnlySpan<int> users, Span<float> scores)
    {
        StripedMatrix weights;
        lock (_hostGate)
        {
            if (_hostStale || _hostWeights is null)
            {
                var rowMajor = new float[(long)NumItems * NumItems];
                CopyToSpan(_net.B, rowMajor);
                _hostWeights ??= new StripedMatrix(NumItems, NumItems);
                _hostWeights.CopyFrom(rowMajor);
                _hostStale = false;
            }
            weights = _hostWeights;
        }
        weights.SumRows(Train.RowPointers, Train.ItemIndices, users, scores);
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
    protected override void OnParametersChanged()
    {
        lock (_hostGate)
        {
            // the fit wrote the host weights itself: only the call right after it may keep them
            if (_hostJustFitted) _hostJustFitted = false;
            else _hostStale = true;
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _dense?.Dispose();
            _hostWeights?.Dispose();
            _hostWeights = null;
        }
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
