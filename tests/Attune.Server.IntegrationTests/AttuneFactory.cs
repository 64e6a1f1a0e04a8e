using System.Net.Http.Headers;
using System.Text;
using Attune.Client;
using Attune.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Attune.Server.IntegrationTests;

/// <summary>The real server in memory, on a private temporary data folder deleted on dispose.</summary>
public sealed class AttuneFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "admin-key-0123456789abcdef";
    public const string IngestKey = "ingest-key-0123456789abcdef";

    private readonly TempDirectory? _dir;
    private readonly Dictionary<string, string?> _settings;

    /// <param name="dataDir">A data folder the caller owns (to restart on the same data); a private temporary one when null.</param>
    public AttuneFactory(IDictionary<string, string?>? settings = null, bool withKeys = false, string? dataDir = null)
    {
        _dir = dataDir is null ? new TempDirectory() : null;
        DataDir = dataDir ?? _dir!.Path;
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Attune:DataDir"] = DataDir,
        };
        if (withKeys)
        {
            _settings["Attune:Auth:ApiKeys:0:Key"] = AdminKey;
            _settings["Attune:Auth:ApiKeys:0:Scopes:0"] = "admin";
            _settings["Attune:Auth:ApiKeys:0:Name"] = "tests-admin";
            _settings["Attune:Auth:ApiKeys:1:Key"] = IngestKey;
            _settings["Attune:Auth:ApiKeys:1:Scopes:0"] = "ingest";
        }
    }

    public string DataDir { get; }

    public HttpClient CreateClient(string? apiKey)
    {
        var client = CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    public AttuneClient CreateAttuneClient(string? apiKey = null) => new(CreateClient(apiKey));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (k, v) in _settings)
        {
            builder.UseSetting(k, v);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _dir?.Dispose();
        }
    }
}

internal static class Http
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static ByteArrayContent JsonBytes(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
