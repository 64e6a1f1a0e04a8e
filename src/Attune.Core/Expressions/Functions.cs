namespace Attune.Core.Expressions;

/// <summary>The built-in functions; deliberately few, pure and cheap.</summary>
internal static class Functions
{
    public const string Lower = "lower";
    public const string Length = "len";
    public const string DaysSince = "days_since";
    public const string Abs = "abs";
    public const string Exists = "exists";

    public static readonly string[] Names = [Abs, DaysSince, Exists, Length, Lower];

    public static string Signature(string name) => name switch
    {
        Lower => "lower(string) -> string",
        Length => "len(string | list | map) -> number",
        DaysSince => "days_since(time) -> number",
        Abs => "abs(number) -> number",
        Exists => "exists(value) -> bool",
        _ => name,
    };
}
