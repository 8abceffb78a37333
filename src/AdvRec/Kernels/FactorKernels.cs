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
        if (Vector256.IsHardwareAccelerated && (dst.Length & 7) == 0)
        {
            ref float rd = ref MemoryMarshal.GetReference(dst);
            ref float rx = ref MemoryMarshal.GetReference(x);
            var va = Vector256.Create(alpha);
            for (int k = 0; k < dst.Length; k += 8)
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rx, (nuint)k), va, Vector256.LoadUnsafe(ref rd, (nuint)k)).StoreUnsafe(ref rd, (nuint)k);
            return;
        }
        TensorPrimitives.MultiplyAdd(x, alpha, dst, dst);
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
            var half = Vector256.Create(0.5f);
            var threeHalves = Vector256.Create(1.5f);
            var tiny = Vector256.Create(1e-8f);
            for (int k = 0; k < w.Length; k += 8)
            {
                var vg = Vector256.LoadUnsafe(ref rg, (nuint)k);
                var va = Vector256.FusedMultiplyAdd(vg, vg, Vector256.LoadUnsafe(ref ra, (nuint)k));
                va.StoreUnsafe(ref ra, (nuint)k);
                Vector256<float> inv;
                if (Vector256.LessThanAny(va, tiny))
                {
                    inv = Vector256<float>.One / (Vector256.Sqrt(va) + veps);
                }
                else
                {
                    var r = Avx.ReciprocalSqrt(va);
                    r *= threeHalves - half * va * r * r;           // Newton step on 1/sqrt(a)
                    inv = r * (Vector256<float>.One - veps * r);    // 1/(sqrt(a)+eps) = r/(1+eps r) ≈ r(1-eps r)
                }
                (Vector256.LoadUnsafe(ref rw, (nuint)k) - vlr * vg * inv).StoreUnsafe(ref rw, (nuint)k);
            }
            return;
        }
        for (int k = 0; k < w.Length; k++)
        {
            acc[k] += g[k] * g[k];
            w[k] -= lr * g[k] / (MathF.Sqrt(acc[k]) + epsilon);
        }
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
    /// holds the bias correction lr * sqrt(1-b2^t) / (1-b1^t).
    /// </summary>
    public static void AdamRow(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float lrT, float beta1, float beta2, float epsilon)
    {
        for (int k = 0; k < w.Length; k++)
        {
            float gk = g[k];
            float mk = m[k] = beta1 * m[k] + (1f - beta1) * gk;
            float vk = v[k] = beta2 * v[k] + (1f - beta2) * gk * gk;
            w[k] -= lrT * mk / (MathF.Sqrt(vk) + epsilon);
        }
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
    /// A scaled outer product added: <c>g[r, :] += scale · a[r] · x</c>, with <paramref name="g"/> row-major
    /// (<c>a.Length</c> rows of <c>x.Length</c>). The gradient of a projection's matrix.
    /// </summary>
    public static void AddOuter(Span<float> g, ReadOnlySpan<float> a, ReadOnlySpan<float> x, float scale)
    {
        int cols = x.Length;
        for (int r = 0; r < a.Length; r++)
        {
            float s = scale * a[r];
            if (s != 0f) AddScaled(g.Slice(r * cols, cols), x, s);
        }
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
