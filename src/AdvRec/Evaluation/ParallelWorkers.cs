using System.Runtime.ExceptionServices;

namespace AdvRec.Evaluation;

/// <summary>
/// Runs a fixed number of worker loops in parallel and rethrows a failure unwrapped: the first one, also when several
/// workers fail at once (they usually fail for the same reason, for example a broken model).
/// </summary>
internal static class ParallelWorkers
{
    /// <summary>Runs <paramref name="worker"/> on <paramref name="workers"/> threads at once and waits for all.</summary>
    public static void Run(int workers, CancellationToken cancellationToken, Action worker)
    {
        if (workers == 1)
        {
            worker();
            return;
        }
        try
        {
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken }, _ => worker());
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }
}
