using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Attune.Engine.Options;
using Attune.Server.Http;
using Microsoft.Extensions.Options;

namespace Attune.Server.Hosting;

/// <summary>Endpoint metadata: the scope a caller's key needs. Endpoints without it are open.</summary>
public sealed record RequiredScope(ApiScope Scope);

/// <summary>
/// Checks <c>Authorization: Bearer &lt;key&gt;</c> against the configured keys: 401 without a known key,
/// 403 when the key lacks the endpoint's scope. Keys are compared by their SHA-256, so the lookup time
/// says nothing about how much of a guessed key was right.
/// </summary>
public sealed class ApiKeyAuthentication
{
    private readonly FrozenDictionary<KeyHash, ApiScope> _keys;

    public ApiKeyAuthentication(IOptions<AttuneOptions> options)
    {
        var keys = new Dictionary<KeyHash, ApiScope>();
        foreach (var k in options.Value.Auth.ApiKeys)
        {
            var scope = ApiScope.None;
            foreach (var s in k.Scopes)
            {
                if (ApiScopes.TryParse(s, out var parsed))
                {
                    scope |= parsed;
                }
            }

            if (!string.IsNullOrEmpty(k.Key))
            {
                keys[KeyHash.Of(k.Key)] = scope;
            }
        }

        _keys = keys.ToFrozenDictionary();
    }

    public bool Enabled => _keys.Count > 0;

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!Enabled || context.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>() is not { } required)
        {
            return next(context);
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            return Challenge(context, "Send an API key as 'Authorization: Bearer <key>'.");
        }

        if (!_keys.TryGetValue(KeyHash.Of(header.AsSpan(7).Trim()), out var granted))
        {
            return Challenge(context, "The API key is not valid.");
        }

        // Admin may do everything; ingest only what is marked ingest.
        var allowed = (granted & ApiScope.Admin) != 0 || (granted & required.Scope) != 0;
        return allowed
            ? next(context)
            : Problems.Write(context, StatusCodes.Status403Forbidden, "Forbidden",
                $"This API key lacks the '{required.Scope.ToString().ToLowerInvariant()}' scope this endpoint needs.");
    }

    private static Task Challenge(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.Write(context, StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct KeyHash(ulong A, ulong B, ulong C, ulong D)
    {
        public static KeyHash Of(ReadOnlySpan<char> key)
        {
            Span<byte> utf8 = key.Length <= 256 ? stackalloc byte[key.Length * 3] : new byte[Encoding.UTF8.GetMaxByteCount(key.Length)];
            var n = Encoding.UTF8.GetBytes(key, utf8);
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(utf8[..n], hash);
            return MemoryMarshal.Read<KeyHash>(hash);
        }
    }
}
