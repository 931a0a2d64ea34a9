using System.Text.RegularExpressions;

namespace PerfTests.Harness.Devices;

public static partial class DeviceKeys
{
    /// <summary>Longest key accepted from a file; real keys are under 40 characters.</summary>
    public const int MaximumLength = 64;

    /// <summary>
    /// Whether <paramref name="key"/> is a device key as <see cref="ForCpu"/> and <see cref="ForGpu"/> write them: lower-case
    /// letters and digits in dash-separated words ("cpu-amd-epyc-2t", "h100-80gb"). Keys read from files become file
    /// names, so nothing else (upper case, spaces, dots, slashes) is ever accepted.
    /// </summary>
    public static bool IsWellFormed(string? key) => key is { Length: > 0 and <= MaximumLength } && KeyGrammar().IsMatch(key);

    /// <summary>Why <paramref name="key"/> is not a device key, or null when it is.</summary>
    public static string? Problem(string? key) => IsWellFormed(key)
        ? null
        : $"'{key}' is not a device key (lower-case letters and digits in dash-separated words, at most {MaximumLength} characters, e.g. cpu-amd-epyc-2t or h100-80gb)";

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex KeyGrammar();
}
