using System.CommandLine;

namespace Attune.Cli;

/// <summary>Options shared by several commands, with the same names and help everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string?> DataDir() => new("--data-dir")
    {
        Description = "Data folder of the embedded store (default: Attune:DataDir from appsettings.json or the ATTUNE__DATADIR environment variable, else ./attune-data).",
        HelpName = "DIR",
    };

    public static Option<string?> Server() => new("--server")
    {
        Description = "Base URL of a running Attune server to talk to over HTTP instead of opening the store, e.g. http://127.0.0.1:5080.",
        HelpName = "URL",
    };

    public static Option<string?> ApiKey() => new("--api-key")
    {
        Description = "API key sent as 'Authorization: Bearer KEY' with --server (default: the ATTUNE_API_KEY environment variable).",
        HelpName = "KEY",
    };

    public static Option<string?> Urls(string description) => new("--urls")
    {
        Description = description,
        HelpName = "URLS",
    };

    /// <summary>Checks an absolute http(s) URL, returning an error message or null.</summary>
    public static string? CheckServerUrl(string? url) =>
        url is null || (Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps))
            ? null
            : $"--server '{url}' is not an absolute http:// or https:// URL.";
}
