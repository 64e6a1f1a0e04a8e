namespace Attune.Evaluation;

/// <summary>Bad evaluation input (a missing file, an unknown protocol or metric): the message is for the user.</summary>
public sealed class EvaluationException : Exception
{
    public EvaluationException()
    {
    }

    public EvaluationException(string message)
        : base(message)
    {
    }

    public EvaluationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
