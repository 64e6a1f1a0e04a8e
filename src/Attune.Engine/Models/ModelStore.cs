using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Serialization;

namespace Attune.Engine.Models;

/// <summary>
/// The model versions in a data folder, one sub-folder each under <c>DATA/models/</c>:
/// <c>manifest.json</c>, <c>users.ids</c> and <c>items.ids</c> (one id per line, in index order) and
/// <c>components/NAME.atnm</c> (<see cref="ModelFile"/> format). Also <c>active.json</c> (which version serves) and
/// <c>history.jsonl</c> (trainings, promotion decisions, activations).
/// </summary>
/// <remarks>
/// A version is written into a hidden temporary folder, flushed to disk, then renamed into place, so a crash leaves
/// either the whole version or nothing a reader would take for one; the pointer is replaced the same way (write a
/// temporary file, rename over). Loading verifies every file's SHA-256 against the manifest and the manifest's
/// overall checksum, and refuses the version on any mismatch. Not thread-safe for writers: <see cref="ModelRegistry"/>
/// serializes them.
/// </remarks>
public sealed partial class ModelStore
{
    public const string FolderName = "models";
    public const int LayoutVersion = 1;

    private const string ManifestFile = "manifest.json";
    private const string UsersFile = "users.ids";
    private const string ItemsFile = "items.ids";
    private const string ActiveFile = "active.json";
    private const string HistoryFile = "history.jsonl";
    private const string TempPrefix = ".tmp-";
    private const long HistoryRewriteBytes = 1 << 20;
    private const int HistoryKeepLines = 1000;

    public ModelStore(string dataDir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        Root = Path.Combine(Path.GetFullPath(dataDir), FolderName);
    }

    /// <summary>The <c>models</c> folder.</summary>
    public string Root { get; }

