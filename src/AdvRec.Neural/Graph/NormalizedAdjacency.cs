using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using AdvRec.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace AdvRec.Neural.Graph;

/// <summary>
/// The symmetric normalised user-item adjacency of LightGCN, <c>Â = D^-1/2 A D^-1/2</c> over the
/// <c>users + items</c> nodes (users first), as CSR in float32, with a managed sparse × dense product that runs in
/// parallel over row blocks of equal non-zero count. Â is symmetric, so the backward of <c>Y = Â X</c> is
/// <c>∂X = Â ∂Y</c>: the same product. Scratch buffers are kept, so a propagation allocates nothing.
/// </summary>
internal sealed class NormalizedAdjacency
{
    private readonly int[] _rowPtr;
    private readonly int[] _col;
    private readonly float[] _val;
    private readonly int[] _blocks; // row boundaries of the parallel blocks
    private float[]? _scratchA, _scratchB;
    private int _scratchColumns;

    /// <summary>Builds Â from the training interactions.</summary>
    public NormalizedAdjacency(Interactions train)
    {
        NumUsers = train.NumUsers;
        NumItems = train.NumItems;
        int n = NumUsers + NumItems;
        var itemDegree = train.ItemDegrees();
        var rowPtr = new int[n + 1];
        for (int u = 0; u < NumUsers; u++) rowPtr[u + 1] = rowPtr[u] + train.DegreeOf(u);
        for (int i = 0; i < NumItems; i++) rowPtr[NumUsers + i + 1] = rowPtr[NumUsers + i] + itemDegree[i];
        var col = new int[rowPtr[n]];
        var val = new float[rowPtr[n]];
        var fill = new int[NumItems];
        var userPtr = train.RowPointers;
        var items = train.ItemIndices;
        for (int u = 0; u < NumUsers; u++)
        {
            float du = train.DegreeOf(u);
            for (int k = userPtr[u]; k < userPtr[u + 1]; k++)
            {
                int i = items[k];
                float w = 1f / MathF.Sqrt(du * itemDegree[i]);
                col[k] = NumUsers + i; // user rows: items in ascending order
                val[k] = w;
                int slot = rowPtr[NumUsers + i] + fill[i]++;
                col[slot] = u; // item rows: users in ascending order (users are visited in order)
                val[slot] = w;
            }
        }
        _rowPtr = rowPtr;
        _col = col;
        _val = val;
        int parts = Math.Max(1, Environment.ProcessorCount * 4);
        _blocks = new int[parts + 1];
        int row = 0;
        for (int p = 1; p <= parts; p++)
        {
            long target = (long)rowPtr[n] * p / parts;
            while (row < n && rowPtr[row] < target) row++;
            _blocks[p] = p == parts ? n : row;
        }
    }

    /// <summary>Users (the first rows).</summary>
    public int NumUsers { get; }

    /// <summary>Items (the rows after the users).</summary>
    public int NumItems { get; }

    /// <summary>Nodes: users + items.</summary>
    public int Nodes => NumUsers + NumItems;

    /// <summary>Stored non-zeros (twice the training pairs).</summary>
    public int NonZeros => _val.Length;

    /// <summary>Â as a coalesced sparse COO tensor on <paramref name="device"/> (for the TorchSharp engine).</summary>
    public Tensor ToTorch(torch.Device device)
    {
        using var scope = torch.NewDisposeScope();
        int nnz = NonZeros;
        var index = new long[2 * nnz];
        for (int r = 0; r < Nodes; r++)
        {
            for (int k = _rowPtr[r]; k < _rowPtr[r + 1]; k++)
            {
                index[k] = r;
                index[nnz + k] = _col[k];
            }
        }
        var sparse = torch.sparse_coo_tensor(torch.tensor(index, [2, nnz]), torch.tensor(_val), [Nodes, Nodes]); // rows and columns in order, no duplicates
        return sparse.to(device).MoveToOuterDisposeScope();
    }

    /// <summary>The dense Â (for tests on small graphs).</summary>
    public float[,] ToDense()
    {
        var dense = new float[Nodes, Nodes];
        for (int r = 0; r < Nodes; r++)
            for (int k = _rowPtr[r]; k < _rowPtr[r + 1]; k++) dense[r, _col[k]] = _val[k];
        return dense;
    }

    /// <summary><c>y = Â x</c> for row-major [nodes, columns] matrices (y is overwritten; x and y must differ).</summary>
    public unsafe void Multiply(ReadOnlySpan<float> x, Span<float> y, int columns)
    {
        long size = (long)Nodes * columns;
        if (x.Length < size || y.Length < size) throw new ArgumentException($"expected [{Nodes}, {columns}] matrices");
        fixed (float* px = x, py = y)
        {
            Multiply(px, py, columns);
        }
    }

