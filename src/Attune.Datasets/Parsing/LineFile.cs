using System.Text;

namespace Attune.Datasets.Parsing;

/// <summary>Parses one line; returns null for a line that holds nothing (blank, header).</summary>
public delegate DatasetRecord? ParseLine(ReadOnlySpan<char> line, long lineNumber);

/// <summary>Streams a text file through a line parser.</summary>
public static class LineFile
{
    public static Encoding Latin1 => Encoding.Latin1;

    public static Encoding Utf8 { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    public static IEnumerable<DatasetRecord> Read(string file, Encoding encoding, ParseLine parse, CancellationToken cancellationToken)
    {
        using var lines = LineReader.Open(file, encoding);
        while (lines.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var record = parse(lines.Current, lines.LineNumber);
            if (record is not null)
            {
                yield return record;
            }
        }
    }

    /// <summary>Reads the whole of a small side file's lines (a movie list, a header), parsed by the caller.</summary>
    public static void ForEach(string file, Encoding encoding, Action<string, long> action)
    {
        using var lines = LineReader.Open(file, encoding);
        while (lines.MoveNext())
        {
            action(lines.Current.ToString(), lines.LineNumber);
        }
    }
}
