using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Attune.Engine.Serving;

/// <summary>What a paging cursor says: which ranked list, where the next page starts, until when it is valid.</summary>
public readonly record struct CursorState(string ListId, int Offset, DateTimeOffset Expires);

/// <summary>
/// Opaque, tamper-evident paging cursors: <c>base64url(payload) "." base64url(HMAC-SHA256(key, payload)[..16])</c>,
/// where the payload is a version byte, the offset, the expiry (Unix seconds) and the list id in UTF-8.
/// The MAC is compared in constant time; a changed byte, a cursor signed with another key, a wrong shape or an
/// expired time is an <see cref="InvalidCursorException"/>. Cursors are not encrypted: they hide nothing secret.
/// </summary>
public sealed class CursorCodec
{
    private const byte Version = 1;
    private const int MacBytes = 16;
    private const int MaxCursorLength = 1024;
    private readonly byte[] _key;
    private readonly TimeProvider _clock;

    /// <param name="key">Secret of at least 32 bytes, shared by all server instances that serve the same lists.</param>
    public CursorCodec(byte[] key, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 32)
        {
            throw new ArgumentException("the cursor key must be at least 32 bytes", nameof(key));
        }

        _key = (byte[])key.Clone();
        _clock = clock ?? TimeProvider.System;
    }

    public string Encode(CursorState state)
    {
        ArgumentNullException.ThrowIfNull(state.ListId);
        var id = Encoding.UTF8.GetBytes(state.ListId);
        var payload = new byte[1 + 4 + 8 + id.Length];
        payload[0] = Version;
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(1), state.Offset);
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(5), state.Expires.ToUnixTimeSeconds());
        id.CopyTo(payload.AsSpan(13));
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(Mac(payload));
    }

    public CursorState Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor) || cursor.Length > MaxCursorLength)
        {
            throw new InvalidCursorException(CursorProblem.Malformed, "cursor: missing or too long");
        }

        var dot = cursor.IndexOf('.', StringComparison.Ordinal);
        byte[] payload, mac;
        try
        {
            if (dot <= 0)
            {
                throw new FormatException("no signature");
            }

            payload = Base64Url.DecodeFromChars(cursor.AsSpan(0, dot));
            mac = Base64Url.DecodeFromChars(cursor.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            throw new InvalidCursorException(CursorProblem.Malformed, "cursor: not a cursor issued by this service");
        }

        if (payload.Length < 13 || mac.Length != MacBytes || !CryptographicOperations.FixedTimeEquals(mac, Mac(payload)))
        {
            throw new InvalidCursorException(CursorProblem.Tampered, "cursor: signature does not match (altered or from another service)");
        }

        if (payload[0] != Version)
        {
            throw new InvalidCursorException(CursorProblem.Malformed, $"cursor: unsupported version {payload[0]}");
        }

        var offset = BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(1));
        var expires = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(5)));
        if (offset < 0)
        {
            throw new InvalidCursorException(CursorProblem.Malformed, "cursor: negative offset");
        }

        if (_clock.GetUtcNow() >= expires)
        {
            throw new InvalidCursorException(CursorProblem.Expired, $"cursor: expired at {expires:O}; request the first page again");
        }

        return new CursorState(Encoding.UTF8.GetString(payload.AsSpan(13)), offset, expires);
    }

    private byte[] Mac(ReadOnlySpan<byte> payload) => HMACSHA256.HashData(_key, payload)[..MacBytes];
}
