namespace Attune.Cli;

/// <summary>Process exit codes of the <c>attune</c> commands.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The command failed (unreadable file, store or server error); the message says why.</summary>
    public const int Error = 1;

    /// <summary>Invalid arguments or options.</summary>
    public const int Usage = 2;

    /// <summary>The import finished, but some rows were rejected (listed with line numbers).</summary>
    public const int CompletedWithRejectedRows = 3;

    /// <summary>Stopped by Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
