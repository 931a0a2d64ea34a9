using System.Text.RegularExpressions;

namespace PerfTests.Harness.Devices;

/// <summary>
/// The name baselines and results file a device under, as a value: "cpu-amd-epyc-2t" (kind CPU, model "amd-epyc", 2 threads),
/// "h100-80gb" (a GPU, model "h100", 80 GB), "gtx-1080-ti" (a GPU sold in one size). The one parser and formatter of keys:
/// everything that reads a key from a file or the environment goes through <see cref="Parse"/> or <see cref="TryParse"/>,
/// so a key is never re-parsed by hand, and a key from a file can never name a path outside its folder.
/// </summary>
public sealed partial record DeviceKey : IComparable<DeviceKey>
{
    private DeviceKey(DeviceKind kind, string model, int? memoryGb, int threads)
    {
        Kind = kind;
        Model = model;
        MemoryGb = memoryGb;
        Threads = threads;
    }

    public DeviceKind Kind { get; }

    /// <summary>The model slug: "amd-epyc", "intel-xeon", "h100", "gtx-1080-ti".</summary>
    public string Model { get; }

    /// <summary>The marketed memory of a GPU model sold in several sizes ("h100-80gb"); null otherwise.</summary>
    public int? MemoryGb { get; }

    /// <summary>CPU threads the key was measured with; 0 for a GPU.</summary>
    public int Threads { get; }

    /// <summary>"cpu" or "gpu": the word baseline files use for the kind.</summary>
    public string KindName => Kind == DeviceKind.Cpu ? "cpu" : "gpu";

    public static DeviceKey Cpu(string modelSlug, int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "A CPU key needs at least one thread.");
        return Parse($"cpu-{modelSlug}-{threads}t");
    }

    public static DeviceKey Gpu(string modelSlug, int? memoryGb) => Parse(memoryGb is { } gb ? $"{modelSlug}-{gb}gb" : modelSlug);

    public static DeviceKey Parse(string text) =>
        TryParse(text, out var key, out var error) ? key : throw new FormatException(error);

    /// <summary>Lower-case letters and digits in dash-separated words, at most 64 characters; "cpu-…-&lt;n&gt;t" is a CPU.</summary>
    public static bool TryParse(string? text, out DeviceKey key, out string error)
    {
        key = null!;
        if (string.IsNullOrEmpty(text) || text.Length > 64 || !Grammar().IsMatch(text))
        {
            error = $"'{text}' is not a device key: lower-case letters and digits in words joined by '-', at most 64 characters (e.g. cpu-amd-epyc-2t, h100-80gb).";
            return false;
        }
        if (text.StartsWith("cpu-", StringComparison.Ordinal))
        {
            var cpu = CpuKey().Match(text);
            if (!cpu.Success || !int.TryParse(cpu.Groups["threads"].Value, out var threads) || threads is < 1 or > 4096)
            {
                error = $"'{text}' is not a CPU device key: it must end in the thread count, 1 to 4096 (e.g. cpu-amd-epyc-2t).";
                return false;
            }
            key = new DeviceKey(DeviceKind.Cpu, cpu.Groups["model"].Value, null, threads);
        }
        else
        {
            var memory = GpuMemory().Match(text);
            key = memory.Success
                ? new DeviceKey(DeviceKind.Cuda, memory.Groups["model"].Value, int.Parse(memory.Groups["gb"].Value), 0)
                : new DeviceKey(DeviceKind.Cuda, text, null, 0);
        }
        error = "";
        return true;
    }

    public override string ToString() => Kind == DeviceKind.Cpu ? $"cpu-{Model}-{Threads}t"
        : MemoryGb is { } gb ? $"{Model}-{gb}gb" : Model;

    public int CompareTo(DeviceKey? other) => string.CompareOrdinal(ToString(), other?.ToString());

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex Grammar();

    [GeneratedRegex("^cpu-(?<model>[a-z0-9]+(-[a-z0-9]+)*)-(?<threads>[0-9]{1,4})t$")]
    private static partial Regex CpuKey();

    [GeneratedRegex("^(?<model>[a-z0-9]+(-[a-z0-9]+)*)-(?<gb>[0-9]{1,4})gb$")]
    private static partial Regex GpuMemory();
}
