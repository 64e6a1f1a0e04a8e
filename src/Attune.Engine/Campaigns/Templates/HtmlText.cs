using System.Text;

namespace Attune.Engine.Campaigns.Templates;

/// <summary>HTML escaping for element content and quoted attribute values.</summary>
public static class HtmlText
{
    /// <summary>Appends <paramref name="text"/> with <c>&amp; &lt; &gt; &quot; &#39; &#96;</c> replaced by entities.</summary>
    public static void AppendEscaped(StringBuilder output, string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var entity = text[i] switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                '`' => "&#96;",
                _ => null,
            };
            if (entity is null)
            {
                continue;
            }

            output.Append(text, start, i - start).Append(entity);
            start = i + 1;
        }

        output.Append(text, start, text.Length - start);
    }

    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        AppendEscaped(sb, text);
        return sb.ToString();
    }

    /// <summary>The length <paramref name="text"/> has once escaped.</summary>
    public static int EscapedLength(string text)
    {
        var length = text.Length;
        foreach (var c in text)
        {
            length += c switch
            {
                '&' => 4,
                '<' or '>' => 3,
                '"' or '\'' or '`' => 4,
                _ => 0,
            };
        }

        return length;
    }
}
