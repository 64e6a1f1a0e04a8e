using System.IO.Compression;
using System.Text;

namespace Attune.Datasets.Parsing;

/// <summary>
/// Reads text line by line into one reusable buffer, so a line costs no allocation. <see cref="Current"/> is
/// valid until the next <see cref="MoveNext"/>. Handles \n and \r\n endings and a last line without one.
/// </summary>
public sealed class LineReader : IDisposable
{
    private readonly TextReader _reader;
    private char[] _buffer;
    private int _start;
    private int _end;
    private int _lineStart;
    private int _lineLength;
    private bool _eof;

    public LineReader(TextReader reader, int bufferSize = 1 << 16)
    {
        _reader = reader;
        _buffer = new char[bufferSize];
    }

    /// <summary>The 1-based number of the current line.</summary>
    public long LineNumber { get; private set; }

    public ReadOnlySpan<char> Current => _buffer.AsSpan(_lineStart, _lineLength);

    /// <summary>Opens a file as text; <c>.gz</c> files are decompressed on the fly.</summary>
    public static LineReader Open(string path, Encoding encoding)
    {
        Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            stream = new GZipStream(stream, CompressionMode.Decompress);
        }

        return new LineReader(new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: true, 1 << 16));
    }

    public static LineReader FromString(string text) => new(new StringReader(text));

    public bool MoveNext()
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf('\n');
            if (newline >= 0)
            {
                SetLine(_start, newline);
                _start += newline + 1;
                return true;
            }

            if (_eof)
            {
                if (_start < _end)
                {
                    SetLine(_start, _end - _start);
                    _start = _end;
                    return true;
                }

                return false;
            }

            Fill();
        }
    }

    public void Dispose() => _reader.Dispose();

    private void SetLine(int start, int length)
    {
        if (length > 0 && _buffer[start + length - 1] == '\r')
        {
            length--;
        }

        _lineStart = start;
        _lineLength = length;
        LineNumber++;
    }

    private void Fill()
    {
        var pending = _end - _start;
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, pending);
            _start = 0;
            _end = pending;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var read = _reader.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }
        else
        {
            _end += read;
        }
    }
}
