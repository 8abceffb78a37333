using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace AdvRec.Kernels;

/// <summary>
/// The Cholesky factorisation of a symmetric positive definite matrix and the inverse from it, in place on row-major
/// storage, in float32 or float64, blocked so that nearly all the work is the packed matrix product of
/// <see cref="Gemm"/> (LAPACK's potrf, trtri and lauum, by blocks of <see cref="Block"/>):
/// <list type="number">
/// <item>A = L·Lᵀ, right-looking: factor a diagonal block, solve the panel below it with the inverse of that block, and
/// take the panel's symmetric product from the lower trailing matrix;</item>
/// <item>M = L⁻¹, by block columns from the last (the inverse of each diagonal block was kept from step 1);</item>
/// <item>A⁻¹ = Mᵀ·M, by block rows from the first, each from the rows below it.</item>
/// </list>
/// n³/3 multiply-adds each, n³ floating-point operations in all. Only the lower triangle of the input is read; the
/// output is the lower triangle of the result with the strict upper triangle set to zero (<see cref="Symmetrize"/>
/// fills it). Each entry's order of additions does not depend on the thread count, so neither do the results.
/// </summary>
public static unsafe class Cholesky
{
    /// <summary>The block size of the three algorithms (a multiple of <see cref="Gemm.Mr"/> and of every register tile width).</summary>
    public const int Block = 192;

    /// <summary>
    /// Replaces the lower triangle of the n × n matrix at <paramref name="a"/> (row stride <paramref name="ld"/>) by its
    /// Cholesky factor L and zeroes the strict upper triangle.
    /// </summary>
    /// <exception cref="ArithmeticException">The matrix is not positive definite (the message names the first row where that shows).</exception>
    public static void Factor<T>(T* a, int n, nint ld, int threads = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var ws = new Gemm.Workspace<T>(threads);
        using var inverses = new DiagonalInverses<T>(n);
        Factor(ws, a, n, ld, inverses);
        ZeroUpper(a, n, ld, ws.Threads);
    }

