using System.Runtime.CompilerServices;
using AdvRec.Kernels;

namespace AdvRec.Models.Factorization;

/// <summary>
/// The optimizer of the factorization models: applies a batch's summed gradient to the rows the batch touched,
/// with SGD, Adagrad or Adam in Keras semantics (<see cref="FactorKernels.AdagradRow"/>, <see cref="FactorKernels.AdamRow"/>).
/// It holds the state of each parameter table (Adagrad accumulators, or Adam's moments), allocated on creation, and
/// Adam's step count; Adam is lazy (only the touched rows move), as sparse Adam. One step: <see cref="BeginStep"/>,
/// then <see cref="Apply"/> on each touched row.
/// </summary>
internal sealed class RowOptimizer
{
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
    /// Applies the gradient <paramref name="g"/> to the values of table <paramref name="table"/> from
    /// <paramref name="offset"/> (as many as <paramref name="g"/> holds), then clears <paramref name="g"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply(int table, int offset, Span<float> g)
    {
        var w = _tables[table].AsSpan(offset, g.Length);
        switch (_kind)
        {
            case OptimizerKind.Sgd:
                FactorKernels.SgdRow(w, g, _lr);
                break;
            case OptimizerKind.Adagrad:
                FactorKernels.AdagradRow(w, g, _s1[table].AsSpan(offset, g.Length), _lr, _epsilon);
                break;
            case OptimizerKind.Adam:
                FactorKernels.AdamRow(w, g, _s1[table].AsSpan(offset, g.Length), _s2[table].AsSpan(offset, g.Length), _lrT, _beta1, _beta2, _epsilon);
                break;
        }
        g.Clear();
    }

    /// <summary>Asks the processor for the first state values of a row that <see cref="Apply"/> will update soon (a hint; nothing without state).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchState(int table, int offset, int length)
    {
        if (_s1[table] is { } s1) FactorKernels.Prefetch(s1, offset, length);
    }
}
