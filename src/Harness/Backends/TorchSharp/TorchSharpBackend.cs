using PerfTests.Harness.Devices;
using PerfTests.Harness.Workloads;
using static TorchSharp.torch;

namespace PerfTests.Harness.Backends.TorchSharp;

/// <summary>PyTorch's libtorch through TorchSharp. CPU with TorchSharp-cpu; CUDA with a CUDA runtime package.</summary>
public sealed class TorchSharpBackend : IBackend
{
    public const string BackendName = "torchsharp";

    private readonly Lazy<BackendAvailability> _availability = new(ProbeOnce);

    public string Name => BackendName;

    public BackendAvailability Probe() => _availability.Value;

    private static BackendAvailability ProbeOnce()
    {
        // Before libtorch's first allocation, so every process of a case runs on the same heap behaviour.
        NativeHeap.KeepLargeBlocksInTheHeap();
        try
        {
            using var twoByTwo = ones(2, 2);
            using var probe = twoByTwo.sum();
            if (probe.item<float>() != 4f) return BackendAvailability.Missing("libtorch loaded but computed a wrong sum.");
            var managed = typeof(global::TorchSharp.torch).Assembly.GetName().Version;
            return BackendAvailability.Available(LibtorchLocation.DescribeThisProcess(managed?.ToString(3) ?? "?", __version__));
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException or InvalidOperationException)
        {
            var detail = (e.InnerException ?? e).Message.Split('\n')[0];
            return BackendAvailability.Missing(
                $"TorchSharp's native library did not load ({detail}). Restore the runtime package chosen by " +
                "-p:TorchSharpRuntime (default TorchSharp-cpu) and rebuild; on Debian 12 the build weakens libLibTorchSharp.so's " +
                "GLIBCXX_3.4.32 requirement, so run from the build output, not the NuGet cache.");
        }
    }

    public BackendTraits Traits { get; } = new(LstmBiasVectors: 2, SupportsFloat64: true);

    public bool Supports(ComputeDevice device, out string reason)
    {
        var availability = Probe();
        if (!availability.IsAvailable) { reason = availability.Reason!; return false; }
        if (device.Kind == DeviceKind.Cpu) { reason = ""; return true; }
        if (!cuda.is_available())
        {
            reason = "TorchSharp sees no CUDA device: this build uses a CPU-only libtorch or no NVIDIA driver is present. " +
                     "On a CUDA machine build with -p:TorchSharpRuntime=TorchSharp-cuda-linux.";
            return false;
        }
        if (device.Index >= cuda.device_count())
        {
            reason = $"TorchSharp sees {cuda.device_count()} CUDA device(s); cuda:{device.Index} is not one of them.";
            return false;
        }
        reason = "";
        return true;
    }

    public ITrainingSession CreateSession(WorkloadSpec workload, ModelDimensions dimensions, ComputeDevice device, SessionOptions options)
    {
        if (!Supports(device, out var reason)) throw new InvalidOperationException($"torchsharp cannot run on {device}: {reason}");
        return new TorchSharpSession(workload, dimensions, device, options);
    }
}
