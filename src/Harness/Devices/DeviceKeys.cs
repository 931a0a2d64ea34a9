using System.Text.RegularExpressions;

namespace PerfTests.Harness.Devices;

/// <summary>The one place that turns device names as the system reports them into <see cref="DeviceKey"/>s.</summary>
public static partial class DeviceKeys
{
    /// <summary>"AMD EPYC 7763 64-Core Processor", 2 threads → "cpu-amd-epyc-7763-2t".</summary>
    public static DeviceKey ForCpu(string model, int threads)
    {
        var cleaned = NoiseInCpuName().Replace(model, " ");
        return DeviceKey.Cpu(Slug(cleaned), threads);
    }

    /// <summary>
    /// "Tesla K80" → "k80", "NVIDIA GeForce GTX 1080 Ti" → "gtx-1080-ti", "GeForce GTX TITAN X" → "titan-x",
    /// "NVIDIA A100-SXM4-40GB" (40960 MiB) → "a100-40gb", "NVIDIA H100 80GB HBM3" → "h100-80gb". Models sold with
    /// several memory sizes carry the size, read from the memory the driver reports, so a key never depends on the
    /// form factor (SXM or PCIe) that the name may or may not mention.
    /// </summary>
    public static DeviceKey ForGpu(string name, long memoryMiB)
    {
        var cleaned = GpuVendorWords().Replace(name, " ");
        cleaned = GpuMemoryOrFormFactor().Replace(cleaned, " ");
        var slug = Slug(cleaned);
        var family = slug.Split('-')[0];
        return MemoryVariantFamilies.Contains(family) && memoryMiB > 0 ? DeviceKey.Gpu(family, MarketedGigabytes(memoryMiB)) : DeviceKey.Gpu(slug, null);
    }

    private static readonly HashSet<string> MemoryVariantFamilies = ["a100", "h100", "h200", "v100", "p100", "a800", "h800", "b200", "gh200"];

    /// <summary>The size on the box: drivers report a little less than 40, 80 or 141 GB (81559 MiB on an H100 80GB).</summary>
    public static int MarketedGigabytes(long memoryMiB)
    {
        int[] marketed = [12, 16, 24, 32, 40, 48, 64, 80, 94, 96, 141, 180, 192];
        double gib = memoryMiB / 1024.0;
        return marketed.OrderBy(g => Math.Abs(g - gib)).First();
    }

    public static string Slug(string text)
    {
        var slug = NonAlphanumeric().Replace(text.ToLowerInvariant(), "-").Trim('-');
        return slug.Length == 0 ? "unknown" : slug;
    }

    [GeneratedRegex(@"\((R|TM|tm|r)\)|\bCPU\b|\bProcessor\b|\b\d+-Core\b|@\s*[\d.]+\s*GHz", RegexOptions.IgnoreCase)]
    private static partial Regex NoiseInCpuName();

    [GeneratedRegex(@"\b(NVIDIA|GeForce|Tesla|Quadro|GTX(?=\s+TITAN))\b", RegexOptions.IgnoreCase)]
    private static partial Regex GpuVendorWords();

    [GeneratedRegex(@"\b(\d+\s*GB|SXM\d*|PCIe|HBM\d*e?|NVL)\b", RegexOptions.IgnoreCase)]
    private static partial Regex GpuMemoryOrFormFactor();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonAlphanumeric();
}
