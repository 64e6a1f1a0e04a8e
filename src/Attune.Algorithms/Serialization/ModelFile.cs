using System.Security.Cryptography;
using System.Text;
using Attune.Algorithms.Abstractions;

namespace Attune.Algorithms.Serialization;

/// <summary>
/// The versioned binary model format: magic "ATNM", format version, algorithm name, options string,
/// payload length, payload, and a SHA-256 of everything before it. A reader refuses a file whose
/// checksum, magic or version does not match, with a message that says which.
/// </summary>
public static class ModelFile
{
    public const int FormatVersion = 1;

    private static readonly byte[] Magic = "ATNM"u8.ToArray();
    private static readonly Dictionary<string, Func<BinaryReader, IRecommender>> Readers = new(StringComparer.Ordinal);
    private static readonly Lock ReadersLock = new();

    /// <summary>Registers how to read one algorithm's payload. Each model type registers itself once.</summary>
    public static void Register(string algorithm, Func<BinaryReader, IRecommender> readPayload)
    {
        lock (ReadersLock)
        {
            Readers[algorithm] = readPayload;
        }
    }

    private static Func<BinaryReader, IRecommender>? FindReader(string algorithm)
    {
        lock (ReadersLock)
        {
            if (Readers.TryGetValue(algorithm, out var reader))
            {
                return reader;
            }
        }

        // Models register in their static constructors, which have not run in a process that only loads;
        // running those of every persistable model in this assembly registers them all.
        foreach (var t in typeof(ModelFile).Assembly.GetTypes())
        {
            if (typeof(IPersistableModel).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface)
            {
                System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(t.TypeHandle);
            }
        }

        lock (ReadersLock)
        {
            return Readers.GetValueOrDefault(algorithm);
        }
    }

    public static void Write(Stream output, IRecommender model)
    {
        if (model is not IPersistableModel persistable)
        {
            throw new NotSupportedException($"Model '{model.Algorithm}' cannot be saved.");
        }

        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(model.Algorithm);
            w.Write(model.Options);
            using var payload = new MemoryStream();
            using (var pw = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
            {
                persistable.WritePayload(pw);
            }

            w.Write(payload.Length);
            payload.Position = 0;
            payload.CopyTo(body);
        }

        var hash = SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length));
        output.Write(body.GetBuffer(), 0, (int)body.Length);
        output.Write(hash);
    }

    public static IRecommender Read(Stream input)
    {
        using var all = new MemoryStream();
        input.CopyTo(all);
        var bytes = all.GetBuffer().AsSpan(0, (int)all.Length);
        if (bytes.Length < Magic.Length + 4 + 32 || !bytes[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not an Attune model file (bad magic).");
        }

        var body = bytes[..^32];
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes[^32..]))
        {
            throw new InvalidDataException("Model file checksum mismatch: the file is corrupt or truncated.");
        }

        using var ms = new MemoryStream(all.GetBuffer(), 0, body.Length, writable: false);
        using var r = new BinaryReader(ms, Encoding.UTF8);
        r.ReadBytes(Magic.Length);
        var version = r.ReadInt32();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Model format version {version} is not supported (this build reads {FormatVersion}).");
        }

        var algorithm = r.ReadString();
        _ = r.ReadString();
        var length = r.ReadInt64();
        if (length != ms.Length - ms.Position)
        {
            throw new InvalidDataException("Model payload length does not match the file.");
        }

        var reader = FindReader(algorithm);
        if (reader is null)
        {
            throw new InvalidDataException($"No reader is registered for algorithm '{algorithm}'.");
        }

        return reader(r);
    }
}