    private unsafe void Multiply(float* x, float* y, int columns)
    {
        var xp = (nint)x;
        var yp = (nint)y;
        Parallel.For(0, _blocks.Length - 1, b => MultiplyRows((float*)xp, (float*)yp, columns, _blocks[b], _blocks[b + 1]));
    }

    private unsafe void MultiplyRows(float* x, float* y, int f, int start, int end)
    {
        fixed (int* rowPtr = _rowPtr, col = _col)
        fixed (float* val = _val)
        {
            if (f == 64 && Vector512.IsHardwareAccelerated)
            {
                for (int r = start; r < end; r++)
                {
                    var a0 = Vector512<float>.Zero;
                    var a1 = Vector512<float>.Zero;
                    var a2 = Vector512<float>.Zero;
                    var a3 = Vector512<float>.Zero;
                    for (int k = rowPtr[r]; k < rowPtr[r + 1]; k++)
                    {
                        float* xr = x + (long)col[k] * 64;
                        var w = Vector512.Create(val[k]);
                        a0 = Vector512.FusedMultiplyAdd(Vector512.Load(xr), w, a0);
                        a1 = Vector512.FusedMultiplyAdd(Vector512.Load(xr + 16), w, a1);
                        a2 = Vector512.FusedMultiplyAdd(Vector512.Load(xr + 32), w, a2);
                        a3 = Vector512.FusedMultiplyAdd(Vector512.Load(xr + 48), w, a3);
                    }
                    float* yr = y + (long)r * 64;
                    a0.Store(yr);
                    a1.Store(yr + 16);
                    a2.Store(yr + 32);
                    a3.Store(yr + 48);
                }
                return;
            }
            if (f % 8 == 0 && Vector256.IsHardwareAccelerated)
            {
                for (int r = start; r < end; r++)
                {
                    float* yr = y + (long)r * f;
                    for (int c = 0; c < f; c += 8) Vector256<float>.Zero.Store(yr + c);
                    for (int k = rowPtr[r]; k < rowPtr[r + 1]; k++)
                    {
                        float* xr = x + (long)col[k] * f;
                        var w = Vector256.Create(val[k]);
                        for (int c = 0; c < f; c += 8)
                            Vector256.FusedMultiplyAdd(Vector256.Load(xr + c), w, Vector256.Load(yr + c)).Store(yr + c);
                    }
                }
                return;
            }
            for (int r = start; r < end; r++)
            {
                float* yr = y + (long)r * f;
                for (int c = 0; c < f; c++) yr[c] = 0f;
                for (int k = rowPtr[r]; k < rowPtr[r + 1]; k++)
                {
                    float* xr = x + (long)col[k] * f;
                    float w = val[k];
                    for (int c = 0; c < f; c++) yr[c] += w * xr[c];
                }
            }
        }
    }

    /// <summary>
    /// LightGCN's propagation: <c>output = Σ_k weights[k] · Â^k · input</c> for k = 0 .. weights.Length − 1, on
    /// row-major [nodes, columns] matrices. The same call with the output's gradient as <paramref name="input"/>
    /// is the backward pass (Â is symmetric), evaluated by Horner's rule.
    /// </summary>
    public unsafe void Propagate(ReadOnlySpan<float> input, Span<float> output, int columns, ReadOnlySpan<float> weights)
    {
        long size = (long)Nodes * columns;
        if (input.Length < size || output.Length < size) throw new ArgumentException($"expected [{Nodes}, {columns}] matrices");
        int layers = weights.Length - 1;
        if (layers < 0) throw new ArgumentException("at least one weight is needed", nameof(weights));
        EnsureScratch(columns);
        var a = _scratchA!;
        var b = _scratchB!;
        fixed (float* pin = input, pout = output, pa = a, pb = b)
        {
            // Horner: acc = w_K x; acc = Â acc + w_k x for k = K-1 .. 0
            if (layers == 0)
            {
                Scale(pin, weights[0], pout, size);
                return;
            }
            Scale(pin, weights[layers], pa, size);
            float* acc = pa, next = pb;
            for (int k = layers - 1; k >= 0; k--)
            {
                float* target = k == 0 ? pout : next;
                Multiply(acc, target, columns);
                AddScaled(target, pin, weights[k], size);
                if (k > 0)
                {
                    float* previous = acc;
                    acc = target;
                    next = previous;
                }
            }
        }
    }

    private void EnsureScratch(int columns)
    {
        if (_scratchA is not null && _scratchColumns == columns) return;
        _scratchA = new float[(long)Nodes * columns];
        _scratchB = new float[(long)Nodes * columns];
        _scratchColumns = columns;
    }

    private static unsafe void Scale(float* x, float w, float* y, long size) =>
        System.Numerics.Tensors.TensorPrimitives.Multiply(new ReadOnlySpan<float>(x, checked((int)size)), w, new Span<float>(y, (int)size));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddScaled(float* y, float* x, float w, long size)
    {
        var ys = new Span<float>(y, checked((int)size));
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(x, (int)size), w, ys, ys);
    }
}
