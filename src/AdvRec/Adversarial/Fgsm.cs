using AdvRec.Kernels;
using AdvRec.Models;

namespace AdvRec.Adversarial;

/// <summary>
/// The fast gradient sign method as used in adversarial recommendation (APR, AMR): one step along the
/// gradient of the model's plain training loss at the clean point, normalised to L2 norm ε per row of each
/// perturbable table (per user, per item). Rows with a zero gradient stay zero.
/// </summary>
public static class Fgsm
{
    /// <summary>
    /// Builds Δ = ε · ∇/‖∇‖ (per row) of <paramref name="model"/>'s loss over <paramref name="sample"/>, for the
    /// targets named in <paramref name="targets"/> (null: all). The model is not modified.
    /// </summary>
    public static Perturbation Attack(IPerturbable model, ILossSample sample, float epsilon, IEnumerable<string>? targets = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Perturbation.CheckBudget(epsilon, nameof(epsilon));
        var delta = new Perturbation(model.PerturbationTargets);
        if (targets is not null) delta.Restrict(targets);
        model.LossGradient(sample, null, delta);
        NormalizeRows(delta, delta, epsilon);
        return delta;
    }

    /// <summary>Writes ε · g/‖g‖ of every row of <paramref name="gradient"/>'s active tables into <paramref name="output"/> (may be the same object).</summary>
    public static void NormalizeRows(Perturbation gradient, Perturbation output, float epsilon)
    {
        for (int t = 0; t < gradient.Targets.Count; t++)
        {
            if (!output.IsActive(t)) { output.Table(t).Clear(); continue; }
            for (int r = 0; r < gradient.Targets[t].Rows; r++)
                FactorKernels.ScaleToNorm(gradient.Row(t, r), output.Row(t, r), epsilon);
        }
    }
}
