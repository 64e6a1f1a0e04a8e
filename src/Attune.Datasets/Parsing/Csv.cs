namespace Attune.Datasets.Parsing;

/// <summary>Splits one CSV line (RFC 4180 quoting, one line per record) into field ranges without allocating.</summary>
public static class Csv
{
    /// <summary>
    /// Fills <paramref name="fields"/> with the ranges of the fields (inside the quotes for quoted ones) and
    /// returns how many there are; -1 when a quoted field is not closed; fields.Length + 1 when there are more.
    /// <paramref name="quoted"/> gets a bit per field (up to 64) that had quotes, so doubled quotes need undoing.
    /// </summary>
    public static int Split(ReadOnlySpan<char> line, char delimiter, Span<Range> fields, out ulong quoted)
    {
        quoted = 0;
        var count = 0;
        var i = 0;
        while (true)
        {
            if (count == fields.Length)
            {
                return fields.Length + 1;
            }

            if (i < line.Length && line[i] == '"')
            {
                var start = i + 1;
                var j = start;
                while (true)
                {
                    var q = line[j..].IndexOf('"');
                    if (q < 0)
                    {
                        return -1;
                    }

                    j += q;
                    if (j + 1 < line.Length && line[j + 1] == '"')
                    {
                        j += 2;
                        continue;
                    }

                    break;
                }

                fields[count] = new Range(start, j);
                if (count < 64)
                {
                    quoted |= 1UL << count;
                }

                count++;
                i = j + 1;
                if (i >= line.Length)
                {
                    return count;
                }

                if (line[i] != delimiter)
                {
                    // Text after a closing quote: take the field up to the next delimiter as it stands.
                    var next = line[i..].IndexOf(delimiter);
                    if (next < 0)
                    {
                        return count;
                    }

                    i += next;
                }

                i++;
                continue;
            }

            var d = line[i..].IndexOf(delimiter);
            if (d < 0)
            {
                fields[count++] = new Range(i, line.Length);
                return count;
            }

            fields[count++] = new Range(i, i + d);
            i += d + 1;
        }
    }

    /// <summary>True when the field was quoted and holds a doubled quote, so its span is not its text.</summary>
    public static bool NeedsUnescape(ReadOnlySpan<char> line, Range range, int index, ulong quoted) =>
        index < 64 && (quoted & (1UL << index)) != 0 && line[range].Contains("\"\"", StringComparison.Ordinal);

    /// <summary>The field's text, with doubled quotes undone when it was quoted.</summary>
    public static string Field(ReadOnlySpan<char> line, Range range, int index, ulong quoted)
    {
        var span = line[range];
        return index < 64 && (quoted & (1UL << index)) != 0 && span.Contains("\"\"", StringComparison.Ordinal)
            ? span.ToString().Replace("\"\"", "\"", StringComparison.Ordinal)
            : span.ToString();
    }
}
