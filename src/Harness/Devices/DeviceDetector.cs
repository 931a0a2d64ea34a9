namespace PerfTests.Harness.Devices;

/// <summary>Finds this machine's CPU and GPUs.</summary>
public static class DeviceDetector
{
    public static string CpuModel()
    {
        const string cpuinfo = "/proc/cpuinfo";
        if (File.Exists(cpuinfo))
        {
            foreach (var line in File.ReadLines(cpuinfo))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal))
                    return line[(line.IndexOf(':') + 1)..].Trim();
            }
        }
        return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }

    public static DeviceInfo Cpu(int threads)
    {
        var model = CpuModel();
        return new DeviceInfo(DeviceKeys.ForCpu(model, threads), DeviceKind.Cpu, 0, model);
    }

    private static readonly Lazy<IReadOnlyList<DeviceInfo>> DetectedGpus = new(() =>
        NvidiaSmi.Query() is { } csv ? NvidiaSmi.Parse(csv, Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES")) : []);

    /// <summary>NVIDIA GPUs this process can use, numbered as CUDA numbers them; empty where there are none (no driver or no nvidia-smi).</summary>
    public static IReadOnlyList<DeviceInfo> Gpus() => DetectedGpus.Value;

    /// <summary>The device a run will use, or an error naming what is missing.</summary>
    public static DeviceInfo Describe(ComputeDevice device, int threads)
    {
        if (device.Kind == DeviceKind.Cpu) return Cpu(threads);
        var gpus = Gpus();
        return gpus.FirstOrDefault(g => g.Index == device.Index)
            ?? throw new InvalidOperationException($"No NVIDIA GPU {device.Index} on this machine ({gpus.Count} found).");
    }
}
