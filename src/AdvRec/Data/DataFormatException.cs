namespace AdvRec.Data;

/// <summary>
/// Bad input data: names the file, the 1-based line (0 when the problem is not tied to a line) and what
/// was expected, so that the message alone tells the user what to fix.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception; the message reads "FILE:LINE: PROBLEM".</summary>
    public DataFormatException(string file, int line, string problem, Exception? inner = null)
        : base(line > 0 ? $"{file}:{line}: {problem}" : $"{file}: {problem}", inner)
    {
        File = file;
        Line = line;
        Problem = problem;
    }

    /// <summary>The file that holds the bad input.</summary>
    public string File { get; }

    /// <summary>The 1-based line number, or 0 when the problem concerns the file as a whole.</summary>
    public int Line { get; }

    /// <summary>What was wrong and what was expected.</summary>
    public string Problem { get; }
}
