namespace AdvRec.Models.Factorization;

/// <summary>The optimizer that applies a batch's summed gradient to the rows it touched.</summary>
public enum OptimizerKind
{
    /// <summary>Plain SGD: w -= lr * g.</summary>
    Sgd,

    /// <summary>Adagrad with Keras semantics (initial accumulator 0.1, epsilon 1e-7), as in the APR code.</summary>
    Adagrad,

    /// <summary>Adam (beta1 0.9, beta2 0.999, epsilon 1e-7), updating only the rows a batch touched (lazy, as sparse Adam), as in Elliot.</summary>
    Adam,
}
