using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using AdvRec.Data;
using AdvRec.IO;

namespace AdvRec.Models.Factorization;

/// <summary>The tables of a factorization model file (<see cref="FactorFile{TOptions}"/>): raw little-endian float32.</summary>
internal static class FactorFile
{
    /// <summary>Writes a table as raw float32.</summary>
    public static void WriteTable(BinaryWriter bw, float[] values) => bw.Write(MemoryMarshal.AsBytes(values.AsSpan()));

    /// <summary>Reads a table of <paramref name="count"/> float32.</summary>
    /// <exception cref="DataFormatException">The file ends first.</exception>
    public static float[] ReadTable(BinaryReader br, int count, string path)
    {
        var values = new float[count];
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        if (br.Read(bytes) != bytes.Length) throw new DataFormatException(path, 0, "the model file is truncated");
        return values;
    }

    /// <summary>Checks that the tables end the file.</summary>
    /// <exception cref="DataFormatException">Bytes follow the tables.</exception>
    public static void CheckEnd(BinaryReader br, string path)
    {
        var stream = br.BaseStream;
        if (stream.Position != stream.Length) throw new DataFormatException(path, 0, $"{stream.Length - stream.Position} unexpected bytes after the tables");
    }
}

/// <summary>
/// The versioned binary model file of the factorization models: magic bytes, the format version (int32), the model
/// name and the options as JSON (length-prefixed UTF-8 strings), then what the model writes (its shapes, then its
/// tables as raw little-endian float32). Files are written under a temporary name and moved into place.
/// </summary>
/// <typeparam name="TOptions">The model's options record, stored as JSON.</typeparam>
/// <param name="magic">The file's first bytes, ASCII (8 characters).</param>
/// <param name="version">The only format version this build writes and reads.</param>
/// <param name="modelName">The model name in the file; a file of another model is refused.</param>
/// <param name="kind">What a file with other magic bytes is not, in the error ("factorization", "VBPR").</param>
internal sealed class FactorFile<TOptions>(string magic, int version, string modelName, string kind)
{
    private readonly byte[] _magic = Encoding.ASCII.GetBytes(magic);

    /// <summary>Writes the header with <paramref name="options"/>, then the model's shapes and tables through <paramref name="writeBody"/>; atomic.</summary>
    public void Write(string path, TOptions options, Action<BinaryWriter> writeBody) => AtomicFile.Write(path, stream =>
    {
        using var bw = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        bw.Write(_magic);
        bw.Write(version);
        bw.Write(modelName);
        bw.Write(JsonSerializer.Serialize(options));
        writeBody(bw);
    });

    /// <summary>
    /// Opens <paramref name="path"/>, checks its header and reads its options, then the rest through
    /// <paramref name="readBody"/> (given the reader, the options and the path, for errors).
    /// </summary>
    /// <exception cref="DataFormatException">The file is missing, is not a file of this model and version, or is truncated.</exception>
    public T Read<T>(string path, Func<BinaryReader, TOptions, T> readBody)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, 0, "model file not found");
        try
        {
            using var stream = File.OpenRead(path);
            using var br = new BinaryReader(stream);
            if (!br.ReadBytes(_magic.Length).AsSpan().SequenceEqual(_magic)) throw new DataFormatException(path, 0, $"not an AdvRec {kind} model file (bad magic bytes)");
            int fileVersion = br.ReadInt32();
            if (fileVersion != version) throw new DataFormatException(path, 0, $"model file format version {fileVersion}; this build reads version {version}");
            string name = br.ReadString();
            if (name != modelName) throw new DataFormatException(path, 0, $"the file holds a {name} model, expected {modelName}");
            var options = JsonSerializer.Deserialize<TOptions>(br.ReadString()) ?? throw new DataFormatException(path, 0, "missing options");
            return readBody(br, options);
        }
        catch (EndOfStreamException e)
        {
            throw new DataFormatException(path, 0, "the model file is truncated", e);
        }
    }
}
