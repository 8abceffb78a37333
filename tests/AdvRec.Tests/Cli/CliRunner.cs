using Spectre.Console;

namespace AdvRec.Tests.Cli;

/// <summary>Runs the advrec CLI in-process with captured, plain-text output.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Output, string Errors) Run(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        int code = AdvRec.Cli.Program.Run(args, Console(output), Console(errors));
        return (code, output.ToString(), errors.ToString());
    }

    private static IAnsiConsole Console(TextWriter writer) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(writer),
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
    });
}
