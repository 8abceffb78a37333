using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AdvRec.Kernels;

/// <summary>Which part of a GEMM may be skipped because it is known to be zero or is not wanted.</summary>
internal enum GemmShape
{
    /// <summary>The whole product.</summary>
    Full,

    /// <summary>
    /// Only the lower part of C is wanted (C square, the product written on its diagonal, as in a symmetric rank-k
    /// update): micro-tiles wholly above the diagonal are skipped; the tiles that the diagonal crosses are computed
    /// whole, so some entries just above the diagonal are written too.
    /// </summary>
    LowerC,

    /// <summary>op(A) is lower triangular (op(A)[i, p] = 0 for p &gt; i): each row tile runs its sum only up to its last row.</summary>
    LowerA,
}

/// <summary>
/// A cache-blocked, packed matrix product on row-major storage, <c>C += α·op(A)·op(B)</c>, in float32 or float64, on
/// several threads. Goto's layout: op(B) is packed in panels of <see cref="Kc"/> rows by the register tile's width,
/// op(A) in panels of <see cref="Mc"/> rows, and a register-tiled micro-kernel (6 rows × 2 vectors, the whole tile in
/// 12 registers) runs the sum over one packed depth. The vectors are 512 bits wide where the processor runs them
/// natively (AVX-512), 256 bits otherwise. Each entry of C is computed by one thread with the
/// same order of additions whatever the thread count, so results do not depend on it.
/// </summary>
internal static unsafe class Gemm
{
    /// <summary>Rows of the register tile.</summary>
    public const int Mr = 6;

    /// <summary>Depth of one packed block (rows of op(B), columns of op(A)).</summary>
    public const int Kc = 256;

    /// <summary>Rows of op(A) packed at a time (a multiple of <see cref="Mr"/>; Kc × Mc values stay in L2).</summary>
    public const int Mc = 96;

    /// <summary>Columns of op(B) packed at a time (Kc × Nc values in L3).</summary>
    public const int Nc = 4096;

    /// <summary>The widest register tile: 6 rows × 2 vectors of 512 bits in float32.</summary>
    private const int MaxTile = Mr * 32;

