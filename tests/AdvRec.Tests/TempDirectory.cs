using System.IO.Compression;
using System.Text;

namespace AdvRec.Tests;

/// <summary>A fresh folder under the system temp path, deleted on dispose; never the working directory.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        FullPath = Path.Combine(Path.GetTempPath(), "advrec-data-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(FullPath);
    }

    public string FullPath { get; }

    /// <summary>The path of <paramref name="name"/> inside the folder (nothing is created).</summary>
    public string File(string name) => Path.Combine(FullPath, name);

    /// <summary>Writes <paramref name="content"/> (UTF-8, no BOM) to a file (creating its folders) and returns its path.</summary>
    public string Write(string name, string content)
    {
        string path = File(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    /// <summary>Writes <paramref name="content"/> gzip-compressed and returns its path.</summary>
    public string WriteGzip(string name, string content)
    {
        string path = File(name);
        using var file = System.IO.File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        gzip.Write(Encoding.UTF8.GetBytes(content));
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(FullPath, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }
}
