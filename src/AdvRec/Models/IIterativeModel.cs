namespace AdvRec.Models;

/// <summary>
/// A model trained epoch by epoch. The caller (a trainer) owns the loop: how many epochs, validation, early
/// stopping, checkpoints. The model keeps no "best epoch" state of its own. Whoever creates a model disposes it, also
/// when training fails or is cancelled: TorchSharp models hold native memory that the GC does not see.
/// </summary>
public interface IIterativeModel : IPerturbable, IDisposable
{
    /// <summary>Epochs trained so far.</summary>
    int EpochsTrained { get; }

    /// <summary>Whether the next epoch trains adversarially (for models with an APR phase).</summary>
    bool NextEpochIsAdversarial { get; }

    /// <summary>Trains the next epoch.</summary>
    EpochStats TrainEpoch(IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken);

    /// <summary>A copy of the parameters that scoring uses (to keep the best epoch's weights).</summary>
    object TakeSnapshot();

    /// <summary>Puts back parameters taken by <see cref="TakeSnapshot"/>.</summary>
    void RestoreSnapshot(object snapshot);
}
