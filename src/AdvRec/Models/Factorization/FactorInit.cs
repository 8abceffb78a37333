using AdvRec.Kernels;

namespace AdvRec.Models.Factorization;

/// <summary>The initialisation of the factorization models' parameter tables (<see cref="Initialization"/>).</summary>
internal static class FactorInit
{
    /// <summary>
    /// Fills <paramref name="table"/>, seen as <paramref name="rows"/> × <paramref name="cols"/> (the fans of Glorot),
    /// from <paramref name="rng"/>: Glorot uniform, or the truncated normal of standard deviation <paramref name="std"/>.
    /// </summary>
    public static void Fill(float[] table, int rows, int cols, Initialization init, float std, ref Xoshiro rng)
    {
        if (init == Initialization.GlorotUniform) GlorotUniform(table, rows, cols, ref rng);
        else TruncatedNormal(table, std, ref rng);
    }

    /// <summary>U(−a, a) with a = sqrt(6 / (fan_in + fan_out)), the table being rows × cols (as Keras).</summary>
    public static void GlorotUniform(float[] table, int rows, int cols, ref Xoshiro rng)
    {
        float a = MathF.Sqrt(6f / (rows + cols));
        for (int k = 0; k < table.Length; k++) table[k] = (2f * rng.NextFloat() - 1f) * a;
    }

    /// <summary>Normal with standard deviation <paramref name="std"/>, redrawn beyond two deviations (TensorFlow's truncated_normal).</summary>
    public static void TruncatedNormal(float[] table, float std, ref Xoshiro rng)
    {
        for (int k = 0; k < table.Length; k++)
        {
            double x;
            do x = rng.NextGaussian(); while (Math.Abs(x) > 2.0);
            table[k] = (float)(x * std);
        }
    }
}
