using System.Net;
using Attune.Engine.Options;

namespace Attune.Server.Hosting;

/// <summary>Refuses to expose an API without keys beyond the local machine.</summary>
public static class BindingGuard
{
    /// <summary>Throws <see cref="InvalidOperationException"/> when no key is configured and an address other than loopback is bound.</summary>
    public static void Check(IConfiguration configuration, AttuneOptions options)
    {
        if (options.Auth.ApiKeys.Count > 0)
        {
            return;
        }

        var exposed = new List<string>();
        foreach (var url in Split(configuration["urls"]))
        {
            if (!IsLoopback(url))
            {
                exposed.Add(url);
            }
        }

        foreach (var key in new[] { "http_ports", "https_ports" })
        {
            if (!string.IsNullOrWhiteSpace(configuration[key]))
            {
                exposed.Add($"{key}={configuration[key]} (all interfaces)");
            }
        }

        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            var url = endpoint["Url"];
            if (url is not null && !IsLoopback(url))
            {
                exposed.Add(url);
            }
        }

        if (exposed.Count > 0)
        {
            throw new InvalidOperationException(
                $"Refusing to listen on {string.Join(", ", exposed)} without API keys: anyone on the network could read and erase data. " +
                "Configure Attune:Auth:ApiKeys (see docs/configuration.md) or listen on loopback only (--urls http://127.0.0.1:5080).");
        }
    }

    private static IEnumerable<string> Split(string? urls) =>
        string.IsNullOrWhiteSpace(urls) ? [] : urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool IsLoopback(string url)
    {
        // Kestrel accepts wildcards ("http://*:80", "http://+:80") that are not valid URI hosts.
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        var rest = schemeEnd >= 0 ? url[(schemeEnd + 3)..] : url;
        if (rest.StartsWith('*') || rest.StartsWith('+'))
        {
            return false;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return false;
        }

        var host = uri.Host.Trim('[', ']');
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }
}
