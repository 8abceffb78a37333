namespace AdvRec.Models;

/// <summary>
/// A model whose parameters (embeddings, feature tables, hidden layers) can be perturbed by an attack.
/// Attacks see only this interface: the names and shapes of the targets, the loss gradient with respect
/// to them, and a scoring view with a perturbation added. They never modify the model's own parameters.
/// </summary>
public interface IPerturbable : IRecommender
{
    /// <summary>The tables that may be perturbed, in a fixed order.</summary>
    IReadOnlyList<PerturbationTarget> PerturbationTargets { get; }

    /// <summary>
    /// Draws the data a full-data attack differentiates over. For the BPR family: every training pair once,
    /// each with one fresh uniform negative item not in the user's training items.
    /// </summary>
    ILossSample DrawAttackSample(ulong seed);

    /// <summary>
    /// The model's plain training loss (no regulariser) summed over <paramref name="sample"/>, evaluated with
    /// <paramref name="at"/> added to the parameters (null: the clean point), and its gradient with respect to
    /// every active target of <paramref name="gradient"/>, written there (overwriting).
    /// </summary>
    double LossGradient(ILossSample sample, Perturbation? at, Perturbation gradient);

    /// <summary>
    /// A scoring view of the model with <paramref name="delta"/> added to its parameters. The model itself is unchanged.
    /// The caller owns the view and disposes it when done (a TorchSharp model's view holds native tensors).
    /// </summary>
    IPerturbedView WithPerturbation(Perturbation delta);
}
