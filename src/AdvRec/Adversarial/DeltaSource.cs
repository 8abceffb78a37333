namespace AdvRec.Adversarial;

/// <summary>Where adversarial training takes its perturbation Δ from before each step.</summary>
public enum DeltaSource
{
    /// <summary>FGSM on the current mini-batch (the APR paper; fused into the training step, cheap).</summary>
    Batch,

    /// <summary>FGSM on all training pairs, rebuilt before every batch (the hands-on notebook; one full gradient pass per batch).</summary>
    AllPairs,
}
