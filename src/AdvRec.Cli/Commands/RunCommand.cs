using System.CommandLine;
using System.Globalization;
using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Models;
using AdvRec.Neural;
using AdvRec.Reporting;
using Spectre.Console;

namespace AdvRec.Cli.Commands;

/// <summary><c>advrec run study.yml</c>: a whole study from a YAML file into a results folder.</summary>
internal static class RunCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var config = new Argument<FileInfo>("config") { Description = "The study's YAML file." };
        var set = new Option<string[]>("--set") { Description = "Override a config value: key.path=value (repeatable), e.g. experiment.models.AMF.hyperparameters.eps=0.5", AllowMultipleArgumentsPerToken = false };
        var output = new Option<DirectoryInfo?>("--output") { Description = "Folder under which the results folder is created (default: ./results)." };
        var device = new Option<string?>("--device") { Description = $"Device of every neural model ({TorchDevices.Choices}), over the config's device options." };
        device.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } d && !TorchDevices.IsValidName(d)) r.AddError($"--device {d}: expected {TorchDevices.Choices}");
        });
        var threads = new Option<int?>("--threads")
        {
            Description = "The most threads the study uses (0 = all cores), over the config's experiment.threads: the threads of every model that does not set its own, and libtorch's intra-op threads.",
            CustomParser = r =>
            {
                string text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
                if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 0) return n;
                r.AddError($"--threads {text}: expected 0 (all cores) or a positive whole number of threads");
                return null;
            },
        };
        var command = new Command("run", "Run a study described by a YAML file: train, select, test, attack, and write tables, lists, weights, plots and a report.")
        {
            config, set, output, device, threads,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var file = parse.GetValue(config)!;
            // the whole file is checked (every problem reported) before any training starts
            var study = StudyConfigLoader.Load(file.FullName, parse.GetValue(set) ?? [], ModelRegistry.SchemasOf(NeuralRegistry.All));
            // a device asked for on the command line is checked before anything is written
            if (parse.GetValue(device) is { } asked) TorchDevices.Resolve(asked);
            string root = parse.GetValue(output)?.FullName ?? Path.Combine(Directory.GetCurrentDirectory(), "results");
            var options = new StudyRunOptions(root, new ScottPlotChartRenderer(), line => console.MarkupLineInterpolated($"[grey]{DateTime.Now:HH:mm:ss}[/] {line}"))
            {
                Models = NeuralRegistry.All,
                Device = parse.GetValue(device),
                Threads = parse.GetValue(threads),
            };
            var result = ConsoleProgress.Run(console, progress => StudyRunner.Run(study, options, progress, cancellationToken));
            var table = new Table().Title($"{result.Dataset.Name}: best configuration of each model on the test split");
            var keys = result.Best[0].Test.Keys;
            table.AddColumn("model");
            table.AddColumn("configuration");
            foreach (var key in keys) table.AddColumn(new TableColumn(key.ToString()).RightAligned());
            foreach (var b in result.Best)
                table.AddRow([Markup.Escape(b.Model), Markup.Escape(b.Configuration), .. keys.Select(k => b.Test.Mean(k).ToString("F4", CultureInfo.InvariantCulture))]);
            console.Write(table);
            console.MarkupLineInterpolated($"results: [green]{result.OutputFolder}[/]");
            return Task.FromResult(0);
        });
        return command;
    }
}
