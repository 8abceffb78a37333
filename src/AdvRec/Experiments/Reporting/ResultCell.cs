using System.Globalization;

namespace AdvRec.Experiments.Reporting;

/// <summary>
/// One cell of a <see cref="ResultTable"/>: a text or a number. Strings, doubles and ints convert implicitly, so a
/// row can be written as <c>table.AddRow("BPR-MF", 0.1234, 64)</c>. A null string is an empty cell.
/// </summary>
public readonly record struct ResultCell
{
    private ResultCell(string? text, double number, bool isNumber)
    {
        Text = text;
        Number = number;
        IsNumber = isNumber;
    }

    /// <summary>Whether the cell holds a number (otherwise a text, possibly null: an empty cell).</summary>
    public bool IsNumber { get; }

    /// <summary>The text of a text cell; null for a number or an empty cell.</summary>
    public string? Text { get; }

    /// <summary>The number of a number cell; 0 for a text cell.</summary>
    public double Number { get; }

    /// <summary>A text cell (null: empty).</summary>
    public static ResultCell FromText(string? text) => new(text, 0, false);

    /// <summary>A number cell.</summary>
    public static ResultCell FromNumber(double number) => new(null, number, true);

    /// <summary>A text cell (null: empty).</summary>
    public static implicit operator ResultCell(string? text) => FromText(text);

    /// <summary>A number cell.</summary>
    public static implicit operator ResultCell(double number) => FromNumber(number);

    /// <summary>A number cell.</summary>
    public static implicit operator ResultCell(int number) => FromNumber(number);

    /// <summary>
    /// The cell as text: the text itself (empty for null), or the number in invariant culture with
    /// <paramref name="numberFormat"/> (null: the shortest text that round-trips, "NaN", "Infinity", "-Infinity").
    /// </summary>
    public string Format(string? numberFormat = null) =>
        IsNumber ? Number.ToString(numberFormat ?? "R", CultureInfo.InvariantCulture) : Text ?? "";

    /// <summary>The cell as text, as <see cref="Format"/> with no number format.</summary>
    public override string ToString() => Format();
}
