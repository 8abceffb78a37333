using AdvRec.Models;

namespace AdvRec.Tests.Contract;

/// <summary>The finite-difference check of an attack gradient, for any <see cref="IPerturbable"/> model.</summary>
internal static class GradientCheck
{
    /// <summary>
    /// The loss's slope along its own gradient direction for <paramref name="target"/> equals the gradient's norm
    /// (central differences with step <paramref name="h"/>, relative <paramref name="tolerance"/>).
    /// </summary>
    public static void AlongGradient(IPerturbable model, ILossSample sample, int target, double h = 1e-2, double tolerance = 0.05)
    {
        string name = model.PerturbationTargets[target].Name;
        var gradient = new Perturbation(model.PerturbationTargets);
        gradient.Restrict([name]);
        model.LossGradient(sample, null, gradient);
        var g = gradient.Table(target).ToArray();
        double norm = Math.Sqrt(g.Sum(x => (double)x * x));
        Assert.True(norm > 0, $"{name}: the gradient is zero");
        var plus = gradient.EmptyLike();
        var minus = gradient.EmptyLike();
        for (int k = 0; k < g.Length; k++)
        {
            plus.Table(target)[k] = (float)(h * g[k] / norm);
            minus.Table(target)[k] = (float)(-h * g[k] / norm);
        }
        var scratch = gradient.EmptyLike();
        double slope = (model.LossGradient(sample, plus, scratch) - model.LossGradient(sample, minus, scratch)) / (2 * h);
        Assert.True(Math.Abs(slope - norm) <= tolerance * norm, $"{name}: finite-difference slope {slope} against gradient norm {norm}");
    }
}
