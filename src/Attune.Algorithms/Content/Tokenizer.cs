using System.Text;

namespace Attune.Algorithms.Content;

/// <summary>Lower-cases, splits on anything that is not a letter or digit, and drops stop words and 1-letter tokens.</summary>
public static class Tokenizer
{
    public const string CategoryPrefix = "cat:";
    public const string TagPrefix = "tag:";

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "he", "her", "his",
        "in", "into", "is", "it", "its", "of", "on", "or", "she", "so", "that", "the", "their", "them", "they",
        "this", "to", "was", "were", "which", "while", "who", "will", "with", "you", "your", "we", "our", "not",
        "no", "than", "then", "there", "these", "those", "what", "when", "where", "how", "all", "any", "can",
    };

    public static IEnumerable<string> Words(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            yield break;
        }

        var sb = new StringBuilder();
        for (var k = 0; k <= text.Length; k++)
        {
            if (k < text.Length && char.IsLetterOrDigit(text[k]))
            {
                sb.Append(char.ToLowerInvariant(text[k]));
                continue;
            }

            if (sb.Length > 1)
            {
                var word = sb.ToString();
                if (!StopWords.Contains(word))
                {
                    yield return word;
                }
            }

            sb.Clear();
        }
    }

    /// <summary>A category or tag as one token: trimmed, lower-cased, with its field prefix.</summary>
    public static string Whole(string prefix, string value) => prefix + value.Trim().ToLowerInvariant();
}