    /// <summary>A new sortable version id: UTC time to the millisecond and a random suffix.</summary>
    public static string NewVersion(DateTimeOffset now) =>
        now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));

    /// <summary>Whether <paramref name="version"/> could name a version folder (letters, digits, '.', '_', '-'; no path tricks).</summary>
    public static bool IsValidVersion(string? version) => version is not null && VersionPattern().IsMatch(version);

    /// <summary>
    /// Writes <paramref name="model"/> as a new version folder and returns it with <see cref="ModelVersionInfo.Checksum"/>
    /// set. Every component must be persistable.
    /// </summary>
    public ServingModel Save(ServingModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var version = model.Version;
        if (!IsValidVersion(version))
        {
            throw new ArgumentException($"'{version}' is not a valid model version name.", nameof(model));
        }

        var final = VersionFolder(version);
        if (Directory.Exists(final))
        {
            throw new InvalidOperationException($"Model version {version} already exists.");
        }

        Directory.CreateDirectory(Root);
        var temp = Path.Combine(Root, TempPrefix + version + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(temp, "components"));
        try
        {
            var files = new List<ManifestFile>
            {
                WriteIds(temp, UsersFile, model.Users),
                WriteIds(temp, ItemsFile, model.Items),
            };
            var components = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, component) in model.Components)
            {
                if (!IsValidVersion(name))
                {
                    throw new ArgumentException($"Component name '{name}' cannot be a file name.", nameof(model));
                }

                var relative = "components/" + name + ".atnm";
                files.Add(WriteFile(temp, relative, s => ModelFile.Write(s, component)));
                components.Add(name, relative);
            }

            files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
            var info = model.Info with { Checksum = Checksum(files) };
            var manifest = new ModelManifest(LayoutVersion, info, model.Users.Count, model.Items.Count, components, files);
            WriteFile(temp, ManifestFile, s => JsonSerializer.Serialize(s, manifest, ModelFileJsonContext.Default.ModelManifest));
            Directory.Move(temp, final);
            return new ServingModel(info, model.Users, model.Items, model.Components);
        }
        catch
        {
            TryDeleteFolder(temp);
            throw;
        }
    }

    /// <summary>Reads and verifies a version; throws <see cref="ModelArtifactException"/> saying what is wrong.</summary>
    public ServingModel Load(string version, CancellationToken cancellationToken = default)
    {
        var manifest = ReadManifest(version);
        var folder = VersionFolder(version);
        foreach (var file in manifest.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = FilePath(folder, file.Path, version);
            if (!File.Exists(path))
            {
                throw new ModelArtifactException(version, $"file {file.Path} is missing.");
            }

            string actual;
            using (var s = File.OpenRead(path))
            {
                actual = Convert.ToHexStringLower(SHA256.HashData(s));
            }

            if (!string.Equals(actual, file.Sha256, StringComparison.Ordinal))
            {
                throw new ModelArtifactException(version, $"checksum mismatch in {file.Path} (expected {file.Sha256}, found {actual}): the file is corrupt or was changed.");
            }
        }

        if (!string.Equals(Checksum(manifest.Files), manifest.Info.Checksum, StringComparison.Ordinal))
        {
            throw new ModelArtifactException(version, "the manifest's file list does not match its checksum.");
        }

        try
        {
            var users = ReadIds(folder, UsersFile, manifest.Users, version);
            var items = ReadIds(folder, ItemsFile, manifest.Items, version);
            var components = new Dictionary<string, IRecommender>(StringComparer.Ordinal);
            foreach (var (name, relative) in manifest.Components)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!manifest.Files.Any(f => f.Path == relative))
                {
                    throw new ModelArtifactException(version, $"component {name} is not covered by the checksum.");
                }

                using var s = File.OpenRead(FilePath(folder, relative, version));
                components.Add(name, ModelFile.Read(s));
            }

            return new ServingModel(manifest.Info, users, items, components);
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException or EndOfStreamException or IOException and not ModelArtifactException)
        {
            throw new ModelArtifactException(version, ex.Message, ex);
        }
    }

    /// <summary>A version's manifest; throws <see cref="ModelArtifactException"/> when it is missing or unreadable.</summary>
    public ModelManifest ReadManifest(string version)
    {
        if (!IsValidVersion(version))
        {
            throw new ModelArtifactException(version, "not a valid version name.", notFound: true);
        }

        var path = Path.Combine(VersionFolder(version), ManifestFile);
        if (!File.Exists(path))
        {
            throw new ModelArtifactException(version, "no such version.", notFound: true);
        }

        try
        {
            using var s = File.OpenRead(path);
            var manifest = JsonSerializer.Deserialize(s, ModelFileJsonContext.Default.ModelManifest)
                ?? throw new ModelArtifactException(version, "the manifest is empty.");
            if (manifest.Format > LayoutVersion)
            {
                throw new ModelArtifactException(version, $"layout version {manifest.Format} is newer than this build reads ({LayoutVersion}).");
            }

            if (manifest.Info is null || manifest.Files is null || manifest.Components is null || manifest.Info.Version != version)
            {
                throw new ModelArtifactException(version, "the manifest is incomplete or names another version.");
            }

            return manifest;
        }
        catch (JsonException ex)
        {
            throw new ModelArtifactException(version, "the manifest is not valid JSON: " + ex.Message, ex);
        }
    }

    /// <summary>Every stored version folder name, newest first (temporary folders of unfinished writes are left out).</summary>
    public IReadOnlyList<string> Versions()
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }

        var versions = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories(Root))
        {
            var name = Path.GetFileName(dir);
            if (!name.StartsWith('.') && IsValidVersion(name))
            {
                versions.Add(name);
            }
        }

        versions.Sort((a, b) => string.CompareOrdinal(b, a));
        return versions;
    }

    /// <summary>The version <c>active.json</c> names; null when none was ever activated or the pointer is unreadable.</summary>
    public ActivePointer? ReadActive()
    {
        var path = Path.Combine(Root, ActiveFile);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var s = File.OpenRead(path);
            var pointer = JsonSerializer.Deserialize(s, ModelFileJsonContext.Default.ActivePointer);
            return pointer is not null && IsValidVersion(pointer.Version) ? pointer : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Points <c>active.json</c> at <paramref name="version"/> atomically.</summary>
    public void WriteActive(string version, DateTimeOffset at)
    {
        Directory.CreateDirectory(Root);
        var temp = Path.Combine(Root, TempPrefix + ActiveFile + "-" + Guid.NewGuid().ToString("N")[..8]);
        using (var s = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            JsonSerializer.Serialize(s, new ActivePointer(version, at), ModelFileJsonContext.Default.ActivePointer);
            s.Flush(flushToDisk: true);
        }

        File.Move(temp, Path.Combine(Root, ActiveFile), overwrite: true);
    }

    /// <summary>Deletes a version folder (rename first, so no reader sees half a folder).</summary>
    public void Delete(string version)
    {
        if (!IsValidVersion(version))
        {
            throw new ArgumentException($"'{version}' is not a valid model version name.", nameof(version));
        }

        var folder = VersionFolder(version);
        if (!Directory.Exists(folder))
        {
            return;
        }

        var doomed = Path.Combine(Root, TempPrefix + "deleted-" + version + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.Move(folder, doomed);
        TryDeleteFolder(doomed);
    }

    /// <summary>
    /// Deletes all but the newest <paramref name="keep"/> versions, never <paramref name="active"/> (which does not
    /// count against <paramref name="keep"/> when it is older), and leftovers of interrupted writes. Returns the deleted versions.
    /// </summary>
    public IReadOnlyList<string> Prune(int keep, string? active)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        var deleted = new List<string>();
        var kept = 0;
        foreach (var version in Versions())
        {
            if (version == active)
            {
                continue;
            }

            // The active version is one of the kept ones when it is among the newest.
            if (kept < keep - (active is not null ? 1 : 0))
            {
                kept++;
                continue;
            }

            Delete(version);
            deleted.Add(version);
        }

        if (Directory.Exists(Root))
        {
            foreach (var dir in Directory.EnumerateDirectories(Root, TempPrefix + "*"))
            {
                // A write older than an hour is no longer in progress.
                if (Directory.GetCreationTimeUtc(dir) < DateTime.UtcNow.AddHours(-1))
                {
                    TryDeleteFolder(dir);
                }
            }
        }

        return deleted;
    }

    /// <summary>Appends one line to <c>history.jsonl</c>; the file is trimmed to its last lines when it grows large.</summary>
    public void AppendHistory(ModelHistoryEntry entry)
    {
        Directory.CreateDirectory(Root);
        var path = Path.Combine(Root, HistoryFile);
        var line = JsonSerializer.Serialize(entry, ModelHistoryJsonContext.Default.ModelHistoryEntry) + "\n";
        using (var s = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            s.Write(Encoding.UTF8.GetBytes(line));
            s.Flush(flushToDisk: true);
        }

        if (new FileInfo(path).Length > HistoryRewriteBytes)
        {
            var lines = File.ReadAllLines(path);
            var temp = path + ".tmp";
            File.WriteAllLines(temp, lines[Math.Max(0, lines.Length - HistoryKeepLines)..]);
            File.Move(temp, path, overwrite: true);
        }
    }

    /// <summary>The last <paramref name="count"/> history entries, oldest first; unreadable lines (a torn last write) are skipped.</summary>
    public IReadOnlyList<ModelHistoryEntry> ReadHistory(int count)
    {
        var path = Path.Combine(Root, HistoryFile);
        if (!File.Exists(path))
        {
            return [];
        }

        var lines = File.ReadAllLines(path);
        var result = new List<ModelHistoryEntry>();
        for (var k = Math.Max(0, lines.Length - count); k < lines.Length; k++)
        {
            if (string.IsNullOrWhiteSpace(lines[k]))
            {
                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize(lines[k], ModelHistoryJsonContext.Default.ModelHistoryEntry) is { } entry)
                {
                    result.Add(entry);
                }
            }
            catch (JsonException)
            {
                // A line cut short by a crash carries nothing worth failing the listing for.
            }
        }

        return result;
    }

    public string VersionFolder(string version) => Path.Combine(Root, version);

    private static string Checksum(IReadOnlyList<ManifestFile> files)
    {
        var sb = new StringBuilder();
        foreach (var f in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            sb.Append(f.Path).Append('\t').Append(f.Bytes.ToString(CultureInfo.InvariantCulture)).Append('\t').Append(f.Sha256).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    private static string FilePath(string folder, string relative, string version)
    {
        var full = Path.GetFullPath(Path.Combine(folder, relative));
        if (!full.StartsWith(Path.GetFullPath(folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ModelArtifactException(version, $"the manifest names a file outside the version folder ({relative}).");
        }

        return full;
    }

    private static ManifestFile WriteIds(string folder, string name, IdMap map) =>
        WriteFile(folder, name, s =>
        {
            using var w = new StreamWriter(s, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true);
            for (var k = 0; k < map.Count; k++)
            {
                w.Write(map[k]);
                w.Write('\n');
            }
        });

    private static IdMap ReadIds(string folder, string name, int expected, string version)
    {
        var map = new IdMap();
        using var reader = new StreamReader(Path.Combine(folder, name), Encoding.UTF8);
        while (reader.ReadLine() is { } id)
        {
            if (map.GetOrAdd(id) != map.Count - 1)
            {
                throw new ModelArtifactException(version, $"{name} lists '{id}' twice.");
            }
        }

        return map.Count == expected
            ? map
            : throw new ModelArtifactException(version, $"{name} holds {map.Count} ids, the manifest says {expected}.");
    }

    private static ManifestFile WriteFile(string folder, string relative, Action<Stream> write)
    {
        var path = Path.Combine(folder, relative);
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        using var hashing = new HashingStream(file);
        write(hashing);
        hashing.Flush();
        file.Flush(flushToDisk: true);
        return new ManifestFile(relative, file.Length, Convert.ToHexStringLower(hashing.Hash()));
    }

    private static void TryDeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the next prune; nothing reads hidden folders.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }

    [GeneratedRegex("^[0-9A-Za-z][0-9A-Za-z._-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    /// <summary>Writes through to a stream while hashing what passes.</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public byte[] Hash() => _hash.GetHashAndReset();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            inner.Write(buffer);
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>A stored model version that cannot be used: missing, corrupt, or from a newer build.</summary>
public sealed class ModelArtifactException : IOException
{
    public ModelArtifactException(string version, string problem, Exception? inner = null, bool notFound = false)
        : base($"Model version {version}: {problem}", inner)
    {
        Version = version;
        NotFound = notFound;
    }

    public string Version { get; }

    /// <summary>True when there is no such version (as opposed to one that is broken).</summary>
    public bool NotFound { get; }
}
