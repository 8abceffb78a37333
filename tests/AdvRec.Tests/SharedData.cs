using System.Runtime.CompilerServices;

namespace AdvRec.Tests;

/// <summary>
/// Locates the project's shared real data (the <c>shared/data</c> folder next to the repository) for end-to-end
/// tests: the environment variable ADVREC_DATA (the data folder itself) if set, else the first folder holding
/// <c>shared/data</c> walking up from the test binaries, from this source file's location, or from the current directory.
/// </summary>
public static class SharedData
{
    private static readonly (string? Root, string Searched) Located = Locate();

    /// <summary>The full path of the shared data folder, or null when it was not found.</summary>
    public static string? Root => Located.Root;

    /// <summary>Where the search looked (for skip messages).</summary>
    public static string Searched => Located.Searched;

    /// <summary>The path of <paramref name="parts"/> under the data folder; throws when the folder was not found.</summary>
    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([Root ?? throw new InvalidOperationException($"shared/data not found (looked in {Searched})"), .. parts]);

    /// <summary>Whether the data folder was found and holds the file or folder <paramref name="parts"/>.</summary>
    public static bool Has(params string[] parts)
    {
        if (Root is null) return false;
        string path = Path(parts);
        return File.Exists(path) || Directory.Exists(path);
    }

    private static (string?, string) Locate([CallerFilePath] string sourceFile = "")
    {
        var searched = new List<string>();
        string? env = Environment.GetEnvironmentVariable("ADVREC_DATA");
        if (!string.IsNullOrEmpty(env))
        {
            if (Directory.Exists(env)) return (System.IO.Path.GetFullPath(env), env);
            searched.Add($"ADVREC_DATA={env} (missing)");
        }
        foreach (string? start in new[] { AppContext.BaseDirectory, System.IO.Path.GetDirectoryName(sourceFile), Directory.GetCurrentDirectory() })
        {
            if (string.IsNullOrEmpty(start)) continue;
            searched.Add($"the parents of {start}");
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = System.IO.Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(candidate)) return (candidate, string.Join("; ", searched));
            }
        }
        return (null, string.Join("; ", searched));
    }
}
