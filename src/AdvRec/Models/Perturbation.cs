namespace AdvRec.Models;

/// <summary>
/// Additive perturbations (or gradients) for a model's perturbable tables: one dense row-major table per
/// <see cref="PerturbationTarget"/>, initially zero. A target can be switched off (<see cref="IsActive"/>),
/// in which case attacks leave its table at zero.
/// </summary>
public sealed class Perturbation
{
    private readonly float[][] _tables;
    private readonly bool[] _active;

    /// <summary>Zero tables for <paramref name="targets"/>, all active.</summary>
    public Perturbation(IReadOnlyList<PerturbationTarget> targets)
    {
        Targets = targets;
        _tables = new float[targets.Count][];
        _active = new bool[targets.Count];
        for (int t = 0; t < targets.Count; t++)
        {
            _tables[t] = new float[checked(targets[t].Rows * targets[t].Columns)];
            _active[t] = true;
        }
    }

    /// <summary>
    /// Checks a perturbation budget ε: a finite number ≥ 0. The message names the value; <paramref name="paramName"/>
    /// is the caller's name for it (an option, a config key).
    /// </summary>
    public static void CheckBudget(float epsilon, string paramName)
    {
        if (!(epsilon >= 0) || !float.IsFinite(epsilon))
            throw new ArgumentOutOfRangeException(paramName, epsilon, $"eps must be a finite number >= 0, got {epsilon}");
    }

    /// <summary>The targets, in the model's order.</summary>
    public IReadOnlyList<PerturbationTarget> Targets { get; }

    /// <summary>The table of target <paramref name="target"/> (row-major).</summary>
    public Span<float> Table(int target) => _tables[target];

    /// <summary>The table of target <paramref name="target"/> as an array (for kernels that need one).</summary>
    internal float[] Array(int target) => _tables[target];

    /// <summary>Row <paramref name="row"/> of target <paramref name="target"/>.</summary>
    public Span<float> Row(int target, int row)
    {
        int cols = Targets[target].Columns;
        return _tables[target].AsSpan(row * cols, cols);
    }

    /// <summary>The index of the target called <paramref name="name"/>.</summary>
    public int IndexOf(string name)
    {
        for (int t = 0; t < Targets.Count; t++) if (Targets[t].Name == name) return t;
        throw new ArgumentException($"no perturbable target '{name}'; the model has: {string.Join(", ", Targets.Select(x => x.Name))}", nameof(name));
    }

    /// <summary>Whether attacks may write into target <paramref name="target"/>.</summary>
    public bool IsActive(int target) => _active[target];

    /// <summary>Keeps only the named targets active (and zeroes the others).</summary>
    public void Restrict(IEnumerable<string> names)
    {
        var keep = new HashSet<int>(names.Select(IndexOf));
        for (int t = 0; t < _tables.Length; t++)
        {
            _active[t] = keep.Contains(t);
            if (!_active[t]) System.Array.Clear(_tables[t]);
        }
    }

    /// <summary>Sets every table to zero.</summary>
    public void Clear()
    {
        foreach (var t in _tables) System.Array.Clear(t);
    }

    /// <summary>A zero perturbation with the same targets and active flags.</summary>
    public Perturbation EmptyLike()
    {
        var p = new Perturbation(Targets);
        System.Array.Copy(_active, p._active, _active.Length);
        return p;
    }

    /// <summary>A deep copy.</summary>
    public Perturbation Clone()
    {
        var p = EmptyLike();
        for (int t = 0; t < _tables.Length; t++) _tables[t].CopyTo(p._tables[t], 0);
        return p;
    }

    /// <summary>The largest L2 norm of any row of any active table.</summary>
    public double MaxRowNorm()
    {
        double max = 0;
        for (int t = 0; t < _tables.Length; t++)
        {
            if (!_active[t]) continue;
            for (int r = 0; r < Targets[t].Rows; r++)
                max = Math.Max(max, System.Numerics.Tensors.TensorPrimitives.Norm((ReadOnlySpan<float>)Row(t, r)));
        }
        return max;
    }
}
