namespace PerfTests.Harness.Devices;

public enum DeviceKind { Cpu, Cuda }

/// <summary>Where a model runs: "cpu", "cuda" (= "cuda:0"), "cuda:1".</summary>
public sealed record ComputeDevice(DeviceKind Kind, int Index = 0)
{
    public static ComputeDevice Cpu { get; } = new(DeviceKind.Cpu);

    public static ComputeDevice Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return Cpu;
        if (t == "cuda" || t == "gpu") return new ComputeDevice(DeviceKind.Cuda);
        if ((t.StartsWith("cuda:", StringComparison.Ordinal) || t.StartsWith("gpu:", StringComparison.Ordinal))
            && int.TryParse(t[(t.IndexOf(':') + 1)..], out var index) && index >= 0)
            return new ComputeDevice(DeviceKind.Cuda, index);
        throw new ArgumentException($"Unknown device '{text}': use cpu, cuda or cuda:N.");
    }

    public override string ToString() => Kind == DeviceKind.Cpu ? "cpu" : $"cuda:{Index}";
}
