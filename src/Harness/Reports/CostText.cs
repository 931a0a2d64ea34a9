using System.Globalization;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Training;

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

    /// <summary>
    /// A section's costs in one line, per backend (devices named only where their figures differ): "Per training step
    /// (0.418 GFLOP): managed allocates 0 B, peak resident 700.0 MiB; torchsharp allocates 393.5 KiB (209 gen0 collections
    /// per epoch), peak resident 1.2 GiB." Null when no run recorded any of these figures.
    /// </summary>
    public static string? SectionLine(IReadOnlyList<RunResult> runs)
    {
        var flops = runs.Select(r => r.Compute?.FlopsPerStep).FirstOrDefault(f => f is not null);
        var parts = runs.GroupBy(r => r.Backend).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var figures = new List<string>();
            var allocation = PerDevice(g, r => r.SteadyStateAllocatedBytesPerStep is { } b ? Bytes(b) + Collections(r) : null);
            if (allocation is not null) figures.Add($"allocates {allocation}");
            var peak = PerDevice(g, r => r.PeakResidentBytes is { } p ? Bytes(p) : null);
            if (peak is not null) figures.Add($"peak resident {peak}");
            return figures.Count == 0 ? null : $"{g.Key} {string.Join(", ", figures)}";
        }).Where(p => p is not null).ToList();
        if (flops is null && parts.Count == 0) return null;
        var head = flops is { } f ? $"Per training step ({Gflop(f)} GFLOP of model arithmetic)" : "Per training step";
        return parts.Count == 0 ? $"{head}." : $"{head}: {string.Join("; ", parts)}.";
    }

    private static string Collections(RunResult run)
    {
        var steady = run.SteadyStateEpochs;
        double gen0 = steady.Average(e => e.Counters!.Gen0Collections);
        return gen0 > 0 ? $" ({gen0.ToString("0.#", CultureInfo.InvariantCulture)} gen0 collections per epoch)" : "";
    }

    /// <summary>"X" when every device shows X, else "X on a, Y on b"; null when no run has the figure.</summary>
    private static string? PerDevice(IEnumerable<RunResult> runs, Func<RunResult, string?> text)
    {
        var byDevice = runs.Select(r => (r.Device, Text: text(r))).Where(x => x.Text is not null).ToList();
        if (byDevice.Count == 0) return null;
        return byDevice.Select(x => x.Text).Distinct().Count() == 1
            ? byDevice[0].Text
            : string.Join(", ", byDevice.Select(x => $"{x.Text} on {x.Device}"));
    }
}
