namespace AdvRec.Models.Factorization;

/// <summary>How embedding tables are initialised.</summary>
public enum Initialization
{
    /// <summary>Normal with standard deviation InitStd, redrawn beyond two deviations (TensorFlow's truncated_normal; the APR code).</summary>
    TruncatedNormal,

    /// <summary>Uniform on [−a, a], a = sqrt(6 / (rows + factors)) (Keras's glorot_uniform; Elliot).</summary>
    GlorotUniform,
}
