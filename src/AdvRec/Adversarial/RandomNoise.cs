using System.Numerics.Tensors;
using AdvRec.Kernels;
using AdvRec.Models;

namespace AdvRec.Adversarial;

/// <summary>
/// The control for every attack: noise in a uniformly random direction per row, with exactly the per-row L2
/// norms of a reference perturbation (so it spends the same budget where the attack did, but blindly).
/// </summary>
public static class RandomNoise
{
    /// <summary>Random directions with the row norms of <paramref name="reference"/>; zero rows stay zero.</summary>
    public static Perturbation Like(Perturbation reference, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var noise = reference.EmptyLike();
        for (int t = 0; t < reference.Targets.Count; t++)
        {
            if (!reference.IsActive(t)) continue;
            for (int r = 0; r < reference.Targets[t].Rows; r++)
            {
                float norm = TensorPrimitives.Norm((ReadOnlySpan<float>)reference.Row(t, r));
                if (norm > 0f) FillRandomRow(noise.Row(t, r), norm, seed, t, r);
            }
        }
        return noise;
    }

    /// <summary>Random directions with norm exactly <paramref name="epsilon"/> in every row of every active target.</summary>
    public static Perturbation Uniform(IReadOnlyList<PerturbationTarget> targets, float epsilon, ulong seed)
    {
        Perturbation.CheckBudget(epsilon, nameof(epsilon));
        var noise = new Perturbation(targets);
        for (int t = 0; t < targets.Count; t++)
            for (int r = 0; r < targets[t].Rows; r++)
                FillRandomRow(noise.Row(t, r), epsilon, seed, t, r);
        return noise;
    }

    // A Gaussian vector (an isotropic, hence uniformly random, direction) scaled to the given norm.
    private static void FillRandomRow(Span<float> row, float norm, ulong seed, int target, int index)
    {
        var rng = Xoshiro.Derive(seed, (ulong)target, (ulong)index);
        for (int c = 0; c < row.Length; c++) row[c] = (float)rng.NextGaussian();
        FactorKernels.ScaleToNorm(row, row, norm);
    }
}
