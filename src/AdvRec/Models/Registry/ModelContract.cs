namespace AdvRec.Models;

/// <summary>The training data a model's contract check runs on.</summary>
public enum ContractData
{
    /// <summary>Implicit feedback: the checkerboard (even users interact with even items, odd users with odd items).</summary>
    Implicit,

    /// <summary>
    /// Explicit ratings for rating models: each user rates items of its own parity 4–5 stars and a few of the other
    /// parity 1 star.
    /// </summary>
    Ratings,

    /// <summary>The checkerboard with timestamps (each user meets its items in increasing order), for sequential models.</summary>
    Sequences,
}

/// <summary>
/// What the contract suite (tests/AdvRec.Tests/Contract) needs to check a registered model quickly: tiny options, the
/// epochs and the data kind. Declared on the model's <see cref="ModelDefinition"/>, beside the model; a registered model
/// without one fails the suite.
/// </summary>
/// <param name="Options">Tiny options of the model's options type (a few factors or hidden units, one thread, cpu).</param>
public sealed record ModelContract(object Options)
{
    /// <summary>Epochs to train before the checks (enough to learn the checkerboard).</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>The data the model trains on (item features are added for models that need them).</summary>
    public ContractData Data { get; init; } = ContractData.Implicit;

    /// <summary>
    /// Why the model cannot learn the checkerboard (a non-personalised baseline scores every user alike), or null when
    /// it must: the suite then checks that each user's held-out items of its own parity rank above the other parity's.
    /// </summary>
    public string? NotPersonalized { get; init; }

    /// <summary>Relative tolerance of the finite-difference check of the attack gradient.</summary>
    public double GradientTolerance { get; init; } = 0.05;
}
