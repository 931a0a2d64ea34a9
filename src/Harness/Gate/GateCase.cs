using PerfTests.Harness.Devices;

namespace PerfTests.Harness.Gate;

/// <summary>One cell of the matrix: a workload on a backend on a device. Reads as "mlp_mnist/torchsharp/h100-80gb".</summary>
public sealed record GateCase(string Workload, string Backend, DeviceKey Device)
{
    public override string ToString() => $"{Workload}/{Backend}/{Device}";

    public static GateCase Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 3) throw new ArgumentException($"'{text}' is not workload/backend/device.", nameof(text));
        return new GateCase(parts[0], parts[1], DeviceKey.Parse(parts[2]));
    }
}
