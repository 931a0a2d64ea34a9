namespace PerfTests.Harness.Measurements;

/// <summary>Checks, before any work, that a folder results or reports go to can be written: a long run must not be lost at the end.</summary>
public static class OutputFolder
{
    /// <summary>Why nothing can be written into <paramref name="folder"/> (creating it if needed), or null when it can.</summary>
    /// <param name="what">How the user named it ("--out", "$PERFTESTS_RESULTS"), for the message.</param>
    public static string? Problem(string folder, string what)
    {
        if (File.Exists(folder)) return $"{what} {folder} is a file, not a folder.";
        try
        {
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".perftests-write-check.{Environment.ProcessId}.tmp");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return $"{what} {folder} cannot be written: {e.Message}";
        }
    }
}
