namespace PerfTests.Harness.Devices;

/// <summary>A device found on this machine, with the stable key that baselines are filed under.</summary>
/// <param name="Key">"cpu-amd-epyc-2t", "h100-80gb", "gtx-1080-ti", "k80", … (see <see cref="DeviceKeys"/>).</param>
public sealed record DeviceInfo(DeviceKey Key, DeviceKind Kind, int Index, string Name, long? MemoryMiB = null, string? Driver = null)
{
    public ComputeDevice ComputeDevice => new(Kind, Index);
}
