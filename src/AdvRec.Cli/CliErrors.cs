using AdvRec.Data;
using AdvRec.Experiments.Config;
using AdvRec.Neural;

namespace AdvRec.Cli;

/// <summary>Which exceptions are the user's to fix (bad input) rather than bugs, and how to say them.</summary>
internal static class CliErrors
{
    public static bool IsUserError(Exception e) =>
        e is DataFormatException or ConfigException or ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or UnauthorizedAccessException or DeviceUnavailableException;

    public static string Describe(Exception e) => e switch
    {
        ConfigException c => c.Message, // one problem per line, every one of them

        ArgumentOutOfRangeException a when a.ParamName is not null && !a.Message.StartsWith(a.ParamName, StringComparison.OrdinalIgnoreCase)
            => $"{a.ParamName}: {FirstLine(a.Message)}",
        _ => FirstLine(e.Message),
    };

    // ArgumentException appends " (Parameter 'x')" and the actual value on new lines; keep the sentence.
    private static string FirstLine(string message)
    {
        int nl = message.IndexOf('\n');
        string line = nl < 0 ? message : message[..nl];
        int p = line.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return (p < 0 ? line : line[..p]).TrimEnd();
    }
}
