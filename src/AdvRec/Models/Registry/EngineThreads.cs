namespace AdvRec.Models;

/// <summary>
/// The process-wide thread count of a native engine that some models run on (libtorch's intra-op threads for the
/// neural models). <c>StudyRunner</c> sets it to the study's <c>threads</c> for the run, when the study names a
/// model of that engine and the count is not 0 (all cores), and sets the previous count back at the end, also when
/// the run fails. The managed assembly knows engines only through this record: the engine's assembly publishes one
/// on its <see cref="ModelDefinition.EngineThreads"/>.
/// </summary>
/// <param name="Engine">The engine's name for run.log, such as <c>libtorch</c>; engines are told apart by it.</param>
/// <param name="Get">Reads the engine's current thread count.</param>
/// <param name="Set">Sets the engine's thread count (at least 1).</param>
public sealed record EngineThreads(string Engine, Func<int> Get, Action<int> Set);
