using System.CommandLine;
using AdvRec.Cli.Commands;
using Spectre.Console;

namespace AdvRec.Cli;

/// <summary>The <c>advrec</c> command: parses arguments, runs one library entry point, maps errors to exit codes.</summary>
public static class Program
{
    /// <summary>Exit code for bad input (data, options, configuration).</summary>
    public const int BadInput = 2;

    /// <summary>Entry point.</summary>
    public static int Main(string[] args) => Run(args, AnsiConsole.Console, AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }));

    /// <summary>Runs the CLI with the given consoles for output and errors (tests pass their own).</summary>
    public static int Run(string[] args, IAnsiConsole output, IAnsiConsole errors)
    {
        var root = new RootCommand("AdvRec: train recommenders, attack them with adversarial perturbations, defend them with adversarial training.");
        root.Subcommands.Add(DemoCommand.Create(output));
        root.Subcommands.Add(RunCommand.Create(output));
        root.Subcommands.Add(BenchCommand.Create(output));
        var parse = root.Parse(args);
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (CliErrors.IsUserError(e))
        {
            errors.MarkupLineInterpolated($"[red]error:[/] {CliErrors.Describe(e)}");
            return BadInput;
        }
        catch (OperationCanceledException)
        {
            errors.MarkupLine("[yellow]cancelled[/]");
            return 130;
        }
    }
}
