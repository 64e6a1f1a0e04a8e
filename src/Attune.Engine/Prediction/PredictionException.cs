namespace Attune.Engine.Prediction;

/// <summary>A prediction request that cannot be served as asked (too little history, no trained predictor...).</summary>
public sealed class PredictionException(string message, bool notFound = false) : Exception(message)
{
    /// <summary>True when what is missing is a trained predictor (HTTP 404) rather than usable data (HTTP 409).</summary>
    public bool NotFound { get; } = notFound;
}
