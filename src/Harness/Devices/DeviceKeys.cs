using System.Text.RegularExpressions;

namespace PerfTests.Harness.Devices;

/// <summary>The one place that names devices for baselines.</summary>
public static partial class DeviceKeys
{
    /// <summary>"AMD EPYC 7763 64-Core Processor", 2 threads → "cpu-amd-epyc-7763-2t".</summary>
    public static string ForCpu(string model, int threads)
    {
        var cleaned = NoiseInCpuName().Replace(model, " ");
        return $"cpu-{Slug(cleaned)}-{threads}t";
    }

    public static string Slug(string text)
    {
        var slug = NonAlphanumeric().Replace(text.ToLowerInvariant(), "-").Trim('-');
        return slug.Length == 0 ? "unknown" : slug;
    }

    [GeneratedRegex(@"\((R|TM|tm|r)\)|\bCPU\b|\bProcessor\b|\b\d+-Core\b|@\s*[\d.]+\s*GHz", RegexOptions.IgnoreCase)]
    private static partial Regex NoiseInCpuName();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonAlphanumeric();
}
