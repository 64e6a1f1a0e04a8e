using System.Text;
using Attune.Core;

namespace Attune.Engine.Options;

/// <summary>
/// The whole configuration tree, bound from the <c>Attune</c> section of appsettings.json, environment variables
/// (<c>ATTUNE__LIMITS__MAXBATCHSIZE</c>) and the command line (<c>--Attune:DataDir=...</c>).
/// Every option and its default is documented in docs/configuration.md.
/// </summary>
public sealed record AttuneOptions
{
    public const string SectionName = "Attune";

    /// <summary>Folder holding the database and models; created when missing.</summary>
    public string DataDir { get; init; } = "./attune-data";

    public StorageOptions Storage { get; init; } = new();

    public LimitOptions Limits { get; init; } = new();

    public AuthOptions Auth { get; init; } = new();

    public ServingOptions Serving { get; init; } = new();

    /// <summary>The model registry and the background trainer.</summary>
    public ModelsOptions Models { get; init; } = new();

    public CampaignOptions Campaigns { get; init; } = new();

    public PredictionOptions Prediction { get; init; } = new();

    public ProfileOptions Profiles { get; init; } = new();

    public DataQualityOptions Quality { get; init; } = new();

    public ExperimentOptions Experiments { get; init; } = new();

    /// <summary>Weight and polarity overrides by event type name; unlisted types keep their defaults.</summary>
    public IReadOnlyDictionary<string, EventTypeOptions> EventTypes { get; init; } =
        new Dictionary<string, EventTypeOptions>(StringComparer.Ordinal);

    /// <summary>The event type registry these options describe.</summary>
    public EventTypeRegistry CreateEventTypeRegistry() =>
        new(EventTypes.Select(kv => new EventTypeDefinition(kv.Key, kv.Value.Weight, kv.Value.Polarity)));

    /// <summary>Every problem with these options, each naming the option; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(DataDir))
        {
            errors.Add("Attune:DataDir must name a folder.");
        }

        Storage.Validate(errors);
        Limits.Validate(errors);
        Auth.Validate(errors);
        Serving.Validate(errors);
        Models.Validate(errors);
        Campaigns.Validate(errors);
        Prediction.Validate(errors);
        Profiles.Validate(errors);
        Quality.Validate(errors);
        Experiments.Validate(errors);
        foreach (var (name, type) in EventTypes)
        {
            if (!Ids.IsValid(name))
            {
                errors.Add($"Attune:EventTypes: '{name}' is not a valid event type name (1-{Ids.MaxLength} characters, no control characters).");
            }

            if (!double.IsFinite(type.Weight) || type.Weight < 0)
            {
                errors.Add($"Attune:EventTypes:{name}:Weight must be a finite number >= 0 (got {type.Weight}).");
            }

            if (!Enum.IsDefined(type.Polarity))
            {
                errors.Add($"Attune:EventTypes:{name}:Polarity must be Positive, Negative or Neutral.");
            }
        }

        return errors;
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("AttuneOptions { DataDir = ").Append(DataDir)
            .Append(", Storage = ").Append(Storage)
            .Append(", Limits = ").Append(Limits)
            .Append(", Auth = ").Append(Auth)
            .Append(", Serving = ").Append(Serving)
            .Append(", Models = ").Append(Models)
            .Append(", Campaigns = ").Append(Campaigns)
            .Append(", Prediction = ").Append(Prediction)
            .Append(", Profiles = ").Append(Profiles)
            .Append(", Quality = ").Append(Quality)
            .Append(", Experiments = ").Append(Experiments)
            .Append(", EventTypes = [");
        var first = true;
        foreach (var (name, type) in EventTypes.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            sb.Append(first ? string.Empty : ", ").Append(name).Append(": ").Append(type.Weight).Append(' ').Append(type.Polarity);
            first = false;
        }

        return sb.Append("] }").ToString();
    }
}

/// <summary>Which store holds the data, and how hard it tries to keep it.</summary>
public sealed record StorageOptions
{
    /// <summary>Only <c>sqlite</c> (embedded, in <see cref="AttuneOptions.DataDir"/>) for now.</summary>
    public string Provider { get; init; } = "sqlite";

    /// <summary>
    /// SQLite's <c>PRAGMA synchronous</c>: <c>Full</c> (default: an acknowledged write survives a power loss) or
    /// <c>Normal</c> (survives a process crash; a power loss may lose the last commits).
    /// </summary>
    public string Synchronous { get; init; } = "Full";

    internal void Validate(List<string> errors)
    {
        if (!string.Equals(Provider, "sqlite", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"Attune:Storage:Provider '{Provider}' is not supported; use 'sqlite'.");
        }

        if (Synchronous is not ("Full" or "Normal" or "full" or "normal" or "FULL" or "NORMAL"))
        {
            errors.Add($"Attune:Storage:Synchronous '{Synchronous}' is not supported; use 'Full' or 'Normal'.");
        }
    }
}

/// <summary>Limits on what one request may carry; anything beyond is refused with a 4xx before any write.</summary>
public sealed record LimitOptions
{
    /// <summary>Largest request body in bytes (413 beyond).</summary>
    public long MaxBodyBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Most events, items or users in one request.</summary>
    public int MaxBatchSize { get; init; } = 10_000;

