using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AdvRec.Kernels;

/// <summary>
/// Fused SIMD kernels for the factorization family: dot products, the BPR loss of a triple, row updates of
/// SGD / Adagrad / Adam, per-row L2 normalisation, and scoring a block of users against all items.
/// Inner loops use 256-bit vectors when the row length is a multiple of 8 and fall back to
/// <see cref="TensorPrimitives"/> otherwise. No allocation.
/// </summary>
public static class FactorKernels
{
    /// <summary>Lower clip of the BPR score difference (as in the APR code and Elliot).</summary>
    public const float DiffMin = -80f;

    /// <summary>Upper clip of the BPR score difference.</summary>
    public const float DiffMax = 1e8f;

    /// <summary>Dot product of two equal-length rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (Vector256.IsHardwareAccelerated && (a.Length & 7) == 0)
        {
            ref float ra = ref MemoryMarshal.GetReference(a);
            ref float rb = ref MemoryMarshal.GetReference(b);
            var acc0 = Vector256<float>.Zero;
            var acc1 = Vector256<float>.Zero;
            int n = a.Length, k = 0;
            for (; k + 16 <= n; k += 16)
            {
                acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ra, (nuint)k), Vector256.LoadUnsafe(ref rb, (nuint)k), acc0);
                acc1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ra, (nuint)(k + 8)), Vector256.LoadUnsafe(ref rb, (nuint)(k + 8)), acc1);
            }
            if (k < n) acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ra, (nuint)k), Vector256.LoadUnsafe(ref rb, (nuint)k), acc0);
            return Vector256.Sum(acc0 + acc1);
        }
        return TensorPrimitives.Dot(a, b);
    }

    /// <summary>
    /// The BPR loss term of one triple, <c>softplus(-clip(diff))</c>, and its derivative with respect to the
    /// unclipped difference <c>diff = x_ui - x_uj</c> (zero where the clip is active, as in TensorFlow).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float BprLoss(float diff, out float dLossDDiff)
    {
        if (diff < DiffMin) { dLossDDiff = 0f; return Softplus(-DiffMin); }
        if (diff > DiffMax) { dLossDDiff = 0f; return Softplus(-DiffMax); }
        // d/dx softplus(-x) = -sigmoid(-x)
        dLossDDiff = -1f / (1f + MathF.Exp(diff));
        return Softplus(-diff);
    }

    /// <summary>Numerically stable softplus, log(1 + e^x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Softplus(float x) => x > 0 ? x + MathF.Log(1f + MathF.Exp(-x)) : MathF.Log(1f + MathF.Exp(x));

    /// <summary>dst += alpha * x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(Span<float> dst, ReadOnlySpan<float> x, float alpha)
    {
        int n = dst.Length;
        if (!Vector256.IsHardwareAccelerated || (n > 64 && (n & 7) != 0))
        {
            TensorPrimitives.MultiplyAdd(x, alpha, dst, dst);
            return;
        }
        // rows of embedding size, whatever their length: 256-bit vectors and a scalar tail, inlined, no call
        if (x.Length < n) throw new ArgumentException("x is shorter than dst", nameof(x));
        ref float rd = ref MemoryMarshal.GetReference(dst);
        ref float rx = ref MemoryMarshal.GetReference(x);
        var va = Vector256.Create(alpha);
        int k = 0;
        for (; k + 8 <= n; k += 8)
            Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rx, (nuint)k), va, Vector256.LoadUnsafe(ref rd, (nuint)k)).StoreUnsafe(ref rd, (nuint)k);
        for (; k < n; k++) Unsafe.Add(ref rd, k) += alpha * Unsafe.Add(ref rx, k);
    }

    /// <summary>dst = a + b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst) => TensorPrimitives.Add(a, b, dst);

    /// <summary>
    /// dst = eps * src / ||src||₂ (the FGSM step of one row); a zero row gives a zero row. Returns the norm of src.
    /// </summary>
    public static float ScaleToNorm(ReadOnlySpan<float> src, Span<float> dst, float eps)
    {
        float norm = MathF.Sqrt(Dot(src, src));
        if (norm > 0f && float.IsFinite(norm)) TensorPrimitives.Multiply(src, eps / norm, dst);
        else dst.Clear();
        return norm;
    }

    /// <summary>Scales <paramref name="row"/> back to L2 norm <paramref name="max"/> when it is longer (the L2-ball projection of one row).</summary>
    public static void ClipToNorm(Span<float> row, float max)
    {
        float norm = MathF.Sqrt(Dot(row, row));
        if (norm > max) TensorPrimitives.Multiply(row, max / norm, row);
    }

    /// <summary>Plain SGD on one row: w -= lr * g.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SgdRow(Span<float> w, ReadOnlySpan<float> g, float lr) => AddScaled(w, g, -lr);

    /// <summary>
    /// Adagrad on one row with Keras semantics: acc += g²; w -= lr * g / (sqrt(acc) + epsilon).
    /// With AVX the division by sqrt(acc) + epsilon uses the reciprocal square root refined by one Newton step
    /// (relative error about 1e-7, the precision of a float); lanes with acc below 1e-8 take the exact formula.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AdagradRow(Span<float> w, ReadOnlySpan<float> g, Span<float> acc, float lr, float epsilon)
    {
        if (Avx.IsSupported && (w.Length & 7) == 0)
        {
            ref float rw = ref MemoryMarshal.GetReference(w);
            ref float rg = ref MemoryMarshal.GetReference(g);
            ref float ra = ref MemoryMarshal.GetReference(acc);
            var vlr = Vector256.Create(lr);
            var veps = Vector256.Create(epsilon);
            for (int k = 0; k < w.Length; k += 8)
            {
                var vg = Vector256.LoadUnsafe(ref rg, (nuint)k);
                var va = Vector256.FusedMultiplyAdd(vg, vg, Vector256.LoadUnsafe(ref ra, (nuint)k));
                va.StoreUnsafe(ref ra, (nuint)k);
                (Vector256.LoadUnsafe(ref rw, (nuint)k) - vlr * vg * InverseSqrtPlus(va, veps)).StoreUnsafe(ref rw, (nuint)k);
            }
            return;
        }
        for (int k = 0; k < w.Length; k++) AdagradStep(ref w[k], g[k], ref acc[k], lr, epsilon);
    }

    // 1/(sqrt(a) + eps) lane by lane (a >= 0, AVX): the reciprocal square root r refined by one Newton step, then
    // r/(1 + eps r) ≈ r(1 - eps r); exact when any lane is below 1e-8, where eps r is no longer small.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> InverseSqrtPlus(Vector256<float> a, Vector256<float> eps)
    {
        if (Vector256.LessThanAny(a, Vector256.Create(1e-8f))) return Vector256<float>.One / (Vector256.Sqrt(a) + eps);
        var r = Avx.ReciprocalSqrt(a);
        r *= Vector256.Create(1.5f) - Vector256.Create(0.5f) * a * r * r;
        return r * (Vector256<float>.One - eps * r);
    }

    /// <summary>Adagrad on one value, exactly: acc += g²; w -= lr * g / (sqrt(acc) + epsilon).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AdagradStep(ref float w, float g, ref float acc, float lr, float epsilon)
    {
        acc += g * g;
        w -= lr * g / (MathF.Sqrt(acc) + epsilon);
    }

    /// <summary>
    /// The BPR term of one triple and its gradient, fused: adds <c>scale · ∂ℓ/∂p_u</c>, <c>∂ℓ/∂q_i</c> and
    /// <c>∂ℓ/∂q_j</c> to <paramref name="gpu"/>, <paramref name="gqi"/> and <paramref name="gqj"/> (distinct rows),
    /// where <c>ℓ = softplus(−clip(p_u·(q_i − q_j) + biasDiff))</c>. Returns ℓ (unscaled); <paramref name="g"/> is
    /// scale · dℓ/d(diff), the gradient of the bias difference.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float BprTripleGradient(ReadOnlySpan<float> pu, ReadOnlySpan<float> qi, ReadOnlySpan<float> qj, float biasDiff,
        Span<float> gpu, Span<float> gqi, Span<float> gqj, float scale, out float g)
    {
        int n = pu.Length;
        if (Vector256.IsHardwareAccelerated && (n & 7) == 0)
        {
            ref float rp = ref MemoryMarshal.GetReference(pu);
            ref float ri = ref MemoryMarshal.GetReference(qi);
            ref float rj = ref MemoryMarshal.GetReference(qj);
            var acc = Vector256<float>.Zero;
            for (int k = 0; k < n; k += 8)
                acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rp, (nuint)k),
                    Vector256.LoadUnsafe(ref ri, (nuint)k) - Vector256.LoadUnsafe(ref rj, (nuint)k), acc);
            float loss = BprLoss(Vector256.Sum(acc) + biasDiff, out g);
            g *= scale;
            if (g == 0f) return loss;
            ref float rgp = ref MemoryMarshal.GetReference(gpu);
            ref float rgi = ref MemoryMarshal.GetReference(gqi);
            ref float rgj = ref MemoryMarshal.GetReference(gqj);
            var vg = Vector256.Create(g);
            for (int k = 0; k < n; k += 8)
            {
                var vp = Vector256.LoadUnsafe(ref rp, (nuint)k) * vg;
                var d = Vector256.LoadUnsafe(ref ri, (nuint)k) - Vector256.LoadUnsafe(ref rj, (nuint)k);
                Vector256.FusedMultiplyAdd(d, vg, Vector256.LoadUnsafe(ref rgp, (nuint)k)).StoreUnsafe(ref rgp, (nuint)k);
                (Vector256.LoadUnsafe(ref rgi, (nuint)k) + vp).StoreUnsafe(ref rgi, (nuint)k);
                (Vector256.LoadUnsafe(ref rgj, (nuint)k) - vp).StoreUnsafe(ref rgj, (nuint)k);
            }
            return loss;
        }
        float l = BprLoss(Dot(pu, qi) - Dot(pu, qj) + biasDiff, out g);
        g *= scale;
        if (g != 0f)
        {
            AddScaled(gpu, qi, g);
            AddScaled(gpu, qj, -g);
            AddScaled(gqi, pu, g);
            AddScaled(gqj, pu, -g);
        }
        return l;
    }

    /// <summary>
    /// One fused SGD step on a triple, all gradients taken at the old values:
    /// p_u −= lr (g (q_i − q_j) + reg p_u); q_i −= lr (g p_u + reg q_i); q_j −= lr (−g p_u + reg q_j),
    /// with g = dℓ/d(diff). Returns the loss term ℓ.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SgdTriple(Span<float> pu, Span<float> qi, Span<float> qj, float biasDiff, float lr, float reg, out float g)
    {
        int n = pu.Length;
        float loss = BprLoss(Dot(pu, qi) - Dot(pu, qj) + biasDiff, out g);
        if (Vector256.IsHardwareAccelerated && (n & 7) == 0)
        {
            ref float rp = ref MemoryMarshal.GetReference(pu);
            ref float ri = ref MemoryMarshal.GetReference(qi);
            ref float rj = ref MemoryMarshal.GetReference(qj);
            var vg = Vector256.Create(g);
            var vlr = Vector256.Create(lr);
            var keep = Vector256.Create(1f - lr * reg);
            for (int k = 0; k < n; k += 8)
            {
                var p = Vector256.LoadUnsafe(ref rp, (nuint)k);
                var i = Vector256.LoadUnsafe(ref ri, (nuint)k);
                var j = Vector256.LoadUnsafe(ref rj, (nuint)k);
                var gp = vg * p;
                (keep * p - vlr * vg * (i - j)).StoreUnsafe(ref rp, (nuint)k);
                (keep * i - vlr * gp).StoreUnsafe(ref ri, (nuint)k);
                (keep * j + vlr * gp).StoreUnsafe(ref rj, (nuint)k);
            }
            return loss;
        }
        for (int k = 0; k < n; k++)
        {
            float p = pu[k], i = qi[k], j = qj[k];
            pu[k] = p - lr * (g * (i - j) + reg * p);
            qi[k] = i - lr * (g * p + reg * i);
            qj[k] = j - lr * (-g * p + reg * j);
        }
        return loss;
    }

    /// <summary>
    /// Adam on one row (lazy: only rows with a gradient are updated, as in sparse Adam):
    /// m = b1 m + (1-b1) g; v = b2 v + (1-b2) g²; w -= lrT * m / (sqrt(v) + epsilon), where lrT already
    /// holds the bias correction lr * sqrt(1-b2^t) / (1-b1^t). With AVX the division takes the reciprocal square root
    /// refined by one Newton step, as <see cref="AdagradRow"/> does; lanes with v below 1e-8 take the exact formula.
    /// </summary>
    public static void AdamRow(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float lrT, float beta1, float beta2, float epsilon)
    {
        int n = w.Length, k = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            ref float rw = ref MemoryMarshal.GetReference(w);
            ref float rg = ref MemoryMarshal.GetReference(g);
            ref float rm = ref MemoryMarshal.GetReference(m);
            ref float rv = ref MemoryMarshal.GetReference(v);
            var b1 = Vector256.Create(beta1);
            var c1 = Vector256.Create(1f - beta1);
            var b2 = Vector256.Create(beta2);
            var c2 = Vector256.Create(1f - beta2);
            var vlr = Vector256.Create(lrT);
            var veps = Vector256.Create(epsilon);
            for (; k + 8 <= n; k += 8)
            {
                var gk = Vector256.LoadUnsafe(ref rg, (nuint)k);
                var mk = b1 * Vector256.LoadUnsafe(ref rm, (nuint)k) + c1 * gk;
                var vk = b2 * Vector256.LoadUnsafe(ref rv, (nuint)k) + c2 * gk * gk;
                mk.StoreUnsafe(ref rm, (nuint)k);
                vk.StoreUnsafe(ref rv, (nuint)k);
                var inv = Avx.IsSupported ? InverseSqrtPlus(vk, veps) : Vector256<float>.One / (Vector256.Sqrt(vk) + veps);
                (Vector256.LoadUnsafe(ref rw, (nuint)k) - vlr * mk * inv).StoreUnsafe(ref rw, (nuint)k);
            }
        }
        for (; k < n; k++) AdamStep(ref w[k], g[k], ref m[k], ref v[k], lrT, beta1, beta2, epsilon);
    }

    /// <summary>Adam on one value, exactly (see <see cref="AdamRow"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AdamStep(ref float w, float g, ref float m, ref float v, float lrT, float beta1, float beta2, float epsilon)
    {
        m = beta1 * m + (1f - beta1) * g;
        v = beta2 * v + (1f - beta2) * g * g;
        w -= lrT * m / (MathF.Sqrt(v) + epsilon);
    }

    /// <summary>The dot product <c>a · (b − c)</c> of equal-length rows, fused (any length; 256-bit vectors with a scalar tail).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DotDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c)
    {
        int n = a.Length, k = 0;
        float sum = 0f;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            ref float ra = ref MemoryMarshal.GetReference(a);
            ref float rb = ref MemoryMarshal.GetReference(b);
            ref float rc = ref MemoryMarshal.GetReference(c);
            var acc = Vector256<float>.Zero;
            for (; k + 8 <= n; k += 8)
                acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ra, (nuint)k),
                    Vector256.LoadUnsafe(ref rb, (nuint)k) - Vector256.LoadUnsafe(ref rc, (nuint)k), acc);
            sum = Vector256.Sum(acc);
        }
        for (; k < n; k++) sum += a[k] * (b[k] - c[k]);
        return sum;
    }

    /// <summary>
    /// The gradient of <c>g · p·(q_i − q_j)</c> added to three distinct rows: <c>gp += g (q_i − q_j)</c>, <c>gqi += g p</c>,
    /// <c>gqj −= g p</c> (any length).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddTripleGradient(ReadOnlySpan<float> p, ReadOnlySpan<float> qi, ReadOnlySpan<float> qj,
        Span<float> gp, Span<float> gqi, Span<float> gqj, float g)
    {
        int n = p.Length, k = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            ref float rp = ref MemoryMarshal.GetReference(p);
            ref float ri = ref MemoryMarshal.GetReference(qi);
            ref float rj = ref MemoryMarshal.GetReference(qj);
            ref float rgp = ref MemoryMarshal.GetReference(gp);
            ref float rgi = ref MemoryMarshal.GetReference(gqi);
            ref float rgj = ref MemoryMarshal.GetReference(gqj);
            var vg = Vector256.Create(g);
            for (; k + 8 <= n; k += 8)
            {
                var vp = Vector256.LoadUnsafe(ref rp, (nuint)k) * vg;
                var d = Vector256.LoadUnsafe(ref ri, (nuint)k) - Vector256.LoadUnsafe(ref rj, (nuint)k);
                Vector256.FusedMultiplyAdd(d, vg, Vector256.LoadUnsafe(ref rgp, (nuint)k)).StoreUnsafe(ref rgp, (nuint)k);
                (Vector256.LoadUnsafe(ref rgi, (nuint)k) + vp).StoreUnsafe(ref rgi, (nuint)k);
                (Vector256.LoadUnsafe(ref rgj, (nuint)k) - vp).StoreUnsafe(ref rgj, (nuint)k);
            }
        }
        for (; k < n; k++)
        {
            float vp = g * p[k];
            gp[k] += g * (qi[k] - qj[k]);
            gqi[k] += vp;
            gqj[k] -= vp;
        }
    }

    /// <summary>
    /// A projection <c>dst = M x</c>, with <paramref name="m"/> row-major (<c>dst.Length</c> rows of <c>x.Length</c>):
    /// one dot product per row. VBPR's <c>Eᵀ f_i</c> with E stored transposed.
    /// </summary>
    public static void Project(ReadOnlySpan<float> m, ReadOnlySpan<float> x, Span<float> dst)
    {
        int cols = x.Length;
        for (int r = 0; r < dst.Length; r++) dst[r] = Dot(m.Slice(r * cols, cols), x);
    }

    /// <summary>
    /// Asks the processor to bring <paramref name="length"/> values of <paramref name="table"/> from
    /// <paramref name="offset"/> into the cache: a hint only (if the array moves meanwhile, the prefetch is merely wasted).
    /// </summary>
    public static unsafe void Prefetch(float[] table, int offset, int length)
    {
        if (!Sse.IsSupported) return;
        byte* row = (byte*)Unsafe.AsPointer(ref table[offset]);
        for (int b = 0; b < length * sizeof(float); b += 64) Sse.Prefetch0(row + b);
    }

    /// <summary>The width of a row padded to a whole number of 256-bit vectors (8 floats).</summary>
    public static int PaddedWidth(int k) => (k + 7) & ~7;

    /// <summary>
    /// Transposes the row-major <c>k × d</c> matrix <paramref name="m"/> into <paramref name="mT"/>, <c>d × PaddedWidth(k)</c>
    /// with zero padding: the layout <see cref="ProjectRows"/> takes.
    /// </summary>
    public static void TransposePadded(ReadOnlySpan<float> m, int k, int d, Span<float> mT)
    {
        int kp = PaddedWidth(k);
        mT[..(d * kp)].Clear();
        for (int c = 0; c < k; c++)
            for (int t = 0; t < d; t++) mT[t * kp + c] = m[c * d + t];
    }

    /// <summary>
    /// Projects <paramref name="count"/> rows at once: <c>dst[n·k + c] = Σ_t M[c, t] · x[row_n · d + t]</c>, where
    /// <paramref name="mT"/> is M (<c>k × d</c>) as <see cref="TransposePadded"/> lays it out and row_n is
    /// <c>rows[n]</c> (or n when <paramref name="rows"/> is empty). With <paramref name="add"/> the products are added
    /// to dst. Each row is a sum of broadcast-times-vector steps: no horizontal sums.
    /// </summary>
    public static void ProjectRows(ReadOnlySpan<float> mT, int k, ReadOnlySpan<float> x, int d, ReadOnlySpan<int> rows, int count,
        Span<float> dst, bool add = false)
    {
        int kp = PaddedWidth(k);
        if (mT.Length < d * kp || dst.Length < count * k) throw new ArgumentException("buffer too small");
        if (!Vector256.IsHardwareAccelerated)
        {
            for (int n = 0; n < count; n++)
            {
                var xn = x.Slice(RowOf(rows, n) * d, d);
                for (int c = 0; c < k; c++)
                {
                    float sum = add ? dst[n * k + c] : 0f;
                    for (int t = 0; t < d; t++) sum += mT[t * kp + c] * xn[t];
                    dst[n * k + c] = sum;
                }
            }
            return;
        }
        // four rows at a time, so that the accumulator chains are independent (one row alone waits on FMA latency)
        Span<float> tmp = stackalloc float[4 * 32];
        ref float rm = ref MemoryMarshal.GetReference(mT);
        ref float rx = ref MemoryMarshal.GetReference(x);
        for (int n0 = 0; n0 < count; n0 += 4)
        {
            int h = Math.Min(4, count - n0);
            // rows past the end repeat the last one; their results are not stored
            int r0 = RowOf(rows, n0), r1 = RowOf(rows, n0 + Math.Min(1, h - 1)), r2 = RowOf(rows, n0 + Math.Min(2, h - 1)), r3 = RowOf(rows, n0 + h - 1);
            ref float x0 = ref Unsafe.Add(ref rx, r0 * d);
            ref float x1 = ref Unsafe.Add(ref rx, r1 * d);
            ref float x2 = ref Unsafe.Add(ref rx, r2 * d);
            ref float x3 = ref Unsafe.Add(ref rx, r3 * d);
            for (int c0 = 0; c0 < kp; c0 += 16)
            {
                bool two = kp - c0 > 8;
                Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default;
                Vector256<float> a20 = default, a21 = default, a30 = default, a31 = default;
                for (int t = 0; t < d; t++)
                {
                    ref float row = ref Unsafe.Add(ref rm, t * kp + c0);
                    var m0 = Vector256.LoadUnsafe(ref row);
                    var b0 = Vector256.Create(Unsafe.Add(ref x0, t));
                    var b1 = Vector256.Create(Unsafe.Add(ref x1, t));
                    var b2 = Vector256.Create(Unsafe.Add(ref x2, t));
                    var b3 = Vector256.Create(Unsafe.Add(ref x3, t));
                    a00 = Vector256.FusedMultiplyAdd(m0, b0, a00);
                    a10 = Vector256.FusedMultiplyAdd(m0, b1, a10);
                    a20 = Vector256.FusedMultiplyAdd(m0, b2, a20);
                    a30 = Vector256.FusedMultiplyAdd(m0, b3, a30);
                    if (two)
                    {
                        var m1 = Vector256.LoadUnsafe(ref row, 8);
                        a01 = Vector256.FusedMultiplyAdd(m1, b0, a01);
                        a11 = Vector256.FusedMultiplyAdd(m1, b1, a11);
                        a21 = Vector256.FusedMultiplyAdd(m1, b2, a21);
                        a31 = Vector256.FusedMultiplyAdd(m1, b3, a31);
                    }
                }
                a00.CopyTo(tmp); a01.CopyTo(tmp[8..]);
                a10.CopyTo(tmp[16..]); a11.CopyTo(tmp[24..]);
                a20.CopyTo(tmp[32..]); a21.CopyTo(tmp[40..]);
                a30.CopyTo(tmp[48..]); a31.CopyTo(tmp[56..]);
                int width = Math.Min(16, k - c0);
                for (int r = 0; r < h; r++)
                {
                    var target = dst.Slice((n0 + r) * k + c0, width);
                    var values = tmp.Slice(16 * r, width);
                    if (add) TensorPrimitives.Add(target, values, target);
                    else values.CopyTo(target);
                }
            }
        }
    }

    private static int RowOf(ReadOnlySpan<int> rows, int n) => rows.IsEmpty ? n : rows[n];

    /// <summary>
    /// A sum of outer products added: <c>g[c·d + t] += Σ_n a[n·k + c] · x[row_n · d + t]</c> for <c>c &lt; k</c>,
    /// <c>t &lt; d</c>, where row_n is <c>rows[n]</c> (or n when <paramref name="rows"/> is empty): the gradient of a
    /// projection's matrix over a whole batch, <c>Aᵀ X</c>. Tiles of 4 rows of g by 32 columns stay in registers
    /// while the n rows stream past; the remaining rows and columns are added row by row.
    /// </summary>
    public static void AddOuterSum(Span<float> g, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> x, int d, ReadOnlySpan<int> rows, int count)
    {
        if (g.Length < k * d || a.Length < count * k) throw new ArgumentException("buffer too small");
        int k4 = 0, d32 = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            k4 = k & ~3;
            d32 = d & ~31;
            ref float rg = ref MemoryMarshal.GetReference(g);
            ref float ra = ref MemoryMarshal.GetReference(a);
            ref float rx = ref MemoryMarshal.GetReference(x);
            for (int c0 = 0; c0 < k4; c0 += 4)
            {
                for (int t0 = 0; t0 < d32; t0 += 32)
                {
                    ref float g0 = ref Unsafe.Add(ref rg, c0 * d + t0);
                    ref float g1 = ref Unsafe.Add(ref g0, d);
                    ref float g2 = ref Unsafe.Add(ref g1, d);
                    ref float g3 = ref Unsafe.Add(ref g2, d);
                    Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default;
                    Vector256<float> s10 = default, s11 = default, s12 = default, s13 = default;
                    Vector256<float> s20 = default, s21 = default, s22 = default, s23 = default;
                    Vector256<float> s30 = default, s31 = default, s32 = default, s33 = default;
                    for (int n = 0; n < count; n++)
                    {
                        ref float xr = ref Unsafe.Add(ref rx, RowOf(rows, n) * d + t0);
                        var x0 = Vector256.LoadUnsafe(ref xr);
                        var x1 = Vector256.LoadUnsafe(ref xr, 8);
                        var x2 = Vector256.LoadUnsafe(ref xr, 16);
                        var x3 = Vector256.LoadUnsafe(ref xr, 24);
                        ref float an = ref Unsafe.Add(ref ra, n * k + c0);
                        var b = Vector256.Create(an);
                        s00 = Vector256.FusedMultiplyAdd(x0, b, s00); s01 = Vector256.FusedMultiplyAdd(x1, b, s01);
                        s02 = Vector256.FusedMultiplyAdd(x2, b, s02); s03 = Vector256.FusedMultiplyAdd(x3, b, s03);
                        b = Vector256.Create(Unsafe.Add(ref an, 1));
                        s10 = Vector256.FusedMultiplyAdd(x0, b, s10); s11 = Vector256.FusedMultiplyAdd(x1, b, s11);
                        s12 = Vector256.FusedMultiplyAdd(x2, b, s12); s13 = Vector256.FusedMultiplyAdd(x3, b, s13);
                        b = Vector256.Create(Unsafe.Add(ref an, 2));
                        s20 = Vector256.FusedMultiplyAdd(x0, b, s20); s21 = Vector256.FusedMultiplyAdd(x1, b, s21);
                        s22 = Vector256.FusedMultiplyAdd(x2, b, s22); s23 = Vector256.FusedMultiplyAdd(x3, b, s23);
                        b = Vector256.Create(Unsafe.Add(ref an, 3));
                        s30 = Vector256.FusedMultiplyAdd(x0, b, s30); s31 = Vector256.FusedMultiplyAdd(x1, b, s31);
                        s32 = Vector256.FusedMultiplyAdd(x2, b, s32); s33 = Vector256.FusedMultiplyAdd(x3, b, s33);
                    }
                    AddTo(ref g0, s00, s01, s02, s03);
                    AddTo(ref g1, s10, s11, s12, s13);
                    AddTo(ref g2, s20, s21, s22, s23);
                    AddTo(ref g3, s30, s31, s32, s33);
                }
            }
        }
        // the rows past the last whole tile (all columns), then the columns past the last whole tile of the tiled rows
        if (k4 == k && d32 == d) return;
        for (int n = 0; n < count; n++)
        {
            var xn = x.Slice(RowOf(rows, n) * d, d);
            for (int c = 0; c < k; c++)
            {
                float s = a[n * k + c];
                if (s == 0f) continue;
                int from = c < k4 ? d32 : 0;
                if (from < d) TensorPrimitives.MultiplyAdd(xn[from..], s, g.Slice(c * d + from, d - from), g.Slice(c * d + from, d - from));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(ref float dst, Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3)
    {
        (Vector256.LoadUnsafe(ref dst) + v0).StoreUnsafe(ref dst);
        (Vector256.LoadUnsafe(ref dst, 8) + v1).StoreUnsafe(ref dst, 8);
        (Vector256.LoadUnsafe(ref dst, 16) + v2).StoreUnsafe(ref dst, 16);
        (Vector256.LoadUnsafe(ref dst, 24) + v3).StoreUnsafe(ref dst, 24);
    }

    /// <summary>
    /// The transposed product added: <c>dst += Mᵀ a</c>, with <paramref name="m"/> row-major (<c>a.Length</c> rows of
    /// <c>dst.Length</c>).
    /// </summary>
    public static void AddTransposeProject(ReadOnlySpan<float> m, ReadOnlySpan<float> a, Span<float> dst)
    {
        int cols = dst.Length;
        for (int r = 0; r < a.Length; r++)
            if (a[r] != 0f) AddScaled(dst, m.Slice(r * cols, cols), a[r]);
    }

    /// <summary>
    /// Scores users against all items: <c>scores[r * numItems + i] = bias[i] + P[users[r]] · Q[i]</c>.
    /// P and Q are row-major tables with rows of length <paramref name="factors"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // evaluation calls it a few dozen times: no time to tier up
    public static void ScoreUsers(ReadOnlySpan<int> users, ReadOnlySpan<float> p, ReadOnlySpan<float> q, ReadOnlySpan<float> bias,
        int factors, int numItems, Span<float> scores)
    {
        if (scores.Length < users.Length * numItems) throw new ArgumentException("score buffer too small", nameof(scores));
        for (int r = 0; r < users.Length; r++)
        {
            var pu = p.Slice(users[r] * factors, factors);
            var row = scores.Slice(r * numItems, numItems);
            if (factors == 64 && Vector256.IsHardwareAccelerated) ScoreRow64(pu, q, row);
            else
                for (int i = 0; i < numItems; i++) row[i] = Dot(pu, q.Slice(i * factors, factors));
            if (!bias.IsEmpty) TensorPrimitives.Add(row, bias[..numItems], row);
        }
    }

    // The common 64-factor case: the user row stays in eight registers while items stream past.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScoreRow64(ReadOnlySpan<float> pu, ReadOnlySpan<float> q, Span<float> row)
    {
        ref float rp = ref MemoryMarshal.GetReference(pu);
        var p0 = Vector256.LoadUnsafe(ref rp, 0); var p1 = Vector256.LoadUnsafe(ref rp, 8);
        var p2 = Vector256.LoadUnsafe(ref rp, 16); var p3 = Vector256.LoadUnsafe(ref rp, 24);
        var p4 = Vector256.LoadUnsafe(ref rp, 32); var p5 = Vector256.LoadUnsafe(ref rp, 40);
        var p6 = Vector256.LoadUnsafe(ref rp, 48); var p7 = Vector256.LoadUnsafe(ref rp, 56);
        ref float rq = ref MemoryMarshal.GetReference(q);
        ref float ro = ref MemoryMarshal.GetReference(row);
        int n = row.Length;
        for (int i = 0; i < n; i++)
        {
            nuint o = (nuint)i * 64;
            var a = Vector256.LoadUnsafe(ref rq, o) * p0;
            var b = Vector256.LoadUnsafe(ref rq, o + 8) * p1;
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rq, o + 16), p2, a);
            b = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rq, o + 24), p3, b);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rq, o + 32), p4, a);
            b = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rq, o + 40), p5, b);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rq, o + 48), p6, a);
            b = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rq, o + 56), p7, b);
            Unsafe.Add(ref ro, i) = Vector256.Sum(a + b);
        }
    }
}
