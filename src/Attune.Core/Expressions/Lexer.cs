using System.Globalization;
using System.Text;

namespace Attune.Core.Expressions;

internal enum TokenKind
{
    End,
    Word,
    Number,
    String,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Comma,
    Dot,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Plus,
    Minus,
    Star,
    Slash,
}

/// <param name="Text">The source text of the token (the name of a word).</param>
/// <param name="Value">The decoded value of a string literal.</param>
internal readonly record struct Token(TokenKind Kind, int Position, int Length, string Text, double Number = 0, string? Value = null)
{
    public bool IsWord(string word) => Kind == TokenKind.Word && string.Equals(Text, word, StringComparison.Ordinal);

    /// <summary>How the token is named in "expected X but found Y" messages.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.End => "the end of the expression",
        TokenKind.Word => $"'{Text}'",
        TokenKind.Number => $"the number {Text}",
        TokenKind.String => $"the string {Text}",
        _ => $"'{Text}'",
    };
}

/// <summary>Splits expression text into tokens; every error carries the offending position.</summary>
internal static class Lexer
{
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                tokens.Add(new Token(TokenKind.End, text.Length, 0, ""));
                return tokens;
            }

            var c = text[i];
            var start = i;
            if (IsWordStart(c))
            {
                while (i < text.Length && IsWordPart(text[i]))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Word, start, i - start, text[start..i]));
                continue;
            }

            if (char.IsAsciiDigit(c))
            {
                tokens.Add(ReadNumber(text, ref i));
                continue;
            }

            if (c is '"' or '\'')
            {
                tokens.Add(ReadString(text, ref i));
                continue;
            }

            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            (TokenKind kind, int length) = c switch
            {
                '(' => (TokenKind.LeftParen, 1),
                ')' => (TokenKind.RightParen, 1),
                '[' => (TokenKind.LeftBracket, 1),
                ']' => (TokenKind.RightBracket, 1),
                ',' => (TokenKind.Comma, 1),
                '.' => (TokenKind.Dot, 1),
                '+' => (TokenKind.Plus, 1),
                '-' => (TokenKind.Minus, 1),
                '*' => (TokenKind.Star, 1),
                '/' => (TokenKind.Slash, 1),
                '=' when next == '=' => (TokenKind.Equal, 2),
                '!' when next == '=' => (TokenKind.NotEqual, 2),
                '<' when next == '>' => throw Unexpected(text, i),
                '<' when next == '=' => (TokenKind.LessOrEqual, 2),
                '<' => (TokenKind.Less, 1),
                '>' when next == '=' => (TokenKind.GreaterOrEqual, 2),
                '>' => (TokenKind.Greater, 1),
                _ => throw Unexpected(text, i),
            };
            tokens.Add(new Token(kind, start, length, text.Substring(start, length)));
            i += length;
        }
    }

    public static bool IsWordStart(char c) => char.IsLetter(c) || c == '_';

    public static bool IsWordPart(char c) => char.IsLetterOrDigit(c) || c == '_';

    private static ExpressionException Unexpected(string text, int i)
    {
        var c = text[i];
        var next = i + 1 < text.Length ? text[i + 1] : '\0';
        var hint = c switch
        {
            '<' => "; use '!=' for 'not equal'",
            '=' => "; use '==' to compare",
            '&' => "; use 'and'",
            '|' => "; use 'or'",
            '!' => "; use 'not' (or '!=' to compare)",
            _ => "",
        };
        var shown = char.IsControl(c) || char.IsSurrogate(c) ? $"U+{(int)c:X4}" : $"'{c}'";
        return new ExpressionException(i, $"unexpected character {shown}{hint}");
    }

    private static Token ReadNumber(string text, ref int i)
    {
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        if (i < text.Length && text[i] == '.')
        {
            if (i + 1 >= text.Length || !char.IsAsciiDigit(text[i + 1]))
            {
                throw new ExpressionException(i, "a number needs digits after its decimal point");
            }

            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            var e = i;
            i++;
            if (i < text.Length && text[i] is '+' or '-')
            {
                i++;
            }

            if (i >= text.Length || !char.IsAsciiDigit(text[i]))
            {
                throw new ExpressionException(e, "a number's exponent needs digits, e.g. 1e6");
            }

            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }

        if (i < text.Length && IsWordStart(text[i]))
        {
            throw new ExpressionException(i, $"a number cannot be followed directly by '{text[i]}'");
        }

        var raw = text[start..i];
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new ExpressionException(start, $"the number {raw} is out of range");
        }

        return new Token(TokenKind.Number, start, i - start, raw, value);
    }

    private static Token ReadString(string text, ref int i)
    {
        var start = i;
        var quote = text[i];
        i++;
        var sb = new StringBuilder();
        while (true)
        {
            if (i >= text.Length)
            {
                throw new ExpressionException(start, $"the string starting here is not closed (missing {quote})");
            }

            var c = text[i];
            if (c == quote)
            {
                i++;
                break;
            }

            if (c != '\\')
            {
                sb.Append(c);
                i++;
                continue;
            }

            if (i + 1 >= text.Length)
            {
                throw new ExpressionException(start, $"the string starting here is not closed (missing {quote})");
            }

            var e = text[i + 1];
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\'': sb.Append('\''); break;
                case '\\': sb.Append('\\'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (i + 6 > text.Length
                        || !ushort.TryParse(text.AsSpan(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw new ExpressionException(i, "'\\u' must be followed by four hex digits, e.g. \\u00e9");
                    }

                    sb.Append((char)code);
                    i += 4;
                    break;
                default:
                    var shown = char.IsControl(e) || char.IsSurrogate(e) ? $"U+{(int)e:X4}" : e.ToString();
                    throw new ExpressionException(i, $"unknown escape '\\{shown}' in a string; use \\\", \\', \\\\, \\n, \\r, \\t or \\uXXXX");
            }

            i += 2;
        }

        return new Token(TokenKind.String, start, i - start, text[start..i], Value: sb.ToString());
    }
}
