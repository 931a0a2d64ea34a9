namespace PerfTests.Harness.Data;

/// <summary>A data file exists but is not what its format says: the message names the file and what is wrong.</summary>
public sealed class DataFormatException(string path, string problem, Exception? inner = null)
    : IOException($"{path}: {problem}", inner)
{
    public string FilePath { get; } = path;
    public string Problem { get; } = problem;
}

/// <summary>A real data set is required (--real-data-only, or a gate baseline measured on it) but is not on this machine.</summary>
public sealed class DataUnavailableException(string message) : InvalidOperationException(message);
