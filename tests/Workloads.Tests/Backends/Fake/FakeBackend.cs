using PerfTests.Harness.Devices;
using PerfTests.Harness.Backends;
using PerfTests.Harness.Backends.Managed;
using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Backends.Fake;

/// <summary>
/// A test-only backend over the managed engine. It exists to show that a new backend is one folder and one line in
/// <see cref="ConformanceBackends"/>, and that the conformance suite then checks it like any registered one.
/// </summary>
internal sealed class FakeBackend : IBackend
{
    public string Name => "fake";

    public BackendTraits Traits { get; } = new(BitReproducible: true);

    public BackendAvailability Probe() => BackendAvailability.Available("test-only (managed engine)");

    public bool Supports(ComputeDevice device, out string reason)
    {
        reason = device.Kind == DeviceKind.Cpu ? "" : "the fake backend runs on the CPU only.";
        return device.Kind == DeviceKind.Cpu;
    }

    public ITrainingSession CreateSession(WorkloadSpec workload, ModelDimensions dimensions, ComputeDevice device, SessionOptions options)
    {
        if (!Supports(device, out var reason)) throw new InvalidOperationException($"fake cannot run on {device}: {reason}");
        if (options.Float64) throw new NotSupportedException("fake computes in float32 only.");
        return new ManagedSession(workload, dimensions, options);
    }
}
