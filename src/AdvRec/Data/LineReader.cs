namespace AdvRec.Data;

/// <summary>Reads lines of text as spans over one reusable buffer (no string per line), counting line numbers.</summary>
internal sealed class LineReader(TextReader reader)
{
    private char[] _buffer = new char[1 << 16];
    private int _start;
    private int _end;
    private bool _eof;

    /// <summary>The 1-based number of the line last returned.</summary>
    public int LineNumber { get; private set; }

    /// <summary>The next line without its line ending; valid until the next call. False at the end of the text.</summary>
    public bool TryReadLine(out ReadOnlySpan<char> line)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf('\n');
            if (newline >= 0)
            {
                line = TrimCarriageReturn(_buffer.AsSpan(_start, newline));
                _start += newline + 1;
                LineNumber++;
                return true;
            }
            if (_eof)
            {
                if (_start < _end)
                {
                    line = TrimCarriageReturn(_buffer.AsSpan(_start, _end - _start));
                    _start = _end;
                    LineNumber++;
                    return true;
                }
                line = default;
                return false;
            }
            Refill();
        }
    }

    /// <summary>
    /// Up to <paramref name="maxLines"/> of the next lines (blank ones included, without line endings) as strings,
    /// without consuming them: <see cref="TryReadLine"/> still returns them afterwards, with the same line numbers.
    /// </summary>
    public List<string> Peek(int maxLines)
    {
        var lines = new List<string>();
        int pos = _start;
        while (lines.Count < maxLines)
        {
            int newline = _buffer.AsSpan(pos, _end - pos).IndexOf('\n');
            if (newline >= 0)
            {
                lines.Add(TrimCarriageReturn(_buffer.AsSpan(pos, newline)).ToString());
                pos += newline + 1;
                continue;
            }
            if (_eof)
            {
                if (pos < _end) lines.Add(TrimCarriageReturn(_buffer.AsSpan(pos, _end - pos)).ToString());
                break;
            }
            pos -= Refill();
        }
        return lines;
    }

    // Moves the unread text to the front of the buffer (growing it when full) and reads more after it; returns how far
    // the text moved, for positions held by the caller.
    private int Refill()
    {
        int shift = _start;
        if (shift > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        int read = reader.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0) _eof = true;
        else _end += read;
        return shift;
    }

    private static ReadOnlySpan<char> TrimCarriageReturn(ReadOnlySpan<char> line) =>
        line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;
}
