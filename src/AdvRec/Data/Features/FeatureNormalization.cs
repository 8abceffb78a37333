using System.Numerics.Tensors;

namespace AdvRec.Data.Features;

/// <summary>How item feature vectors are scaled before training (applied to the rows aligned with a dataset's items).</summary>
public enum FeatureNormalization
{
    /// <summary>Used as read (Elliot's AMR).</summary>
    None,

    /// <summary>Every value divided by the largest absolute value of the table (the original AMR code).</summary>
    GlobalMax,

    /// <summary>Every row scaled to L2 norm 1 (zero rows stay zero).</summary>
    RowL2,

    /// <summary>Every column shifted to mean 0 and scaled to standard deviation 1 over the items (constant columns become 0).</summary>
    Standardize,
}

/// <summary>Applies a <see cref="FeatureNormalization"/> in place.</summary>
public static class FeatureNormalizer
{
    /// <summary>Normalises <paramref name="values"/> (rows of <paramref name="dimension"/>) in place.</summary>
    public static void Apply(Span<float> values, int dimension, FeatureNormalization kind)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        int rows = values.Length / dimension;
        switch (kind)
        {
            case FeatureNormalization.None:
                return;
            case FeatureNormalization.GlobalMax:
                {
                    float max = values.IsEmpty ? 0f : TensorPrimitives.MaxMagnitude(values);
                    max = MathF.Abs(max);
                    if (max > 0f) TensorPrimitives.Divide(values, max, values);
                    return;
                }
            case FeatureNormalization.RowL2:
                for (int r = 0; r < rows; r++)
                {
                    var row = values.Slice(r * dimension, dimension);
                    float norm = TensorPrimitives.Norm(row);
                    if (norm > 0f) TensorPrimitives.Divide(row, norm, row);
                }
                return;
            case FeatureNormalization.Standardize:
                {
                    if (rows == 0) return;
                    var mean = new double[dimension];
                    var sq = new double[dimension];
                    for (int r = 0; r < rows; r++)
                        for (int c = 0; c < dimension; c++) mean[c] += values[r * dimension + c];
                    for (int c = 0; c < dimension; c++) mean[c] /= rows;
                    for (int r = 0; r < rows; r++)
                        for (int c = 0; c < dimension; c++) { double d = values[r * dimension + c] - mean[c]; sq[c] += d * d; }
                    for (int c = 0; c < dimension; c++)
                    {
                        double std = Math.Sqrt(sq[c] / rows);
                        for (int r = 0; r < rows; r++)
                            values[r * dimension + c] = std > 0 ? (float)((values[r * dimension + c] - mean[c]) / std) : 0f;
                    }
                    return;
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown normalisation");
        }
    }
}
