namespace AdvRec.Adversarial;

/// <summary>How a multi-step attack keeps its perturbation within the budget ε after each step.</summary>
public enum Projection
{
    /// <summary>Each row back onto the L2 ball of radius ε (the FGSM threat model; the default).</summary>
    L2Ball,

    /// <summary>Each element clipped to [−ε, ε] (an L∞ box, as Elliot's MSAP does).</summary>
    LinfClip,
}
