namespace AdvRec.Data;

/// <summary>The parts of a split log (see <see cref="Splitter.Split"/>), each with its own id maps.</summary>
public sealed class SplitResult
{
    /// <summary>The training rows.</summary>
    public required InteractionLog Train { get; init; }

    /// <summary>The test rows.</summary>
    public required InteractionLog Test { get; init; }

    /// <summary>The validation rows, when the splitter was asked for them.</summary>
    public InteractionLog? Validation { get; init; }

    /// <summary>Duplicated (user, item) rows merged before splitting (latest timestamp wins, else the later row).</summary>
    public int DuplicatesMerged { get; init; }

    /// <summary>Users with interactions of which none was held out for testing (a single interaction, or too few for the split).</summary>
    public int UsersOnlyInTrain { get; init; }

    /// <summary>
    /// The original ids of the users whose rows a model may fit on (strong generalisation: the training users; the
    /// held-out users' fold-in rows are in <see cref="Train"/> only as input to score them from), or null for all users.
    /// </summary>
    public IReadOnlyList<string>? FitUsers { get; init; }
}
