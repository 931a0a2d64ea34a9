using PerfTests.Harness.Backends;
using PerfTests.Harness.Devices;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Baselines;

/// <summary>One cell of the matrix: a workload on a backend on a device. Reads as "mlp_mnist/torchsharp/h100-80gb".</summary>
public sealed record GateCase(string Workload, string Backend, string DeviceKey, string DeviceKind)
{
    public override string ToString() => $"{Workload}/{Backend}/{DeviceKey}";

    public static GateCase Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 3) throw new ArgumentException($"'{text}' is not workload/backend/device.", nameof(text));
        return new GateCase(parts[0], parts[1], parts[2], parts[2].StartsWith("cpu-", StringComparison.Ordinal) ? "cpu" : "gpu");
    }
}

/// <summary>
/// The matrix, generated (never hand-kept): every registered backend × every catalog workload × every device
/// key of one kind found in baselines/, plus this machine's own devices of that kind, so a new CPU or GPU is
/// measured (metric checked, timing reported) and told how to record its baseline.
/// </summary>
public static class GateMatrix
{
    public static IReadOnlyList<GateCase> Cases(BaselineStore store, string deviceKind, IEnumerable<string>? thisMachineKeys = null)
    {
        var keys = store.Devices.Where(d => d.Kind == deviceKind).Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
        keys.UnionWith(thisMachineKeys ?? []);
        return (from backend in BackendRegistry.Names
                from workload in WorkloadCatalog.All
                from key in keys.Order(StringComparer.Ordinal)
                select new GateCase(workload.Name, backend, key, deviceKind)).ToList();
    }

    public static string ThisMachineCpuKey(int threads = 0) => DeviceDetector.Cpu(threads > 0 ? threads : Environment.ProcessorCount).Key;

    /// <summary>This machine's device keys of one kind: its CPU at all its threads, or its NVIDIA GPUs (none without a driver).</summary>
    public static IReadOnlyList<string> ThisMachineKeys(string deviceKind) =>
        deviceKind == "cpu" ? [ThisMachineCpuKey()] : DeviceDetector.Gpus().Select(g => g.Key).ToList();
}
