using System.Diagnostics;
using System.Globalization;

namespace PerfTests.Harness.Devices;

/// <summary>
/// NVIDIA GPUs as <c>nvidia-smi</c> reports them. nvidia-smi ships with every NVIDIA driver (as does NVML, which it
/// wraps), needs no native binding, and its CSV query output is stable across driver generations from the
/// K80's to the H100's, so it is the one source used here.
/// </summary>
public static class NvidiaSmi
{
    public const string QueryArguments = "--query-gpu=index,name,memory.total,driver_version,uuid --format=csv,noheader,nounits";

    /// <summary>Runs nvidia-smi; null when it is not installed or fails (no driver, no GPU).</summary>
    public static string? Query(TimeSpan? timeout = null)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("nvidia-smi", QueryArguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null) return null;
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(20)))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }
            return process.ExitCode == 0 ? output.GetAwaiter().GetResult() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>
    /// Parses the CSV query output into devices numbered as CUDA numbers them for this process:
    /// when $CUDA_VISIBLE_DEVICES lists indices or UUIDs, only those, in that order, from 0.
    /// </summary>
    public static IReadOnlyList<DeviceInfo> Parse(string csv, string? cudaVisibleDevices = null)
    {
        var gpus = new List<(int Index, string Name, long MemoryMiB, string Driver, string Uuid)>();
        foreach (var rawLine in csv.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0) continue;
            var fields = line.Split(',').Select(f => f.Trim()).ToArray();
            if (fields.Length < 4 || !int.TryParse(fields[0], CultureInfo.InvariantCulture, out var index))
                throw new FormatException($"Unexpected nvidia-smi line: '{line}' (expected: {QueryArguments}).");
            long memory = long.TryParse(fields[2], CultureInfo.InvariantCulture, out var m) ? m : 0;
            gpus.Add((index, fields[1], memory, fields[3], fields.Length > 4 ? fields[4] : ""));
        }

        var visible = gpus;
        if (!string.IsNullOrWhiteSpace(cudaVisibleDevices))
        {
            visible = [];
            foreach (var token in cudaVisibleDevices.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var match = int.TryParse(token, CultureInfo.InvariantCulture, out var i)
                    ? gpus.FirstOrDefault(g => g.Index == i)
                    : gpus.FirstOrDefault(g => g.Uuid.Length > 0 && g.Uuid.StartsWith(token, StringComparison.OrdinalIgnoreCase));
                // CUDA stops at the first entry it cannot resolve.
                if (match.Name is null) break;
                visible.Add(match);
            }
        }
        return visible.Select((g, cudaIndex) => new DeviceInfo(DeviceKeys.ForGpu(g.Name, g.MemoryMiB), DeviceKind.Cuda, cudaIndex, g.Name, g.MemoryMiB, g.Driver)).ToList();
    }
}
