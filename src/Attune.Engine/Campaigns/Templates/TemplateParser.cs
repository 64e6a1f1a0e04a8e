using System.Globalization;

namespace Attune.Engine.Campaigns.Templates;

/// <summary>
/// Parses the template language: literal text, <c>{{ value | filter }}</c> tags, <c>{{#if}}</c>/<c>{{#unless}}</c>
/// and <c>{{#recommendations}}</c> sections with an optional <c>{{else}}</c>, and <c>{{! comments }}</c>.
/// </summary>
/// <remarks>One left-to-right pass, O(template length); sections are matched with an explicit stack.</remarks>
internal sealed class TemplateParser
{
    private static readonly string[] ItemFields = ["id", "title", "price", "category", "categories", "score", "position"];
    private static readonly string[] Roots = ["user", "profile", "predicted", "context", "variant", "campaign", "item"];
    private static readonly string[] FilterNames = ["default", "upper", "lower", "capitalize", "truncate", "round", "raw"];

    private readonly string _text;
    private readonly TemplateLimits _limits;
    private int _nodes;

    private TemplateParser(string text, TemplateLimits limits)
    {
        _text = text;
        _limits = limits;
    }

    public static IReadOnlyList<TemplateNode> Parse(string text, TemplateLimits limits)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > limits.MaxTemplateLength)
        {
            throw new TemplateException(1, 1, $"the template is {text.Length} characters long; at most {limits.MaxTemplateLength} are allowed");
        }

        return new TemplateParser(text, limits).ParseAll();
    }

    private sealed class Frame(string name, int position, object? header)
    {
        public string Name { get; } = name;

        public int Position { get; } = position;

        public object? Header { get; } = header;

        public List<TemplateNode> First { get; } = [];

        public List<TemplateNode>? Second { get; set; }

        public List<TemplateNode> Current => Second ?? First;
    }

    private IReadOnlyList<TemplateNode> ParseAll()
    {
        var root = new Frame("template", 0, null);
        var stack = new Stack<Frame>();
        stack.Push(root);
        var pos = 0;
        while (pos < _text.Length)
        {
            var open = _text.IndexOf("{{", pos, StringComparison.Ordinal);
            if (open < 0)
            {
                Add(stack.Peek(), new TextNode(_text[pos..]), pos);
                break;
            }

            if (open > pos)
            {
                Add(stack.Peek(), new TextNode(_text[pos..open]), pos);
            }

            var close = FindClose(open + 2);
            if (close < 0)
            {
                throw Error(open, "'{{' is never closed with '}}'");
            }

            var inner = _text[(open + 2)..close];
            var innerStart = open + 2;
            pos = close + 2;
            var trimmed = inner.Trim();
            var lead = innerStart + (inner.Length - inner.TrimStart().Length);
            if (trimmed.Length == 0)
            {
                throw Error(open, "empty tag '{{}}'");
            }

            switch (trimmed[0])
            {
                case '!':
                    continue;
                case '#':
                    OpenSection(stack, trimmed[1..], lead + 1, open);
                    continue;
                case '/':
                    CloseSection(stack, trimmed[1..].Trim(), open);
                    continue;
            }

            if (trimmed == "else")
            {
                var frame = stack.Peek();
                if (frame == root)
                {
                    throw Error(open, "'{{else}}' outside an if, unless or recommendations section");
                }

                if (frame.Second is not null)
                {
                    throw Error(open, $"a second '{{{{else}}}}' in the '{frame.Name}' section opened at {Describe(frame.Position)}");
                }

                frame.Second = [];
                continue;
            }

            Add(stack.Peek(), ParseValue(trimmed, lead, InsideRecommendations(stack)), open);
        }

        if (stack.Count > 1)
        {
            var open = stack.Peek();
            throw Error(open.Position, $"the '{open.Name}' section is never closed with '{{{{/{open.Name}}}}}'");
        }

        return root.First;
    }

    private int FindClose(int from)
    {
        // A string literal may contain "}}", so skip over quoted text.
        var i = from;
        while (i < _text.Length - 1)
        {
            var c = _text[i];
            if (c is '"' or '\'')
            {
                var end = _text.IndexOf(c, i + 1);
                if (end < 0)
                {
                    return -1;
                }

                i = end + 1;
                continue;
            }

            if (c == '}' && _text[i + 1] == '}')
            {
                return i;
            }

            if (c == '{' && _text[i + 1] == '{')
            {
                return -1;
            }

            i++;
        }

        return -1;
    }

    private static bool InsideRecommendations(Stack<Frame> stack)
    {
        foreach (var frame in stack)
        {
            if (frame.Name == "recommendations")
            {
                return true;
            }
        }

        return false;
    }

    private void Add(Frame frame, TemplateNode node, int position)
    {
        if (++_nodes > _limits.MaxNodes)
        {
            throw Error(position, $"the template has more than {_limits.MaxNodes} tags and text runs");
        }

        frame.Current.Add(node);
    }

    private void OpenSection(Stack<Frame> stack, string body, int bodyStart, int open)
    {
        var words = Split(body, bodyStart);
        if (words.Count == 0)
        {
            throw Error(open, "a section tag needs a name: '{{#if ...}}', '{{#unless ...}}' or '{{#recommendations ...}}'");
        }

        if (stack.Count > _limits.MaxDepth)
        {
            throw Error(open, $"sections are nested deeper than {_limits.MaxDepth}");
        }

        var (name, namePos) = words[0];
        switch (name)
        {
            case "if":
            case "unless":
                if (words.Count != 2)
                {
                    throw Error(namePos, $"'{{{{#{name}}}}}' takes exactly one token path, e.g. '{{{{#{name} user.first_name}}}}'");
                }

                var path = ParsePath(words[1].Word, words[1].Position, InsideRecommendations(stack));
                stack.Push(new Frame(name, open, path));
                return;
            case "recommendations":
                if (InsideRecommendations(stack))
                {
                    throw Error(open, "a recommendations block cannot be nested in another");
                }

                stack.Push(new Frame(name, open, ParseBlock(words)));
                return;
            default:
                throw Error(namePos, $"unknown section '#{name}'; use #if, #unless or #recommendations");
        }
    }

    private RecommendationBlock ParseBlock(List<(string Word, int Position)> words)
    {
        var count = 3;
        string? category = null;
        var top = false;
        for (var i = 1; i < words.Count; i++)
        {
            var (word, position) = words[i];
            var eq = word.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw Error(position, $"expected 'name=value' in a recommendations block, got '{word}'");
            }

            var key = word[..eq];
            var value = Unquote(word[(eq + 1)..], out var quoted);
            switch (key)
            {
                case "n":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > _limits.MaxRecommendations)
                    {
                        throw Error(position + eq + 1, $"n must be a whole number from 1 to {_limits.MaxRecommendations} (got '{value}')");
                    }

                    break;
                case "category":
                    if (value.Length == 0)
                    {
                        throw Error(position + eq + 1, "category needs a value: top or a quoted category name");
                    }

                    top = !quoted && value == "top";
                    category = top ? null : value;
                    break;
                default:
                    throw Error(position, $"unknown recommendations option '{key}'; use n and category");
            }
        }

        return new RecommendationBlock(count, category, top);
    }

    private void CloseSection(Stack<Frame> stack, string name, int open)
    {
        var frame = stack.Peek();
        if (stack.Count == 1)
        {
            throw Error(open, $"'{{{{/{name}}}}}' closes a section that was never opened");
        }

        if (frame.Name != name)
        {
            throw Error(open, $"'{{{{/{name}}}}}' does not match the '{frame.Name}' section opened at {Describe(frame.Position)}");
        }

        stack.Pop();
        TemplateNode node = frame.Header switch
        {
            TemplatePath path => new IfNode(path, name == "unless", frame.First, frame.Second ?? []),
            RecommendationBlock block => new RecommendationsNode(block, frame.First, frame.Second ?? []),
            _ => throw new InvalidOperationException("unreachable section kind"),
        };
        Add(stack.Peek(), node, open);
    }

    private ValueNode ParseValue(string body, int start, bool insideRecommendations)
    {
        var parts = SplitPipes(body, start);
        var (head, headPos) = parts[0];
        TemplatePath? path = null;
        string? literal = null;
        if (head.Length > 0 && head[0] is '"' or '\'')
        {
            literal = Unquote(head, out _);
            if (head.Length < 2 || head[^1] != head[0])
            {
                throw Error(headPos, "unterminated string literal");
            }
        }
        else
        {
            path = ParsePath(head, headPos, insideRecommendations);
        }

        var filters = new List<TemplateFilter>(parts.Count - 1);
        var raw = false;
        for (var i = 1; i < parts.Count; i++)
        {
            var filter = ParseFilter(parts[i].Text, parts[i].Position);
            if (filter.Kind == TemplateFilterKind.Raw)
            {
                if (path is { IsTrusted: false })
                {
                    throw Error(parts[i].Position, $"'raw' is only allowed on campaign text (string literals, variant.* and campaign.*), not on '{path}': values from users, profiles, context and items are always escaped");
                }

                if (i != parts.Count - 1)
                {
                    throw Error(parts[i].Position, "'raw' must be the last filter");
                }

                raw = true;
                continue;
            }

            filters.Add(filter);
        }

        return new ValueNode(path, literal, filters, raw);
    }

    private TemplateFilter ParseFilter(string text, int position)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var name = (colon < 0 ? text : text[..colon]).Trim();
        var arg = colon < 0 ? null : text[(colon + 1)..].Trim();
        var kind = name switch
        {
            "default" => TemplateFilterKind.Default,
            "upper" => TemplateFilterKind.Upper,
            "lower" => TemplateFilterKind.Lower,
            "capitalize" => TemplateFilterKind.Capitalize,
            "truncate" => TemplateFilterKind.Truncate,
            "round" => TemplateFilterKind.Round,
            "raw" => TemplateFilterKind.Raw,
            _ => throw Error(position, $"unknown filter '{name}'{Suggest(name, FilterNames)}; filters are {string.Join(", ", FilterNames)}"),
        };
        switch (kind)
        {
            case TemplateFilterKind.Default:
                if (arg is null || arg.Length < 2 || arg[0] is not ('"' or '\'') || arg[^1] != arg[0])
                {
                    throw Error(position, "'default' needs a quoted text, e.g. default: \"there\"");
                }

                return new TemplateFilter(kind, Unquote(arg, out _));
            case TemplateFilterKind.Truncate:
            case TemplateFilterKind.Round:
                var max = kind == TemplateFilterKind.Truncate ? _limits.MaxOutputLength : 6;
                var min = kind == TemplateFilterKind.Truncate ? 1 : 0;
                if (arg is null || !int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
                {
                    throw Error(position, $"'{name}' needs a whole number from {min} to {max}, e.g. {name}: {(min == 0 ? 2 : 40)}");
                }

                return new TemplateFilter(kind, Number: n);
            default:
                if (arg is not null)
                {
                    throw Error(position, $"'{name}' takes no argument");
                }

                return new TemplateFilter(kind);
        }
    }

    private TemplatePath ParsePath(string text, int position, bool insideRecommendations)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var rootName = dot < 0 ? text : text[..dot];
        var key = dot < 0 ? string.Empty : text[(dot + 1)..];
        TemplateRoot root = rootName switch
        {
            "user" => TemplateRoot.User,
            "profile" => TemplateRoot.Profile,
            "predicted" => TemplateRoot.Predicted,
            "context" => TemplateRoot.Context,
            "variant" => TemplateRoot.Variant,
            "campaign" => TemplateRoot.Campaign,
            "item" => TemplateRoot.Item,
            _ => throw Error(position, $"unknown token '{text}'{Suggest(rootName, Roots)}; tokens start with {string.Join(", ", Roots)}"),
        };
        if (key.Length == 0)
        {
            throw Error(position, $"'{rootName}' needs a field, e.g. '{rootName}.{Example(root)}'");
        }

        foreach (var part in key.Split('.'))
        {
            if (part.Length == 0 || !IsName(part))
            {
                throw Error(position, $"'{text}' is not a token path (names of letters, digits, '_' and '-' joined by '.')");
            }
        }

        if (root == TemplateRoot.Item)
        {
            if (!insideRecommendations)
            {
                throw Error(position, $"'{text}' is only available inside a recommendations block");
            }

            if (Array.IndexOf(ItemFields, key) < 0)
            {
                throw Error(position, $"unknown item field '{key}'{Suggest(key, ItemFields)}; item fields are {string.Join(", ", ItemFields)}");
            }
        }

        return new TemplatePath(root, key);
    }

    private static string Example(TemplateRoot root) => root switch
    {
        TemplateRoot.User => "first_name",
        TemplateRoot.Profile => "top_category",
        TemplateRoot.Predicted => "purchase_7d",
        TemplateRoot.Context => "page",
        TemplateRoot.Item => "title",
        TemplateRoot.Campaign => "name",
        _ => "headline",
    };

    private static bool IsName(string part)
    {
        foreach (var c in part)
        {
            if (!(char.IsLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Unquote(string text, out bool quoted)
    {
        quoted = text.Length >= 2 && text[0] is '"' or '\'' && text[^1] == text[0];
        if (!quoted)
        {
            return text;
        }

        var inner = text[1..^1];
        return inner.Contains('\\', StringComparison.Ordinal)
            ? inner.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\'", "'", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal)
            : inner;
    }

    private List<(string Word, int Position)> Split(string body, int start)
    {
        var words = new List<(string, int)>();
        var i = 0;
        while (i < body.Length)
        {
            if (char.IsWhiteSpace(body[i]))
            {
                i++;
                continue;
            }

            var begin = i;
            while (i < body.Length && !char.IsWhiteSpace(body[i]))
            {
                if (body[i] is '"' or '\'')
                {
                    var end = body.IndexOf(body[i], i + 1);
                    if (end < 0)
                    {
                        throw Error(start + i, "unterminated string literal");
                    }

                    i = end;
                }

                i++;
            }

            words.Add((body[begin..i], start + begin));
        }

        return words;
    }

    private List<(string Text, int Position)> SplitPipes(string body, int start)
    {
        var parts = new List<(string, int)>();
        var begin = 0;
        for (var i = 0; i <= body.Length; i++)
        {
            if (i < body.Length && body[i] is '"' or '\'')
            {
                var end = body.IndexOf(body[i], i + 1);
                if (end < 0)
                {
                    throw Error(start + i, "unterminated string literal");
                }

                i = end;
                continue;
            }

            if (i == body.Length || body[i] == '|')
            {
                var raw = body[begin..i];
                var trimmed = raw.Trim();
                if (trimmed.Length == 0)
                {
                    throw Error(start + begin, parts.Count == 0 ? "expected a token or a quoted text before '|'" : "expected a filter name after '|'");
                }

                parts.Add((trimmed, start + begin + (raw.Length - raw.TrimStart().Length)));
                begin = i + 1;
            }
        }

        return parts;
    }

    private static string Suggest(string name, string[] known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var d = Distance(name, candidate);
            if (d < bestDistance)
            {
                (best, bestDistance) = (candidate, d);
            }
        }

        return best is not null && bestDistance <= 2 ? $" (did you mean '{best}'?)" : string.Empty;
    }

    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 3)
        {
            return int.MaxValue;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private string Describe(int position)
    {
        var (line, column) = LineColumn(position);
        return $"line {line}, column {column}";
    }

    private (int Line, int Column) LineColumn(int position)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < position && i < _text.Length; i++)
        {
            if (_text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, position - lineStart + 1);
    }

    private TemplateException Error(int position, string reason)
    {
        var (line, column) = LineColumn(position);
        return new TemplateException(line, column, reason);
    }
}
