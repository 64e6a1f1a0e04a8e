namespace Attune.Datasets;

/// <summary>A dataset cannot be read at all (missing file, bad option); the message says what to fix.</summary>
public sealed class DatasetException : Exception
{
    public DatasetException()
    {
    }

    public DatasetException(string message)
        : base(message)
    {
    }

    public DatasetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
