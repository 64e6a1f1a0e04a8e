using System.Text.Json;

namespace Attune.Core.Expressions;

/// <summary>
/// Declares the fields expressions may use over records of type <typeparamref name="TRecord"/> (catalog items,
/// user profiles, ...) and how to read each one: a typed getter per dotted path. The binder is the schema
/// the type checker uses and the accessor the compiled evaluator calls; getters return null for a missing value.
/// Configure it once, then share it: compiling and evaluating are thread-safe, adding fields is not.
/// </summary>
public sealed class RecordBinder<TRecord>
{
    private readonly Dictionary<string, FieldBinding<TRecord>> _fields = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _unavailable = new(StringComparer.Ordinal);
    private ExpressionSchema? _schema;

    /// <summary>The field names and types, for the type checker.</summary>
    public ExpressionSchema Schema =>
        _schema ??= new ExpressionSchema(
            _fields.Select(f => KeyValuePair.Create(f.Key, f.Value.Type)),
            _unavailable);

    public RecordBinder<TRecord> AddString(string path, Func<TRecord, string?> get) =>
        Add(path, new ValueBinding<TRecord, string?>(ExpressionType.String, get));

    public RecordBinder<TRecord> AddNumber(string path, Func<TRecord, double?> get) =>
        Add(path, new ValueBinding<TRecord, double?>(ExpressionType.Number, get));

    public RecordBinder<TRecord> AddBool(string path, Func<TRecord, bool?> get) =>
        Add(path, new ValueBinding<TRecord, bool?>(ExpressionType.Bool, get));

    public RecordBinder<TRecord> AddTime(string path, Func<TRecord, DateTimeOffset?> get) =>
        Add(path, new ValueBinding<TRecord, DateTimeOffset?>(ExpressionType.Time, get));

    public RecordBinder<TRecord> AddStringList(string path, Func<TRecord, IReadOnlyList<string>?> get) =>
        Add(path, new ValueBinding<TRecord, IReadOnlyList<string>?>(ExpressionType.StringList, get));

    public RecordBinder<TRecord> AddNumberList(string path, Func<TRecord, IReadOnlyList<double>?> get) =>
        Add(path, new ValueBinding<TRecord, IReadOnlyList<double>?>(ExpressionType.NumberList, get));

    public RecordBinder<TRecord> AddNumberMap(string path, Func<TRecord, IReadOnlyDictionary<string, double>?> get) =>
        Add(path, new ValueBinding<TRecord, IReadOnlyDictionary<string, double>?>(ExpressionType.NumberMap, get));

    public RecordBinder<TRecord> AddStringMap(string path, Func<TRecord, IReadOnlyDictionary<string, string>?> get) =>
        Add(path, new ValueBinding<TRecord, IReadOnlyDictionary<string, string>?>(ExpressionType.StringMap, get));

    /// <summary>
    /// A field stored as JSON, read as <paramref name="type"/>; the getter returns <c>default(JsonElement)</c>
    /// when absent, and a value of another JSON kind also reads as missing. String equality and <c>in</c> against
    /// literals compare the UTF-8 bytes without allocating; lists and maps are materialized per evaluation.
    /// </summary>
    public RecordBinder<TRecord> AddJson(string path, ExpressionType type, Func<TRecord, JsonElement> get) =>
        Add(path, new JsonBinding<TRecord>(type, get));

    /// <summary>Names a path that exists in the data but cannot be used, with the reason the type checker will show.</summary>
    public RecordBinder<TRecord> AddUnavailable(string path, string reason)
    {
        ValidatePath(path);
        _unavailable[path] = reason;
        _schema = null;
        return this;
    }

    /// <summary>Parses, type-checks and compiles a condition; throws <see cref="ExpressionException"/> for bad text.</summary>
    public ExpressionPredicate<TRecord> CompilePredicate(string text, ExpressionOptions? options = null)
    {
        options ??= ExpressionOptions.Default;
        return ParsedExpression.Parse(text, options.Limits).Check(Schema).CompilePredicate(this, options.Clock);
    }

    /// <summary>Parses, type-checks and compiles a numeric expression (e.g. a boost weight).</summary>
    public ExpressionNumber<TRecord> CompileNumber(string text, ExpressionOptions? options = null)
    {
        options ??= ExpressionOptions.Default;
        return ParsedExpression.Parse(text, options.Limits).Check(Schema).CompileNumber(this, options.Clock);
    }

    internal bool TryGetBinding(string path, out FieldBinding<TRecord> binding) => _fields.TryGetValue(path, out binding!);

    private RecordBinder<TRecord> Add(string path, FieldBinding<TRecord> binding)
    {
        ValidatePath(path);
        if (!_fields.TryAdd(path, binding))
        {
            throw new ArgumentException($"Field '{path}' is already bound.", nameof(path));
        }

        _unavailable.Remove(path);
        _schema = null;
        return this;
    }

    /// <summary>A path is dot-separated words the parser can read back: letters, digits and '_' , not starting with a digit.</summary>
    public static bool IsValidPath(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }

        var segments = path.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            var s = segments[i];
            if (s.Length == 0 || !Lexer.IsWordStart(s[0]) || (i == 0 && Parser.IsKeyword(s)))
            {
                return false;
            }

            foreach (var c in s)
            {
                if (!Lexer.IsWordPart(c))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static void ValidatePath(string path)
    {
        if (!IsValidPath(path))
        {
            throw new ArgumentException($"'{path}' is not a valid field path (dot-separated words of letters, digits and '_').", nameof(path));
        }
    }
}
