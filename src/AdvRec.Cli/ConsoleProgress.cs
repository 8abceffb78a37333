using System.Diagnostics;
using Spectre.Console;

namespace AdvRec.Cli;

/// <summary>
/// Shows the library's progress reports. On an interactive terminal: Spectre progress bars, one per task.
/// Otherwise (CI, a pipe, a log file): one plain line per finished task, with its duration.
/// </summary>
internal sealed class ConsoleProgress : IProgress<ProgressUpdate>
{
    private readonly IAnsiConsole _console;
    private readonly ProgressContext? _context;
    private readonly Dictionary<string, (ProgressTask? Bar, Stopwatch Clock, bool Finished)> _tasks = [];
    private readonly Lock _lock = new();

    private ConsoleProgress(IAnsiConsole console, ProgressContext? context)
    {
        _console = console;
        _context = context;
    }

    /// <summary>Runs <paramref name="work"/> with a progress sink suited to <paramref name="console"/>.</summary>
    public static T Run<T>(IAnsiConsole console, Func<IProgress<ProgressUpdate>, T> work)
    {
        if (!console.Profile.Capabilities.Interactive)
            return work(new ConsoleProgress(console, null));
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(ctx => result = work(new ConsoleProgress(console, ctx)));
        return result;
    }

    public void Report(ProgressUpdate value)
    {
        lock (_lock)
        {
            if (!_tasks.TryGetValue(value.Task, out var entry))
            {
                entry = (_context?.AddTask(Markup.Escape(value.Task), maxValue: Math.Max(1, value.Total)), Stopwatch.StartNew(), false);
            }
            if (entry.Bar is not null)
            {
                entry.Bar.MaxValue = Math.Max(1, value.Total);
                entry.Bar.Value = Math.Min(value.Done, value.Total);
            }
            if (!entry.Finished && value.Done >= value.Total)
            {
                entry.Finished = true;
                if (entry.Bar is null)
                    _console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {value.Task}: done ({entry.Clock.Elapsed.TotalSeconds:F2} s)");
            }
            _tasks[value.Task] = entry;
        }
    }
}
