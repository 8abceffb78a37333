namespace AdvRec.Tests.Neural;

/// <summary>
/// Tests that count live tensors (<see cref="NeuralContract"/>) read a process-wide counter, so they run in this
/// collection, apart from every other test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "TorchSharp (live tensor counts)";
}
