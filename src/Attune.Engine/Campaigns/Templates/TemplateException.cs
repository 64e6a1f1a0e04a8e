namespace Attune.Engine.Campaigns.Templates;

/// <summary>A template that cannot be parsed; the message starts with the 1-based line and column.</summary>
public sealed class TemplateException : Exception
{
    public TemplateException()
        : this(1, 1, "invalid template")
    {
    }

    public TemplateException(string message)
        : this(1, 1, message)
    {
    }

    public TemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
        Line = 1;
        Column = 1;
        Reason = message;
    }

    public TemplateException(int line, int column, string reason)
        : base($"line {line}, column {column}: {reason}")
    {
        Line = line;
        Column = column;
        Reason = reason;
    }

    public int Line { get; }

    public int Column { get; }

    /// <summary>The message without the position prefix.</summary>
    public string Reason { get; }
}
