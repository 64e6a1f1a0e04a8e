namespace Attune.Cli.Tests;

/// <summary>Runs <c>attune</c> in-process with its output captured.</summary>
internal static class CliRunner
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await AttuneCli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>A loopback port free right now.</summary>
    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
