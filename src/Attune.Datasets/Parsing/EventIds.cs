using System.Security.Cryptography;
using System.Text;

namespace Attune.Datasets.Parsing;

/// <summary>
/// Deterministic event ids, so re-importing a file stores nothing twice. Formats whose ids are plain
/// numbers use a readable composite (<c>movielens-100k:196:242:881250949</c>); free-form sources hash their
/// fields, because a readable join of arbitrary strings could be ambiguous or too long.
/// </summary>
public static class EventIds
{
    /// <summary>A readable id from fields that cannot contain the separator (numbers, codes).</summary>
    public static string Composite(string prefix, string a, string b, string c, long d) =>
        string.Concat(prefix, ":", a, ":", b, ":", c, ":", d.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// <c>prefix:</c> and 32 hex digits of SHA-256 over the fields, each length-prefixed so no two different
    /// field lists hash the same input.
    /// </summary>
    public static string Hashed(string prefix, ReadOnlySpan<string?> fields)
    {
        var builder = new StringBuilder(128);
        foreach (var f in fields)
        {
            if (f is null)
            {
                builder.Append("-1;");
            }
            else
            {
                builder.Append(f.Length).Append(';').Append(f);
            }
        }

        var chars = builder.ToString();
        Span<byte> hash = stackalloc byte[32];
        var bytes = Encoding.UTF8.GetBytes(chars);
        SHA256.HashData(bytes, hash);
        return string.Concat(prefix, ":", Convert.ToHexStringLower(hash[..16]));
    }
}