    /// <summary>Longest string value (title, text, property value) in characters.</summary>
    public int MaxStringLength { get; init; } = 16_384;

    /// <summary>Longest identifier (user, item, event, session id; event type) in characters.</summary>
    public int MaxIdLength { get; init; } = Ids.MaxLength;

    /// <summary>Most entries in one <c>properties</c> or <c>attributes</c> object, and in one list (categories, tags).</summary>
    public int MaxPropertyCount { get; init; } = 64;

    /// <summary>Deepest JSON nesting accepted anywhere in a body.</summary>
    public int MaxJsonDepth { get; init; } = 16;

    /// <summary>How far in the future an event timestamp may lie (clock skew of the sender).</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromDays(1);

    internal void Validate(List<string> errors)
    {
        if (MaxBodyBytes is < 1024 or > 1024L * 1024 * 1024)
        {
            errors.Add($"Attune:Limits:MaxBodyBytes must be between 1024 and 1073741824 (got {MaxBodyBytes}).");
        }

        if (MaxBatchSize is < 1 or > 1_000_000)
        {
            errors.Add($"Attune:Limits:MaxBatchSize must be between 1 and 1000000 (got {MaxBatchSize}).");
        }

        if (MaxStringLength is < 1 or > 16 * 1024 * 1024)
        {
            errors.Add($"Attune:Limits:MaxStringLength must be between 1 and 16777216 (got {MaxStringLength}).");
        }

        if (MaxIdLength is < 1 or > Ids.MaxLength)
        {
            errors.Add($"Attune:Limits:MaxIdLength must be between 1 and {Ids.MaxLength} (got {MaxIdLength}).");
        }

        if (MaxPropertyCount is < 0 or > 10_000)
        {
            errors.Add($"Attune:Limits:MaxPropertyCount must be between 0 and 10000 (got {MaxPropertyCount}).");
        }

        if (MaxJsonDepth is < 4 or > 256)
        {
            errors.Add($"Attune:Limits:MaxJsonDepth must be between 4 and 256 (got {MaxJsonDepth}).");
        }

        if (MaxFutureSkew < TimeSpan.Zero || MaxFutureSkew > TimeSpan.FromDays(365))
        {
            errors.Add($"Attune:Limits:MaxFutureSkew must be between 00:00:00 and 365.00:00:00 (got {MaxFutureSkew}).");
        }
    }
}

/// <summary>API keys. With none, the API is open and the server only listens on loopback.</summary>
public sealed record AuthOptions
{
    public IReadOnlyList<ApiKeyOptions> ApiKeys { get; init; } = [];

    internal void Validate(List<string> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ApiKeys.Count; i++)
        {
            var k = ApiKeys[i];
            if (string.IsNullOrEmpty(k.Key) || k.Key.Length < 16)
            {
                errors.Add($"Attune:Auth:ApiKeys:{i}:Key must be at least 16 characters.");
            }
            else if (k.Key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                errors.Add($"Attune:Auth:ApiKeys:{i}:Key must not contain spaces or control characters.");
            }
            else if (!seen.Add(k.Key))
            {
                errors.Add($"Attune:Auth:ApiKeys:{i}:Key is configured twice.");
            }

            if (k.Scopes.Count == 0)
            {
                errors.Add($"Attune:Auth:ApiKeys:{i}:Scopes must name 'ingest' or 'admin'.");
            }

            foreach (var s in k.Scopes)
            {
                if (!ApiScopes.TryParse(s, out _))
                {
                    errors.Add($"Attune:Auth:ApiKeys:{i}:Scopes: '{s}' is not a scope; use 'ingest' or 'admin'.");
                }
            }
        }
    }

    public override string ToString() =>
        $"AuthOptions {{ ApiKeys = [{string.Join(", ", ApiKeys.Select(k => k.ToString()))}] }}";
}

/// <summary>One API key. <see cref="ToString"/> never prints the key itself.</summary>
public sealed record ApiKeyOptions
{
    public string Key { get; init; } = string.Empty;

    /// <summary><c>ingest</c> (may only post events: safe to embed in a web page) and/or <c>admin</c> (everything).</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>A label for logs.</summary>
    public string? Name { get; init; }

    public override string ToString() => $"{{ Name = {Name ?? "(unnamed)"}, Scopes = [{string.Join(", ", Scopes)}] }}";
}

/// <summary>Overrides the learning weight and polarity of one event type.</summary>
public sealed record EventTypeOptions
{
    public double Weight { get; init; } = 1.0;

    public Polarity Polarity { get; init; } = Polarity.Positive;
}

/// <summary>What an API key may do.</summary>
[Flags]
public enum ApiScope
{
    None = 0,

    /// <summary>Post events only.</summary>
    Ingest = 1,

    /// <summary>Everything, ingest included.</summary>
    Admin = 2,
}

public static class ApiScopes
{
    public static bool TryParse(string? text, out ApiScope scope)
    {
        scope = text?.Trim().ToLowerInvariant() switch
        {
            "ingest" => ApiScope.Ingest,
            "admin" => ApiScope.Admin,
            _ => ApiScope.None,
        };
        return scope != ApiScope.None;
    }
}
