using PerfTests.Harness.Devices;
using System.Reflection;
using System.Runtime.Intrinsics;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Backends.Managed;

/// <summary>Every layer, loss and optimizer written in C# (SIMD GEMM, im2col convolution, hand-written LSTM backward). CPU only.</summary>
public sealed class ManagedBackend : IBackend
{
    public const string BackendName = "managed";

    public string Name => BackendName;

    public BackendAvailability Probe()
    {
        var version = typeof(ManagedBackend).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "1.0";
        string simd = Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "AVX2" : "scalar";
        return BackendAvailability.Available($"{version} ({simd} GEMM)");
    }

    public BackendTraits Traits { get; } = new(BitReproducible: true);

    public bool Supports(ComputeDevice device, out string reason)
    {
        if (device.Kind == DeviceKind.Cpu)
        {
            reason = "";
            return true;
        }
        reason = "the managed backend is CPU-only (pure C#, no GPU kernels); use --device cpu, or torchsharp for CUDA.";
        return false;
    }

    public ITrainingSession CreateSession(WorkloadSpec workload, ModelDimensions dimensions, ComputeDevice device, SessionOptions options)
    {
        if (!Supports(device, out var reason)) throw new InvalidOperationException($"managed cannot run on {device}: {reason}");
        if (options.Float64) throw new NotSupportedException("managed computes in float32 only; float64 reference sessions come from a backend whose traits say SupportsFloat64.");
        return new ManagedSession(workload, dimensions, options);
    }
}
