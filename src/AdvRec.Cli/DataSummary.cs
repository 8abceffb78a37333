using AdvRec.Data;
using Spectre.Console;

namespace AdvRec.Cli;

/// <summary>Prints what was loaded, and every row the split dropped, so that nothing is dropped silently.</summary>
internal static class DataSummary
{
    public static void Write(IAnsiConsole console, Dataset data)
    {
        var r = data.Report;
        console.MarkupLineInterpolated($"[bold]{data.Name}[/]: {data.Description}");
        foreach (string format in r.Formats) console.MarkupLineInterpolated($"{format}");
        if (data.IsSynthetic)
            console.MarkupLine("[yellow]This is SYNTHETIC data generated from the seed; pass --train and --test for real data.[/]");
        console.MarkupLineInterpolated($"train: {r.TrainRows:N0} rows, {r.TrainUsers:N0} users, {r.TrainItems:N0} items; test: {r.TestRows:N0} rows, {r.TestUsers:N0} users");
        var notes = new List<string>();
        if (r.TestRowsDroppedUnseenItem > 0) notes.Add($"{r.TestRowsDroppedUnseenItem:N0} test rows dropped: item never seen in training");
        if (r.TestRowsDroppedUnseenUser > 0) notes.Add($"{r.TestRowsDroppedUnseenUser:N0} test rows dropped: user has no training data");
        if (r.DuplicatesMerged > 0) notes.Add($"{r.DuplicatesMerged:N0} duplicated (user, item) rows merged (latest kept)");
        if (r.TestPairsAlsoInTrain > 0) notes.Add($"{r.TestPairsAlsoInTrain:N0} test pairs also in training (not rankable)");
        if (r.RowsRemovedByBinarization > 0) notes.Add($"{r.RowsRemovedByBinarization:N0} rows below the binarisation threshold removed");
        foreach (var note in notes) console.MarkupLineInterpolated($"[yellow]note:[/] {note}");
    }
}
