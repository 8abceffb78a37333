using System.CommandLine;
using System.Globalization;
using AdvRec.Data;
using AdvRec.Experiments;
using Spectre.Console;

namespace AdvRec.Cli.Commands;

/// <summary><c>advrec demo</c>: the classic experiment (BPR-MF, FGSM, random control, APR, FGSM again).</summary>
internal static class DemoCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var defaults = new HandsOnOptions();
        var train = new Option<FileInfo?>("--train") { Description = "Training file (user item [rating [timestamp]], TSV/CSV, MovieLens ::, optionally .gz). Without --train/--test the built-in synthetic dataset is used." };
        var test = new Option<FileInfo?>("--test") { Description = "Test file, same format as --train." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random choice.", DefaultValueFactory = _ => defaults.Seed };
        var epochs = new Option<int>("--epochs") { Description = "BPR-MF epochs.", DefaultValueFactory = _ => defaults.Epochs };
        var advEpochs = new Option<int>("--adv-epochs") { Description = "APR epochs after BPR-MF.", DefaultValueFactory = _ => defaults.AdversarialEpochs };
        var eps = new Option<float>("--eps") { Description = "Perturbation budget (per-row L2 norm) of the attacks and of APR.", DefaultValueFactory = _ => defaults.Epsilon };
        var cutoff = new Option<int>("--cutoff") { Description = "K of HR@K and nDCG@K.", DefaultValueFactory = _ => defaults.Cutoff };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the table as JSON to this file." };
        var command = new Command("demo", "Train BPR-MF, attack it with FGSM (and random noise of the same norms), defend it with APR, attack again.")
        {
            train, test, seed, epochs, advEpochs, eps, cutoff, json,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var options = defaults with
            {
                Seed = parse.GetValue(seed),
                Epochs = parse.GetValue(epochs),
                AdversarialEpochs = parse.GetValue(advEpochs),
                Epsilon = parse.GetValue(eps),
                Cutoff = parse.GetValue(cutoff),
            };
            return Task.FromResult(Run(console, parse.GetValue(train), parse.GetValue(test), options, parse.GetValue(json), cancellationToken));
        });
        return command;
    }

    private static int Run(IAnsiConsole console, FileInfo? trainFile, FileInfo? testFile, HandsOnOptions options, FileInfo? json, CancellationToken cancellationToken)
    {
        if ((trainFile is null) != (testFile is null))
            throw new ArgumentException("give both --train and --test, or neither (to use the built-in synthetic dataset)");
        options.Validate(int.MaxValue); // what can be checked before reading any data
        var data = trainFile is null
            ? SyntheticDataset.Generate(options.Seed)
            : DatasetLoader.LoadFixed(trainFile.FullName, testFile!.FullName);
        DataSummary.Write(console, data);

        var result = ConsoleProgress.Run(console, progress => HandsOnExperiment.Run(data, options, progress, cancellationToken));

        WriteTable(console, result);
        if (json is not null)
        {
            HandsOnJson.Write(result, json.FullName);
            console.MarkupLineInterpolated($"wrote [green]{json.FullName}[/]");
        }
        return 0;
    }

    private static void WriteTable(IAnsiConsole console, HandsOnResult result)
    {
        int k = result.Cutoff;
        var table = new Table().Title($"{result.Dataset}: {result.UsersEvaluated:N0} test users, full ranking, seed {result.Seed}");
        table.AddColumn("model");
        table.AddColumn("attack");
        table.AddColumn(new TableColumn($"HR@{k}").RightAligned());
        table.AddColumn(new TableColumn($"nDCG@{k}").RightAligned());
        table.AddColumn(new TableColumn("AUC").RightAligned());
        table.AddColumn(new TableColumn("time").RightAligned());
        foreach (var row in result.Rows)
        {
            string attack = row.Attack == "none" ? "none" : $"{row.Attack} eps {row.Epsilon.ToString(CultureInfo.InvariantCulture)}";
            table.AddRow(
                Markup.Escape(row.Model),
                Markup.Escape(attack),
                Cell(row, r => r.HitRate),
                Cell(row, r => r.Ndcg),
                Cell(row, r => r.Auc),
                $"{row.Seconds:F2} s");
        }
        console.Write(table);
        console.MarkupLine("[grey]Changes are relative to the same model without attack. Clean rows time the training; attack rows time attack plus evaluation.[/]");
    }

    private static string Cell(HandsOnRow row, Func<HandsOnRow, double> metric)
    {
        string value = metric(row).ToString("F4", CultureInfo.InvariantCulture);
        return row.Change(metric) is { } change ? $"{value} ({change * 100:+0.0;-0.0}%)" : value;
    }
}
