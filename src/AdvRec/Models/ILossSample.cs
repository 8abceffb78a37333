namespace AdvRec.Models;

/// <summary>
/// The training data over which a model's loss (and its gradient) is taken when an attack or adversarial
/// training asks for it: for the BPR family a set of (user, positive, negative) triples. Opaque to attacks.
/// </summary>
public interface ILossSample
{
    /// <summary>Number of loss terms (triples, rows) in the sample.</summary>
    int Count { get; }
}