    /// <summary>
    /// C (m × n, row stride ldc) += α·op(A)·op(B), op(A) m × k, op(B) k × n. With <paramref name="transA"/>, A is stored
    /// k × m (op(A) = Aᵀ); with <paramref name="transB"/>, B is stored n × k.
    /// </summary>
    public static void Multiply<T>(Workspace<T> ws, int m, int n, int k, T alpha,
        T* a, nint lda, bool transA, T* b, nint ldb, bool transB, T* c, nint ldc, GemmShape shape = GemmShape.Full)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m <= 0 || n <= 0 || k <= 0) return;
        int nr = ws.Nr;
        for (int jc = 0; jc < n; jc += Nc)
        {
            int nc = Math.Min(Nc, n - jc);
            int panels = (nc + nr - 1) / nr;
            for (int pc = 0; pc < k; pc += Kc)
            {
                int kc = Math.Min(Kc, k - pc);
                // LowerA: rows above pc see only zeros in this depth block
                int firstRow = shape == GemmShape.LowerA ? pc / Mr * Mr : 0;
                // LowerC: columns past the last row are not wanted
                int lastCol = shape == GemmShape.LowerC ? Math.Min(nc, m - jc) : nc;
                if (firstRow >= m || lastCol <= 0) continue;
                int usedPanels = (lastCol + nr - 1) / nr;
                T* bp = ws.PackedB(kc, panels);
                T* bSrc = transB ? b + (nint)jc * ldb + pc : b + (nint)pc * ldb + jc;
                ForEach(ws.Threads, usedPanels, (long)kc * lastCol < 65536, p => PackB(bp, bSrc, ldb, transB, kc, nr, p, Math.Min(nr, nc - p * nr)));

                int blocks = (m - firstRow + Mc - 1) / Mc;
                int split = blocks >= 2 * ws.Threads ? 1 : Math.Min(usedPanels, (2 * ws.Threads + blocks - 1) / blocks);
                T* cBase = c + jc;
                T* aSrcBase = transA ? a + (nint)pc * lda : a + pc;
                int tasks = blocks * split;
                ForEach(ws.Threads, tasks, false, task =>
                {
                    // lower shapes give the last row blocks the most work: hand those out first
                    if (shape != GemmShape.Full) task = tasks - 1 - task;
                    int i0 = firstRow + task / split * Mc, mc = Math.Min(Mc, m - i0), part = task % split;
                    int p0 = (int)((long)usedPanels * part / split), p1 = (int)((long)usedPanels * (part + 1) / split);
                    if (shape == GemmShape.LowerC) p1 = Math.Min(p1, (i0 + mc - jc + nr - 1) / nr);
                    if (p1 <= p0) return;
                    T* ap = ws.PackedA();
                    PackA(ap, transA ? aSrcBase + i0 : aSrcBase + (nint)i0 * lda, lda, transA, kc, mc);
                    Macro(ap, bp, kc, i0, mc, p0, p1, nc, nr, ws.Wide, pc, shape, jc, alpha, cBase, ldc);
                });
            }
        }
    }

    private static void Macro<T>(T* ap, T* bp, int kc, int i0, int mc, int p0, int p1, int nc, int nr, bool wide, int pc,
        GemmShape shape, int jc, T alpha, T* c, nint ldc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* tile = stackalloc T[MaxTile];
        for (int p = p0; p < p1; p++)
        {
            int j = p * nr, cols = Math.Min(nr, nc - j);
            T* bPanel = bp + (nint)p * kc * nr;
            for (int ir = 0; ir < mc; ir += Mr)
            {
                int i = i0 + ir, rows = Math.Min(Mr, mc - ir);
                if (shape == GemmShape.LowerC && jc + j >= i + rows) continue;
                int depth = kc;
                if (shape == GemmShape.LowerA) depth = Math.Min(kc, i + rows - pc);
                if (depth <= 0) continue;
                T* aPanel = ap + (nint)ir * kc;
                T* cTile = c + (nint)i * ldc + j;
                bool full = rows == Mr && cols == nr;
                if (!full) new Span<T>(tile, Mr * nr).Clear();
                T* target = full ? cTile : tile;
                nint ld = full ? ldc : nr;
                if (wide) Kernel<T, Vector512<T>, Ops512<T>>(depth, aPanel, bPanel, target, ld, alpha);
                else Kernel<T, Vector256<T>, Ops256<T>>(depth, aPanel, bPanel, target, ld, alpha);
                if (!full)
                {
                    for (int r = 0; r < rows; r++)
                        for (int q = 0; q < cols; q++) cTile[r * ldc + q] += tile[r * nr + q];
                }
            }
        }
    }

    // The register tile: C[6 × 2 vectors] += α Σ_p a_p ⊗ b_p, a_p the 6 packed values of row p, b_p 2 vectors, for
    // either vector width (the JIT compiles one copy per width, with the 12 accumulators in registers).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel<T, TVec, TOps>(int kc, T* a, T* b, T* c, nint ldc, T alpha)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, T>
    {
        int w = TOps.Count;
        // the tile of C is read only after the loop: ask for its lines now (each row's 2 vectors, maybe unaligned)
        if (Sse.IsSupported)
        {
            int bytes = 2 * w * sizeof(T);
            for (int r = 0; r < Mr; r++)
            {
                byte* row = (byte*)(c + r * ldc);
                for (int offset = 0; offset < bytes; offset += 64) Sse.Prefetch0(row + offset);
                Sse.Prefetch0(row + bytes - 1);
            }
        }
        TVec c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        TVec c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = TOps.Load(b);
            var b1 = TOps.Load(b + w);
            var x = TOps.Broadcast(a[0]);
            c00 = TOps.Fma(x, b0, c00); c01 = TOps.Fma(x, b1, c01);
            x = TOps.Broadcast(a[1]);
            c10 = TOps.Fma(x, b0, c10); c11 = TOps.Fma(x, b1, c11);
            x = TOps.Broadcast(a[2]);
            c20 = TOps.Fma(x, b0, c20); c21 = TOps.Fma(x, b1, c21);
            x = TOps.Broadcast(a[3]);
            c30 = TOps.Fma(x, b0, c30); c31 = TOps.Fma(x, b1, c31);
            x = TOps.Broadcast(a[4]);
            c40 = TOps.Fma(x, b0, c40); c41 = TOps.Fma(x, b1, c41);
            x = TOps.Broadcast(a[5]);
            c50 = TOps.Fma(x, b0, c50); c51 = TOps.Fma(x, b1, c51);
            a += Mr;
            b += 2 * w;
        }
        var s = TOps.Broadcast(alpha);
        Store<T, TVec, TOps>(c, w, s, c00, c01);
        Store<T, TVec, TOps>(c + ldc, w, s, c10, c11);
        Store<T, TVec, TOps>(c + 2 * ldc, w, s, c20, c21);
        Store<T, TVec, TOps>(c + 3 * ldc, w, s, c30, c31);
        Store<T, TVec, TOps>(c + 4 * ldc, w, s, c40, c41);
        Store<T, TVec, TOps>(c + 5 * ldc, w, s, c50, c51);
    }

    // One row of the tile: C[row] += α·(v0, v1).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T, TVec, TOps>(T* c, int w, TVec alpha, TVec v0, TVec v1)
        where T : unmanaged
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, T>
    {
        TOps.Store(TOps.Fma(alpha, v0, TOps.Load(c)), c);
        TOps.Store(TOps.Fma(alpha, v1, TOps.Load(c + w)), c + w);
    }

    /// <summary>The vector operations of the register tile, for one vector type (implemented by value types, so calls inline).</summary>
    private interface IVectorOps<TVec, T> where TVec : struct where T : unmanaged
    {
        static abstract int Count { get; }

        static abstract TVec Load(T* p);

        static abstract TVec Broadcast(T value);

        /// <summary>a·b + c in one rounding where the hardware has it (only the branch of T is compiled).</summary>
        static abstract TVec Fma(TVec a, TVec b, TVec c);

        static abstract void Store(TVec value, T* p);
    }

    private readonly struct Ops256<T> : IVectorOps<Vector256<T>, T> where T : unmanaged
    {
        public static int Count => Vector256<T>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Load(T* p) => Vector256.Load(p);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Broadcast(T value) => Vector256.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Fma(Vector256<T> a, Vector256<T> b, Vector256<T> c)
        {
            if (typeof(T) == typeof(double)) return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
            if (typeof(T) == typeof(float)) return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            throw new NotSupportedException(typeof(T).Name);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<T> value, T* p) => Vector256.Store(value, p);
    }

    private readonly struct Ops512<T> : IVectorOps<Vector512<T>, T> where T : unmanaged
    {
        public static int Count => Vector512<T>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Load(T* p) => Vector512.Load(p);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Broadcast(T value) => Vector512.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Fma(Vector512<T> a, Vector512<T> b, Vector512<T> c)
        {
            if (typeof(T) == typeof(double)) return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
            if (typeof(T) == typeof(float)) return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            throw new NotSupportedException(typeof(T).Name);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<T> value, T* p) => Vector512.Store(value, p);
    }

    // op(A)[i0.., pc..] (mc × kc) into panels of Mr rows, each kc × Mr, depth-major; rows past mc are zero.
    private static void PackA<T>(T* dst, T* src, nint lda, bool trans, int kc, int mc) where T : unmanaged
    {
        for (int ir = 0; ir < mc; ir += Mr)
        {
            int rows = Math.Min(Mr, mc - ir);
            T* d = dst + (nint)ir * kc;
            if (trans)
            {
                // op(A)[i, p] = A[p, i]: each depth step reads Mr consecutive values
                T* s = src + ir;
                for (int p = 0; p < kc; p++, s += lda, d += Mr)
                {
                    int r = 0;
                    for (; r < rows; r++) d[r] = s[r];
                    for (; r < Mr; r++) d[r] = default;
                }
            }
            else
            {
                for (int r = 0; r < Mr; r++)
                {
                    if (r >= rows) { for (int p = 0; p < kc; p++) d[p * Mr + r] = default; continue; }
                    T* s = src + (nint)(ir + r) * lda;
                    for (int p = 0; p < kc; p++) d[p * Mr + r] = s[p];
                }
            }
        }
    }

    // Panel p of op(B)[pc.., jc..]: kc × nr, depth-major; columns past cols are zero.
    private static void PackB<T>(T* bp, T* src, nint ldb, bool trans, int kc, int nr, int p, int cols) where T : unmanaged
    {
        T* d = bp + (nint)p * kc * nr;
        if (trans)
        {
            // op(B)[q, j] = B[j, q]: column j of the panel is row j of B
            for (int q = 0; q < nr; q++)
            {
                if (q >= cols) { for (int r = 0; r < kc; r++) d[r * nr + q] = default; continue; }
                T* s = src + (nint)(p * nr + q) * ldb;
                for (int r = 0; r < kc; r++) d[r * nr + q] = s[r];
            }
        }
        else
        {
            T* s = src + p * nr;
            for (int r = 0; r < kc; r++, s += ldb, d += nr)
            {
                if (cols == nr)
                {
                    for (int q = 0; q < nr; q += Vector256<T>.Count) Vector256.Store(Vector256.Load(s + q), d + q);
                }
                else
                {
                    int q = 0;
                    for (; q < cols; q++) d[q] = s[q];
                    for (; q < nr; q++) d[q] = default;
                }
            }
        }
    }

    /// <summary>Runs <paramref name="body"/> for 0..count-1 on up to <paramref name="threads"/> threads (inline when one thread or <paramref name="inline"/>).</summary>
    public static void ForEach(int threads, int count, bool inline, Action<int> body)
    {
        if (threads <= 1 || count <= 1 || inline)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }

    /// <summary>
    /// The packing buffers of one sequence of products: op(B)'s panel (shared) and one op(A) block per thread, in
    /// 64-byte-aligned native memory, freed on <see cref="Dispose"/>. Not for concurrent products.
    /// </summary>
    public sealed class Workspace<T> : IDisposable where T : unmanaged
    {
        private readonly ThreadLocal<nint> _packedA = new(() => (nint)NativeMemory.AlignedAlloc((nuint)(Kc * Mc * sizeof(T)), 64), trackAllValues: true);
        private T* _packedB;
        private nint _capacityB;

        /// <summary>
        /// A workspace for products on up to <paramref name="threads"/> threads (0 = all cores), with 512-bit register
        /// tiles if <paramref name="wide"/> (default: where the processor runs them natively).
        /// </summary>
        public Workspace(int threads, bool? wide = null)
        {
            Threads = threads > 0 ? threads : Environment.ProcessorCount;
            Wide = wide ?? Vector512.IsHardwareAccelerated;
            Nr = 2 * (Wide ? Vector512<T>.Count : Vector256<T>.Count);
        }

        /// <summary>The most threads a product runs on.</summary>
        public int Threads { get; }

        /// <summary>Whether the register tile is 512 bits wide.</summary>
        public bool Wide { get; }

        /// <summary>Columns of the register tile: two vectors.</summary>
        public int Nr { get; }

        internal T* PackedA() => (T*)_packedA.Value;

        internal T* PackedB(int kc, int panels)
        {
            nint need = (nint)kc * panels * Nr;
            if (need > _capacityB)
            {
                NativeMemory.AlignedFree(_packedB);
                _packedB = (T*)NativeMemory.AlignedAlloc((nuint)(need * sizeof(T)), 64);
                _capacityB = need;
            }
            return _packedB;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            NativeMemory.AlignedFree(_packedB);
            _packedB = null;
            _capacityB = 0;
            foreach (nint p in _packedA.Values) NativeMemory.AlignedFree((void*)p);
            _packedA.Dispose();
        }
    }
}
