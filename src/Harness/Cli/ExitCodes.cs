namespace PerfTests.Harness.Cli;

/// <summary>The CLI's one exit-code convention (README, "Errors and exit codes").</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>A run, check or download failed (the others still ran).</summary>
    public const int Failed = 1;
    /// <summary>Bad usage or input: an unknown option, a value out of range, a malformed file; nothing was run.</summary>
    public const int BadInput = 2;
    /// <summary>Ctrl-C or SIGTERM: the current unit was abandoned, finished ones were kept (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
