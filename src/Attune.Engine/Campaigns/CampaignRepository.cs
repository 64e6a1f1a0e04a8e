using System.Collections.Frozen;
using System.Text.Json;
using Attune.Engine.Campaigns.Templates;
using Attune.Engine.Ingestion;

namespace Attune.Engine.Campaigns;

/// <summary>The outcome of a write: the stored campaign, or the validation errors (nothing written).</summary>
public sealed record CampaignWriteResult(CompiledCampaign? Campaign, IReadOnlyList<ValidationError> Errors, bool Created)
{
    public bool IsValid => Campaign is not null;
}

/// <summary>
/// Campaigns, persisted as one JSON file (<c>campaigns/campaigns.json</c> in the data folder) that is replaced
/// atomically on every change (write a temporary file, flush it, rename over the old one), so a crash leaves
/// either the old or the new set, never half of one. Readers take <see cref="Current"/>, an immutable snapshot
/// indexed by placement, once per request.
/// </summary>
public sealed class CampaignRepository
{
    private readonly object _gate = new();
    private readonly string _path;
    private readonly TemplateLimits _limits;
    private readonly TimeProvider _clock;
    private CampaignSnapshot _current = CampaignSnapshot.Empty;

    public CampaignRepository(string directory, TemplateLimits? limits = null, TimeProvider? clock = null)
    {
        Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, "campaigns.json");
        _limits = limits ?? TemplateLimits.Default;
        _clock = clock ?? TimeProvider.System;
        Load();
    }

    public CampaignSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Raised after every successful change, with the new snapshot.</summary>
    public event Action<CampaignSnapshot>? Changed;

    /// <summary>Creates or replaces a campaign; <paramref name="mustBeNew"/> refuses an existing id (409 in the API).</summary>
    public CampaignWriteResult Save(CampaignDefinition definition, bool mustBeNew = false)
    {
        var (compiled, errors) = CampaignCompiler.Compile(definition, _limits, _clock);
        if (compiled is null)
        {
            return new CampaignWriteResult(null, errors, false);
        }

        lock (_gate)
        {
            var existing = _current.Get(compiled.Id);
            if (mustBeNew && existing is not null)
            {
                return new CampaignWriteResult(null, [new ValidationError(null, "id", $"a campaign '{compiled.Id}' already exists; PUT /v1/campaigns/{compiled.Id} replaces it")], false);
            }

            var now = _clock.GetUtcNow();
            var stored = compiled with
            {
                Definition = compiled.Definition with
                {
                    CreatedAt = existing?.Definition.CreatedAt ?? now,
                    UpdatedAt = now,
                },
            };
            var all = _current.All.Where(c => c.Id != stored.Id).Append(stored).ToList();
            Persist(all);
            Publish(new CampaignSnapshot(all));
            return new CampaignWriteResult(stored, [], existing is null);
        }
    }

    public bool Delete(string id)
    {
        lock (_gate)
        {
            if (_current.Get(id) is null)
            {
                return false;
            }

            var all = _current.All.Where(c => c.Id != id).ToList();
            Persist(all);
            Publish(new CampaignSnapshot(all));
            return true;
        }
    }

    private void Publish(CampaignSnapshot snapshot)
    {
        Volatile.Write(ref _current, snapshot);
        Changed?.Invoke(snapshot);
    }

    private void Load()
    {
        if (!File.Exists(_path))
        {
            return;
        }

        CampaignFile? file;
        try
        {
            using var stream = File.OpenRead(_path);
            file = JsonSerializer.Deserialize(stream, CampaignJsonContext.Default.CampaignFile);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{_path} is not a campaigns file: {ex.Message}", ex);
        }

        var all = new List<CompiledCampaign>();
        foreach (var definition in file?.Campaigns ?? [])
        {
            var (compiled, errors) = CampaignCompiler.Compile(definition, _limits, _clock);
            if (compiled is null)
            {
                throw new InvalidDataException(
                    $"{_path}: campaign '{definition.Id}' no longer validates: " + string.Join("; ", errors.Select(e => $"{e.Key}: {e.Message}")));
            }

            all.Add(compiled);
        }

        _current = new CampaignSnapshot(all);
    }

    private void Persist(List<CompiledCampaign> all)
    {
        var file = new CampaignFile(1, all.Select(c => c.Definition).OrderBy(d => d.Id, StringComparer.Ordinal).ToList());
        var temp = _path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, file, CampaignJsonContext.Default.CampaignFile);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, _path, overwrite: true);
    }
}

/// <summary>An immutable set of campaigns with an index by placement (highest priority first, then id).</summary>
public sealed class CampaignSnapshot
{
    private readonly FrozenDictionary<string, CompiledCampaign> _byId;
    private readonly FrozenDictionary<string, CompiledCampaign[]> _byPlacement;

    public CampaignSnapshot(IEnumerable<CompiledCampaign> campaigns)
    {
        All = campaigns.OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
        _byId = All.ToFrozenDictionary(c => c.Id, StringComparer.Ordinal);
        _byPlacement = All
            .GroupBy(c => c.Placement, StringComparer.Ordinal)
            .ToFrozenDictionary(
                g => g.Key,
                g => g.OrderByDescending(c => c.Priority).ThenBy(c => c.Id, StringComparer.Ordinal).ToArray(),
                StringComparer.Ordinal);
    }

    public static CampaignSnapshot Empty { get; } = new([]);

    public IReadOnlyList<CompiledCampaign> All { get; }

    public CompiledCampaign? Get(string id) => _byId.GetValueOrDefault(id);

    public ReadOnlySpan<CompiledCampaign> ForPlacement(string placement) =>
        _byPlacement.TryGetValue(placement, out var campaigns) ? campaigns : [];
}
