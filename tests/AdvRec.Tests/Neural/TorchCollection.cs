namespace AdvRec.Tests.Neural;

/// <summary>
/// Tests that create libtorch tensors and those that count them (<see cref="NeuralContract"/> checks the process-wide
/// live tensor count) must not run beside each other: this collection runs its classes alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "libtorch tensor counts";
}