    /// <summary>
    /// Replaces the lower triangle of the symmetric positive definite n × n matrix at <paramref name="a"/> (row stride
    /// <paramref name="ld"/>) by the lower triangle of its inverse, and zeroes the strict upper triangle. Needs no
    /// memory beyond the matrix but one block row and the packing buffers.
    /// </summary>
    /// <exception cref="ArithmeticException">The matrix is not positive definite (the message names the first row where that shows).</exception>
    public static void Invert<T>(T* a, int n, nint ld, int threads = 0, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n <= 0) return;
        using var ws = new Gemm.Workspace<T>(threads);
        using var inverses = new DiagonalInverses<T>(n);
        Factor(ws, a, n, ld, inverses, progress, cancellationToken);
        ZeroUpper(a, n, ld, ws.Threads);
        InvertFactor(ws, a, n, ld, inverses, progress, cancellationToken);
        MultiplyTransposeBySelf(ws, a, n, ld, progress, cancellationToken);
        ZeroUpper(a, n, ld, ws.Threads);
    }

    /// <summary>The span forms of <see cref="Factor{T}(T*, int, nint, int)"/>: <paramref name="a"/> holds n × n values.</summary>
    public static void Factor<T>(Span<T> a, int n, int threads = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(a.Length, n);
        fixed (T* p = a) Factor(p, n, n, threads);
    }

    /// <summary>The span form of <see cref="Invert{T}(T*, int, nint, int, IProgress{double}?, CancellationToken)"/>: <paramref name="a"/> holds n × n values.</summary>
    public static void Invert<T>(Span<T> a, int n, int threads = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(a.Length, n);
        fixed (T* p = a) Invert(p, n, n, threads);
    }

    /// <summary>Copies the lower triangle onto the upper one.</summary>
    public static void Symmetrize<T>(T* a, int n, nint ld) where T : unmanaged
    {
        const int Tile = 64;
        for (int i0 = 0; i0 < n; i0 += Tile)
            for (int j0 = 0; j0 <= i0; j0 += Tile)
                for (int i = i0; i < Math.Min(n, i0 + Tile); i++)
                    for (int j = j0; j < Math.Min(i, j0 + Tile); j++) a[j * ld + i] = a[i * ld + j];
    }

    private static void Check(int length, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (length < (long)n * n) throw new ArgumentException($"the matrix holds {length} values; an {n} × {n} matrix needs {(long)n * n}");
    }

    private static void ZeroUpper<T>(T* a, int n, nint ld, int threads) where T : unmanaged =>
        ForRows(threads, n, n < 256, i => new Span<T>(a + i * ld + i + 1, n - i - 1).Clear());

    // Runs body for each of rows rows, in chunks of 64 on up to the given threads (inline when small).
    private static void ForRows(int threads, int rows, bool inline, Action<int> body)
    {
        const int Chunk = 64;
        Gemm.ForEach(threads, (rows + Chunk - 1) / Chunk, inline, c =>
        {
            for (int r = c * Chunk; r < Math.Min(rows, (c + 1) * Chunk); r++) body(r);
        });
    }

    private static void Factor<T>(Gemm.Workspace<T> ws, T* a, int n, nint ld, DiagonalInverses<T> inverses,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* panel = inverses.Scratch;
        for (int k = 0; k < n; k += Block)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int kb = Math.Min(Block, n - k), below = n - k - kb;
            T* d = a + k * ld + k;
            FactorSmall(d, kb, ld, k);
            T* inv = inverses.Of(k);
            InvertSmall(d, ld, inv, kb);
            if (below == 0) break;
            // panel L21 = A21·L11⁻ᵀ, from a copy of A21
            T* a21 = d + kb * ld;
            MoveRows(ws.Threads, a21, ld, panel, kb, below, kb);
            Gemm.Multiply(ws, below, kb, kb, T.One, panel, kb, false, inv, kb, true, a21, ld);
            // trailing lower A22 -= L21·L21ᵀ
            Gemm.Multiply(ws, below, below, kb, -T.One, a21, ld, false, a21, ld, true, a21 + kb, ld, GemmShape.LowerC);
            progress?.Report((double)(k + kb) / n / 3);
        }
    }

    // M = L⁻¹ by block columns from the last: M21 = −M22·L21·L11⁻¹, M11 = L11⁻¹.
    private static void InvertFactor<T>(Gemm.Workspace<T> ws, T* a, int n, nint ld, DiagonalInverses<T> inverses,
        IProgress<double>? progress, CancellationToken cancellationToken) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* y = inverses.Scratch;
        int last = (n - 1) / Block * Block;
        for (int j = last; j >= 0; j -= Block)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int jb = Math.Min(Block, n - j), below = n - j - jb;
            T* inv = inverses.Of(j);
            T* d = a + j * ld + j;
            if (below > 0)
            {
                // Y = L21·L11⁻¹ (below × jb), then M21 = −M22·Y with M22 lower triangular
                T* m21 = d + jb * ld;
                MoveRows(ws.Threads, m21, ld, y, jb, below, jb); // y = L21, L21 = 0
                Gemm.Multiply(ws, below, jb, jb, T.One, y, jb, false, inv, jb, false, m21, ld); // L21·L11⁻¹ into M21's place
                MoveRows(ws.Threads, m21, ld, y, jb, below, jb);
                Gemm.Multiply(ws, below, jb, below, -T.One, m21 + jb, ld, false, y, jb, false, m21, ld, GemmShape.LowerA);
            }
            for (int i = 0; i < jb; i++) new Span<T>(inv + i * jb, i + 1).CopyTo(new Span<T>(d + i * ld, i + 1));
            progress?.Report((1 + (double)(n - j) / n) / 3);
        }
    }

    // A⁻¹ = Mᵀ·M, lower triangle, by block rows from the first: row block I is Σ over rows K ≥ I of M[K, I]ᵀ·M[K, 0..I],
    // so it needs only rows that later blocks no longer read; its own rows are copied first.
    private static void MultiplyTransposeBySelf<T>(Gemm.Workspace<T> ws, T* a, int n, nint ld,
        IProgress<double>? progress, CancellationToken cancellationToken) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var rowBlock = new NativeArray<T>((nint)Block * n);
        T* t = rowBlock.Pointer;
        for (int i0 = 0; i0 < n; i0 += Block)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int ib = Math.Min(Block, n - i0), i1 = i0 + ib;
            MoveRows(ws.Threads, a + i0 * ld, ld, t, i1, ib, i1);
            T* c = a + i0 * ld;
            // the block's own rows: M[I, I]ᵀ·M[I, 0..I]
            Gemm.Multiply(ws, ib, i1, ib, T.One, t + i0, i1, true, t, i1, false, c, ld);
            // the rows below
            if (i1 < n) Gemm.Multiply(ws, ib, i1, n - i1, T.One, a + i1 * ld + i0, ld, true, a + i1 * ld, ld, false, c, ld);
            progress?.Report((2 + (double)i1 / n) / 3);
        }
    }

    // Copies rows × cols values from src to dst and zeroes them in src, on up to the given threads.
    private static void MoveRows<T>(int threads, T* src, nint ldSrc, T* dst, nint ldDst, int rows, int cols) where T : unmanaged =>
        ForRows(threads, rows, (long)rows * cols < 32768, r =>
        {
            var from = new Span<T>(src + r * ldSrc, cols);
            from.CopyTo(new Span<T>(dst + r * ldDst, cols));
            from.Clear();
        });

    // Unblocked Cholesky of the kb × kb block at d (lower, in place; strict upper zeroed): row by row,
    // L[i, j] = (A[i, j] − L[i, 0..j]·L[j, 0..j]) / L[j, j].
    private static void FactorSmall<T>(T* d, int kb, nint ld, int offset) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < kb; i++)
        {
            T* row = d + i * ld;
            var ri = new ReadOnlySpan<T>(row, i);
            for (int j = 0; j < i; j++)
            {
                T* rj = d + j * ld;
                row[j] = (row[j] - TensorPrimitives.Dot(new ReadOnlySpan<T>(rj, j), ri[..j])) / rj[j];
            }
            T pivot = row[i] - TensorPrimitives.Dot(ri, ri);
            if (!(pivot > T.Zero))
            {
                throw new ArithmeticException(string.Create(CultureInfo.InvariantCulture,
                    $"the matrix is not positive definite: the pivot of row {offset + i} is {double.CreateChecked(pivot):G6}"));
            }
            row[i] = T.Sqrt(pivot);
            new Span<T>(row + i + 1, kb - i - 1).Clear();
        }
    }

    // inv (kb × kb, dense rows, strict upper zero) = L⁻¹ of the lower kb × kb block at d, row by row:
    // row i = (e_i − Σ_{k<i} L[i, k]·row k) / L[i, i].
    private static void InvertSmall<T>(T* d, nint ld, T* inv, int kb) where T : unmanaged, IFloatingPointIeee754<T>
    {
        new Span<T>(inv, kb * kb).Clear();
        for (int i = 0; i < kb; i++)
        {
            var row = new Span<T>(inv + i * kb, i + 1);
            T* li = d + i * ld;
            for (int k = 0; k < i; k++)
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<T>(inv + k * kb, k + 1), -li[k], row[..(k + 1)], row[..(k + 1)]);
            row[i] = T.One;
            TensorPrimitives.Divide(row, li[i], row);
        }
    }

    // The inverse of every diagonal block of L (kept from the factorisation for the inversion) and a scratch panel.
    private sealed class DiagonalInverses<T> : IDisposable where T : unmanaged
    {
        private readonly NativeArray<T> _blocks;
        private readonly NativeArray<T> _scratch;

        public DiagonalInverses(int n)
        {
            int count = (n + Block - 1) / Block;
            _blocks = new NativeArray<T>((nint)count * Block * Block);
            _scratch = new NativeArray<T>((nint)Math.Max(n, 1) * Block);
        }

        public T* Scratch => _scratch.Pointer;

        public T* Of(int k) => _blocks.Pointer + (nint)(k / Block) * Block * Block;

        public void Dispose()
        {
            _blocks.Dispose();
            _scratch.Dispose();
        }
    }
}
