using PerfTests.Harness.Backends;
using PerfTests.Harness.Baselines;
using PerfTests.Harness.Devices;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Gate;

/// <summary>
/// The matrix, generated (never hand-kept): every registered backend × every catalog workload × every device
/// key of one kind found in baselines/, plus this machine's own devices of that kind, so a new CPU or GPU is
/// measured (metric checked, timing reported) and told how to record its baseline.
/// </summary>
public static class GateMatrix
{
    public static IReadOnlyList<GateCase> Cases(BaselineStore store, DeviceKind kind, IEnumerable<DeviceKey>? thisMachineKeys = null)
    {
        var keys = store.Devices.Select(d => DeviceKey.Parse(d.Key)).Where(k => k.Kind == kind).ToHashSet();
        keys.UnionWith(thisMachineKeys ?? []);
        return (from backend in BackendRegistry.Names
                from workload in WorkloadCatalog.All
                from key in keys.Order()
                select new GateCase(workload.Name, backend, key)).ToList();
    }

    public static DeviceKey ThisMachineCpuKey(int threads = 0) => DeviceDetector.Cpu(threads > 0 ? threads : Environment.ProcessorCount).Key;

    /// <summary>This machine's device keys of one kind: its CPU at all its threads, or its NVIDIA GPUs (none without a driver).</summary>
    public static IReadOnlyList<DeviceKey> ThisMachineKeys(DeviceKind kind) =>
        kind == DeviceKind.Cpu ? [ThisMachineCpuKey()] : DeviceDetector.Gpus().Select(g => g.Key).ToList();
}
