using System.Globalization;
using PerfTests.Harness.Measurements;

namespace PerfTests.Harness.Reports;

/// <summary>How reports and the run command write a run's cost figures: FLOPs, % of peak, allocations, memory.</summary>
public static class CostText
{
    /// <summary>"41%": steady-state GFLOP/s as a share of the device's peak; empty when either is unknown.</summary>
    public static string PercentOfPeak(RunResult run) =>
        run.SteadyStatePercentOfPeak is { } percent ? percent.ToString(percent < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + "%" : "";

    /// <summary>"0 B", "512 B", "405.1 KiB", "1.2 GiB".</summary>
    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        int unit = 0;
        while (Math.Abs(bytes) >= 1024 && unit < units.Length - 1) (bytes, unit) = (bytes / 1024, unit + 1);
        return unit == 0 ? $"{bytes.ToString("0", CultureInfo.InvariantCulture)} B" : $"{bytes.ToString("0.0", CultureInfo.InvariantCulture)} {units[unit]}";
    }

    public static string Gflop(double flops) => (flops / 1e9).ToString(flops >= 1e10 ? "0.0" : "0.000", CultureInfo.InvariantCulture);

    /// <summary>
    /// One run's costs in one line: "0.418 GFLOP/step, 31.2 GFLOP/s, 41% of peak; 0 B allocated per step, GCs 0/0/0, peak
    /// resident 542.0 MiB". Figures the result lacks are left out.
    /// </summary>
    public static string Summary(RunResult run)
    {
        var parts = new List<string>();
        if (run.Compute is { } compute)
        {
            var throughput = $"{Gflop(compute.FlopsPerStep)} GFLOP/step";
            if (run.SteadyStateGflops is { } gflops) throughput += $", {gflops.ToString("0.0", CultureInfo.InvariantCulture)} GFLOP/s";
            throughput += run.SteadyStatePercentOfPeak is not null ? $", {PercentOfPeak(run)} of peak" : $" (no peak: {compute.PeakSource})";
            parts.Add(throughput);
        }
        if (run.SteadyStateAllocatedBytesPerStep is { } perStep)
        {
            var steady = run.SteadyStateEpochs;
            parts.Add($"{Bytes(perStep)} allocated per step, GCs {steady.Sum(e => e.Counters!.Gen0Collections)}/{steady.Sum(e => e.Counters!.Gen1Collections)}/{steady.Sum(e => e.Counters!.Gen2Collections)}");
        }
        if (run.PeakResidentBytes is { } peak)
            parts.Add($"peak resident {Bytes(peak)}{(run.Counters?.PeakResidentScope == RunCounters.ScopeProcess ? " (since the process began)" : "")}");
        return string.Join("; ", parts);
    }
}
