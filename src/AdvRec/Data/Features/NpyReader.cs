using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace AdvRec.Data.Features;

/// <summary>A numeric array read from a NumPy <c>.npy</c> file: its shape and its values as floats, in C (row-major) order.</summary>
/// <param name="Shape">The dimensions, as in the header (empty for a scalar).</param>
/// <param name="Values">The values in row-major order (a Fortran-ordered file is reordered).</param>
/// <param name="Descr">The header's dtype, such as <c>&lt;f4</c>.</param>
public sealed record NpyArray(IReadOnlyList<int> Shape, float[] Values, string Descr)
{
    /// <summary>The number of rows: the first dimension (1 for a 1-D array or a scalar).</summary>
    public int Rows => Shape.Count <= 1 ? 1 : Shape[0];

    /// <summary>The length of one row: the product of the dimensions after the first (the length of a 1-D array).</summary>
    public int Columns => Shape.Count == 0 ? 1 : Shape.Count == 1 ? Shape[0] : Shape.Skip(1).Aggregate(1, (a, b) => checked(a * b));
}

/// <summary>
/// Reads NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0) by parsing the header: the magic string, the
/// version, the header length, and the header's Python dict literal (<c>descr</c>, <c>fortran_order</c>,
/// <c>shape</c>). Supported dtypes: float32 and float64 in either byte order (<c>&lt;f4</c>, <c>&gt;f4</c>,
/// <c>&lt;f8</c>, <c>&gt;f8</c>). Anything else, or a header that does not parse, is a <see cref="DataFormatException"/>
/// naming the file and what was expected.
/// </summary>
public static class NpyReader
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads the file at <paramref name="path"/>.</summary>
    /// <exception cref="DataFormatException">The file is missing, not an .npy file, has an unsupported dtype, or is truncated.</exception>
    public static NpyArray Read(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, 0, "file not found (expected a NumPy .npy file)");
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses the bytes of an .npy file; <paramref name="source"/> names it in errors.</summary>
    public static NpyArray Parse(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
            throw new DataFormatException(source, 0, "not a NumPy .npy file: it does not start with the magic string \\x93NUMPY");
        int major = bytes[6], minor = bytes[7];
        int headerLength, offset;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
            offset = 10;
        }
        else if (major is 2 or 3)
        {
            if (bytes.Length < 12) throw new DataFormatException(source, 0, "truncated .npy header");
            uint len = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
            if (len > int.MaxValue) throw new DataFormatException(source, 0, $"implausible .npy header length {len}");
            headerLength = (int)len;
            offset = 12;
        }
        else throw new DataFormatException(source, 0, $".npy format version {major}.{minor} is not supported (expected 1.0, 2.0 or 3.0)");
        if (bytes.Length < offset + headerLength)
            throw new DataFormatException(source, 0, $"truncated .npy header: it declares {headerLength} bytes, the file has {bytes.Length - offset}");
        var headerBytes = bytes.Slice(offset, headerLength);
        string header;
        try
        {
            header = (major == 3 ? new UTF8Encoding(false, true) : Encoding.Latin1).GetString(headerBytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new DataFormatException(source, 0, "the .npy header is not valid UTF-8", e);
        }
        var (descr, fortran, shape) = ParseHeader(header, source);
        int itemSize;
        bool bigEndian;
        switch (descr)
        {
            case "<f4" or "=f4" or "f4": itemSize = 4; bigEndian = false; break;
            case ">f4": itemSize = 4; bigEndian = true; break;
            case "<f8" or "=f8" or "f8": itemSize = 8; bigEndian = false; break;
            case ">f8": itemSize = 8; bigEndian = true; break;
            default:
                throw new DataFormatException(source, 0, $"unsupported dtype '{descr}' (expected float32 or float64: '<f4', '>f4', '<f8' or '>f8')");
        }
        long count = 1;
        foreach (int d in shape) count = checked(count * d);
        if (count > Array.MaxLength) throw new DataFormatException(source, 0, $"the array has {count} values, too many to load");
        var data = bytes[(offset + headerLength)..];
        long expected = count * itemSize;
        if (data.Length < expected)
            throw new DataFormatException(source, 0, $"truncated data: shape ({string.Join(", ", shape)}) of {descr} needs {expected} bytes, the file has {data.Length}");
        if (data.Length > expected)
            throw new DataFormatException(source, 0, $"{data.Length - expected} unexpected bytes after the data of shape ({string.Join(", ", shape)})");
        var values = new float[count];
        for (int k = 0; k < values.Length; k++)
        {
            var b = data.Slice(k * itemSize, itemSize);
            values[k] = itemSize == 4
                ? (bigEndian ? BinaryPrimitives.ReadSingleBigEndian(b) : BinaryPrimitives.ReadSingleLittleEndian(b))
                : (float)(bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(b) : BinaryPrimitives.ReadDoubleLittleEndian(b));
        }
        if (fortran && shape.Length > 1) values = ToRowMajor(values, shape);
        return new NpyArray(shape, values, descr);
    }

    // Column-major (first index fastest) to row-major (last index fastest).
    private static float[] ToRowMajor(float[] values, int[] shape)
    {
        var result = new float[values.Length];
        var index = new int[shape.Length];
        for (int k = 0; k < values.Length; k++)
        {
            // k is the column-major position of index; compute the row-major position
            int rowMajor = 0;
            for (int d = 0; d < shape.Length; d++) rowMajor = rowMajor * shape[d] + index[d];
            result[rowMajor] = values[k];
            for (int d = 0; d < shape.Length; d++)
            {
                if (++index[d] < shape[d]) break;
                index[d] = 0;
            }
        }
        return result;
    }

    // The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
    private static (string Descr, bool Fortran, int[] Shape) ParseHeader(string header, string source)
    {
        var p = new HeaderParser(header.TrimEnd('\n', ' ', '\0'), source);
        string? descr = null;
        bool? fortran = null;
        int[]? shape = null;
        p.Expect('{');
        while (true)
        {
            p.SkipSpace();
            if (p.TryTake('}')) break;
            string key = p.String();
            p.Expect(':');
            switch (key)
            {
                case "descr": descr = p.String(); break;
                case "fortran_order": fortran = p.Bool(); break;
                case "shape": shape = p.Tuple(); break;
                default: throw p.Fail($"unknown header key '{key}' (expected descr, fortran_order, shape)");
            }
            p.SkipSpace();
            if (p.TryTake(',')) continue;
            p.Expect('}');
            break;
        }
        p.SkipSpace();
        if (!p.AtEnd) throw p.Fail("text after the header dict");
        if (descr is null || fortran is null || shape is null)
            throw new DataFormatException(source, 0, $"the .npy header lacks {(descr is null ? "'descr'" : fortran is null ? "'fortran_order'" : "'shape'")}: {header.Trim()}");
        return (descr, fortran.Value, shape);
    }

    private sealed class HeaderParser(string text, string source)
    {
        private int _pos;

        public bool AtEnd => _pos >= text.Length;

        public DataFormatException Fail(string problem) =>
            new(source, 0, $"bad .npy header at character {_pos + 1}: {problem}; header: {text.Trim()}");

        public void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        public bool TryTake(char c)
        {
            SkipSpace();
            if (_pos < text.Length && text[_pos] == c) { _pos++; return true; }
            return false;
        }

        public void Expect(char c)
        {
            if (!TryTake(c)) throw Fail($"expected '{c}'");
        }

        public string String()
        {
            SkipSpace();
            if (_pos >= text.Length || (text[_pos] != '\'' && text[_pos] != '"')) throw Fail("expected a quoted string");
            char quote = text[_pos++];
            int start = _pos;
            while (_pos < text.Length && text[_pos] != quote) _pos++;
            if (_pos >= text.Length) throw Fail("unterminated string");
            return text[start..(_pos++)];
        }

        public bool Bool()
        {
            SkipSpace();
            if (text.AsSpan(_pos).StartsWith("True", StringComparison.Ordinal)) { _pos += 4; return true; }
            if (text.AsSpan(_pos).StartsWith("False", StringComparison.Ordinal)) { _pos += 5; return false; }
            throw Fail("expected True or False");
        }

        public int[] Tuple()
        {
            Expect('(');
            var dims = new List<int>();
            while (true)
            {
                SkipSpace();
                if (TryTake(')')) break;
                int start = _pos;
                while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
                if (_pos == start || !int.TryParse(text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out int d))
                    throw Fail("expected a non-negative integer dimension");
                dims.Add(d);
                SkipSpace();
                if (TryTake(',')) continue;
                Expect(')');
                break;
            }
            return [.. dims];
        }
    }
}
