namespace Attune.Engine.Ingestion;

/// <summary>The rule every identifier in the API follows, for ids that arrive outside a JSON body (URL segments).</summary>
public static class WireIds
{
    /// <summary>Returns why <paramref name="id"/> is not a valid identifier, or null when it is.</summary>
    public static string? Check(string? id, int maxLength)
    {
        if (string.IsNullOrEmpty(id))
        {
            return "must not be empty.";
        }

        return id.Length > maxLength ? $"is longer than {maxLength} characters." : JsonFields.CheckIdChars(id);
    }
}
