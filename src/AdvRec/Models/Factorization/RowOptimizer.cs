using System.Runtime.CompilerServices;
using AdvRec.Kernels;

namespace AdvRec.Models.Factorization;

/// <summary>
/// The optimizer of the factorization models: applies a batch's summed gradient to the rows the batch touched,
/// with SGD, Adagrad or Adam in Keras semantics (<see cref="FactorKernels.AdagradRow"/>, <see cref="FactorKernels.AdamRow"/>).
/// It holds the state of each parameter table (Adagrad accumulators, or Adam's moments), allocated on creation, and
/// Adam's step count; Adam is lazy (only the touched rows move), as sparse Adam. One step: <see cref="BeginStep"/>,
/// then <see cref="ApplyRows"/> (or <see cref="Apply"/>) on each table the batch touched.
/// </summary>
internal sealed class RowOptimizer
{
    // Rows are scattered over tables larger than the cache: ask for the state of the next rows while this one updates.
    private const int PrefetchDistance = 4;

    private readonly float[]?[] _tables;
    private readonly float[]?[] _s1; // Adagrad accumulators or Adam first moments, per table
    private readonly float[]?[] _s2; // Adam second moments
    private readonly OptimizerKind _kind;
    private readonly float _lr, _epsilon, _beta1, _beta2;
    private float _lrT;
    private long _adamStep;

    /// <summary>
    /// An optimizer of <paramref name="tables"/> (a null table has no state and takes no update), with Adagrad's
    /// accumulators starting at <paramref name="initialAccumulator"/>.
    /// </summary>
    public RowOptimizer(float[]?[] tables, OptimizerKind kind, float learningRate, float initialAccumulator, float epsilon, float beta1, float beta2)
    {
        _tables = tables;
        _kind = kind;
        _lr = _lrT = learningRate;
        _epsilon = epsilon;
        _beta1 = beta1;
        _beta2 = beta2;
        _s1 = new float[tables.Length][];
        _s2 = new float[tables.Length][];
        if (kind == OptimizerKind.Sgd) return;
        for (int t = 0; t < tables.Length; t++)
        {
            if (tables[t] is not { } table) continue;
            _s1[t] = new float[table.Length];
            if (kind == OptimizerKind.Adagrad) _s1[t].AsSpan().Fill(initialAccumulator);
        }
        if (kind != OptimizerKind.Adam) return;
        for (int t = 0; t < tables.Length; t++)
            if (tables[t] is { } table) _s2[t] = new float[table.Length];
    }

    /// <summary>Starts an update step: with Adam, counts it and sets the bias-corrected rate <c>lr·√(1−β₂ᵗ)/(1−β₁ᵗ)</c>.</summary>
    public void BeginStep()
    {
        if (_kind != OptimizerKind.Adam) return;
        long t = ++_adamStep;
        _lrT = (float)(_lr * Math.Sqrt(1 - Math.Pow(_beta2, t)) / (1 - Math.Pow(_beta1, t)));
    }

    /// <summary>
    /// Applies the gradient rows to the rows <paramref name="rows"/> of table <paramref name="table"/>:
    /// <paramref name="gradients"/> holds <paramref name="width"/> values per row, row r for <c>rows[r]</c> (the
    /// batch's slots). The gradient rows used are cleared. With <paramref name="prefetchState"/>, the state of the rows
    /// a few ahead is fetched into the cache while a row updates.
    /// </summary>
    public void ApplyRows(int table, ReadOnlySpan<int> rows, int width, Span<float> gradients, bool prefetchState = false)
    {
        float[] w = _tables[table]!;
        float[]? s1 = _s1[table], s2 = _s2[table];
        var used = gradients[..(rows.Length * width)];
        switch (_kind)
        {
            case OptimizerKind.Sgd:
                ApplyRows(new SgdRule(_lr), w, s1, s2, rows, width, used, prefetchState);
                break;
            case OptimizerKind.Adagrad:
                ApplyRows(new AdagradRule(_lr, _epsilon), w, s1, s2, rows, width, used, prefetchState);
                break;
            case OptimizerKind.Adam:
                ApplyRows(new AdamRule(_lrT, _beta1, _beta2, _epsilon), w, s1, s2, rows, width, used, prefetchState);
                break;
        }
        used.Clear();
    }

    /// <summary>Applies <paramref name="gradient"/> to the whole of table <paramref name="table"/> (of its length), then clears it.</summary>
    public void Apply(int table, Span<float> gradient) => ApplyRows(table, [0], gradient.Length, gradient);

    // One loop per rule, the rule a struct: the update inlines into the loop, with no dispatch per row.
    private static void ApplyRows<TRule>(TRule rule, float[] w, float[]? s1, float[]? s2, ReadOnlySpan<int> rows, int width, Span<float> gradients, bool prefetchState)
        where TRule : struct, IRowRule
    {
        bool prefetch = prefetchState && s1 is not null;
        for (int r = 0; r < rows.Length; r++)
        {
            if (prefetch && r + PrefetchDistance < rows.Length) FactorKernels.Prefetch(s1!, rows[r + PrefetchDistance] * width, width);
            rule.Apply(w, s1, s2, rows[r] * width, gradients.Slice(r * width, width));
        }
    }

    private interface IRowRule
    {
        void Apply(float[] w, float[]? s1, float[]? s2, int offset, ReadOnlySpan<float> g);
    }

    private readonly struct SgdRule(float lr) : IRowRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(float[] w, float[]? s1, float[]? s2, int offset, ReadOnlySpan<float> g) =>
            FactorKernels.SgdRow(w.AsSpan(offset, g.Length), g, lr);
    }

    private readonly struct AdagradRule(float lr, float epsilon) : IRowRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(float[] w, float[]? s1, float[]? s2, int offset, ReadOnlySpan<float> g) =>
            FactorKernels.AdagradRow(w.AsSpan(offset, g.Length), g, s1.AsSpan(offset, g.Length), lr, epsilon);
    }

    private readonly struct AdamRule(float lrT, float beta1, float beta2, float epsilon) : IRowRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(float[] w, float[]? s1, float[]? s2, int offset, ReadOnlySpan<float> g) =>
            FactorKernels.AdamRow(w.AsSpan(offset, g.Length), g, s1.AsSpan(offset, g.Length), s2.AsSpan(offset, g.Length), lrT, beta1, beta2, epsilon);
    }
}
