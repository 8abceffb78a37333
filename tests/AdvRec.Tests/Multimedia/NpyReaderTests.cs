using System.Buffers.Binary;
using System.Text;
using AdvRec.Data;
using AdvRec.Data.Features;

namespace AdvRec.Tests.Multimedia;

public class NpyReaderTests
{
    /// <summary>Writes an .npy file by hand: magic, version, header length, the dict padded to 64 bytes, then the data.</summary>
    internal static byte[] Npy(string descr, string shape, byte[] data, bool fortran = false, int major = 1, string? rawHeader = null)
    {
        string dict = rawHeader ?? $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
        int prefix = major == 1 ? 10 : 12;
        int total = (prefix + dict.Length + 1 + 63) / 64 * 64;
        string header = dict.PadRight(total - prefix - 1) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.Add((byte)major);
        bytes.Add(0);
        if (major == 1) bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        else bytes.AddRange(BitConverter.GetBytes((uint)header.Length));
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        bytes.AddRange(data);
        return [.. bytes];
    }

    internal static byte[] F4(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    private static byte[] F8BigEndian(params double[] values) => values.SelectMany(v =>
    {
        var b = new byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(b, v);
        return b;
    }).ToArray();

    [Fact]
    public void ReadsA1DFloat32Vector()
    {
        var a = NpyReader.Parse(Npy("<f4", "(3,)", F4(1.5f, -2f, 3.25f)), "v.npy");
        Assert.Equal([3], a.Shape);
        Assert.Equal([1.5f, -2f, 3.25f], a.Values);
        Assert.Equal(1, a.Rows);
        Assert.Equal(3, a.Columns);
    }

    [Fact]
    public void ReadsABigEndianFloat64Matrix()
    {
        var a = NpyReader.Parse(Npy(">f8", "(2, 3)", F8BigEndian(1, 2, 3, 4, 5, 6.5)), "m.npy");
        Assert.Equal([2, 3], a.Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6.5f], a.Values);
        Assert.Equal(2, a.Rows);
        Assert.Equal(3, a.Columns);
    }

    [Fact]
    public void ReadsLittleEndianFloat64AndVersion2Headers()
    {
        var data = new[] { 0.25, -1.0 }.SelectMany(BitConverter.GetBytes).ToArray();
        var a = NpyReader.Parse(Npy("<f8", "(2,)", data, major: 2), "v2.npy");
        Assert.Equal([0.25f, -1f], a.Values);
    }

    [Fact]
    public void ReordersFortranOrderToRowMajor()
    {
        // the 2 × 3 matrix [[1, 2, 3], [4, 5, 6]] stored column by column
        var a = NpyReader.Parse(Npy("<f4", "(2, 3)", F4(1, 4, 2, 5, 3, 6), fortran: true), "f.npy");
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], a.Values);
    }

    [Fact]
    public void ReadsAnEmptyMatrixAndAScalar()
    {
        Assert.Empty(NpyReader.Parse(Npy("<f4", "(0, 4)", []), "e.npy").Values);
        var scalar = NpyReader.Parse(Npy("<f4", "()", F4(7f)), "s.npy");
        Assert.Empty(scalar.Shape);
        Assert.Equal([7f], scalar.Values);
    }

    [Theory]
    [InlineData("bad magic")]
    [InlineData("int dtype")]
    [InlineData("truncated data")]
    [InlineData("extra data")]
    [InlineData("missing shape")]
    [InlineData("unknown key")]
    [InlineData("bad shape")]
    [InlineData("version 9")]
    [InlineData("short header")]
    public void RejectsCorruptFilesWithAClearError(string corruption)
    {
        byte[] bytes = corruption switch
        {
            "bad magic" => [.. "XNUMPY"u8.ToArray(), 1, 0, 0, 0],
            "int dtype" => Npy("<i4", "(2,)", new byte[8]),
            "truncated data" => Npy("<f4", "(4,)", F4(1, 2, 3)),
            "extra data" => Npy("<f4", "(2,)", F4(1, 2, 3)),
            "missing shape" => Npy("", "", [], rawHeader: "{'descr': '<f4', 'fortran_order': False, }"),
            "unknown key" => Npy("", "", [], rawHeader: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'colour': 'red', }"),
            "bad shape" => Npy("", "", [], rawHeader: "{'descr': '<f4', 'fortran_order': False, 'shape': (two,), }"),
            "version 9" => Npy("<f4", "(1,)", F4(1), major: 9),
            "short header" => Npy("<f4", "(1,)", F4(1))[..20],
            _ => throw new ArgumentException(corruption),
        };
        var e = Assert.Throws<DataFormatException>(() => NpyReader.Parse(bytes, "bad.npy"));
        Assert.Equal("bad.npy", e.File);
        string expected = corruption switch
        {
            "bad magic" => "magic",
            "int dtype" => "unsupported dtype '<i4'",
            "truncated data" => "truncated data",
            "extra data" => "unexpected bytes",
            "missing shape" => "lacks 'shape'",
            "unknown key" => "unknown header key 'colour'",
            "bad shape" => "dimension",
            "version 9" => "version 9.0",
            _ => "truncated",
        };
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void AMissingFileNamesThePath()
    {
        var e = Assert.Throws<DataFormatException>(() => NpyReader.Read("/nonexistent/x.npy"));
        Assert.Contains("not found", e.Message);
    }
}
