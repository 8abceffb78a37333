namespace AdvRec;

/// <summary>
/// One progress report from a long job (training, evaluation, an attack). The library reports through
/// <see cref="IProgress{T}"/> of this type; the CLI shows bars, and a library user may pass their own sink or none.
/// </summary>
/// <param name="Task">What is running, for example "BPR-MF epoch 3/5" or "evaluate".</param>
/// <param name="Done">Units finished so far.</param>
/// <param name="Total">Units in all.</param>
public readonly record struct ProgressUpdate(string Task, long Done, long Total);
