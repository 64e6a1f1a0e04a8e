namespace Attune.Core;

/// <summary>Limits on identifiers shared by the API, the importers and the store.</summary>
public static class Ids
{
    public const int MaxLength = 256;

    /// <summary>True when <paramref name="id"/> is 1-256 characters and contains no control characters.</summary>
    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }
}
