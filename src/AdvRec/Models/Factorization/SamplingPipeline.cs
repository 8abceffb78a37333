namespace AdvRec.Models.Factorization;

/// <summary>
/// Two threads, no shared writes: a sampler thread fills unit b + 1 (reading only the training data) while the
/// calling thread applies unit b, the only writer of the parameters. At most <c>buffers</c> units are in flight.
/// Measured on the 2-core machine, this beats lock-free parallel updates of shared rows, whose cache-line traffic
/// between cores made two threads slower than one.
/// </summary>
internal static class SamplingPipeline
{
    public static void Run(int units, int buffers, Action<int> fill, Action<int> update, CancellationToken cancellationToken)
    {
        int produced = 0, consumed = 0;
        var stop = false;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                for (int b = 0; b < units; b++)
                {
                    var spin = new SpinWait();
                    while (b - Volatile.Read(ref consumed) >= buffers)
                    {
                        if (Volatile.Read(ref stop)) return;
                        spin.SpinOnce(sleep1Threshold: -1);
                    }
                    fill(b);
                    Volatile.Write(ref produced, b + 1);
                }
            }
            catch (Exception e)
            {
                Volatile.Write(ref error, e);
                Volatile.Write(ref stop, true);
            }
        })
        { IsBackground = true, Name = "advrec-sampler" };
        thread.Start();
        try
        {
            for (int b = 0; b < units; b++)
            {
                var spin = new SpinWait();
                while (Volatile.Read(ref produced) <= b)
                {
                    if (Volatile.Read(ref stop)) break;
                    cancellationToken.ThrowIfCancellationRequested();
                    spin.SpinOnce(sleep1Threshold: -1);
                }
                if (Volatile.Read(ref error) is not null) break;
                update(b);
                Volatile.Write(ref consumed, b + 1);
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            thread.Join();
        }
        if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
    }
}
