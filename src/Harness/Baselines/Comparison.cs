using System.Globalization;
using Perfolizer.Mathematics.SignificanceTesting.Base;
using Perfolizer.Mathematics.SignificanceTesting.MannWhitney;
using Perfolizer.Metrology;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Workloads;
using Pragmastat;
using PerfTests.Harness.Training;

namespace PerfTests.Harness.Baselines;

/// <summary>
/// Compares a run with its baseline. A pure function of its inputs, so it is unit-tested on made-up numbers.
/// Metric: fails when worse than the baseline by more than its tolerance (accuracy is the same on every device,
/// so a device without its own entry is checked against another device's). Timing: fails only when the median
/// is over budget AND a one-sided Mann–Whitney test with the budget as threshold (Perfolizer, as BenchmarkDotNet
/// and dotnet/performance use it) says the slowdown beyond the budget is not noise.
/// </summary>
public static class Comparison
{
    public const string MetricCheck = "metric";
    public const string TimingCheck = "timing";
    public const string DataCheck = "data";
    public const string AllocationCheck = "allocation";
    public const string MemoryCheck = "memory";

    /// <param name="sameDevice">This workload/backend/profile's entry for the run's device, if any.</param>
    /// <param name="metricReference">An entry for another device to check the metric against when <paramref name="sameDevice"/> is null.</param>
    /// <param name="acceptHint">The command that would record the run as the new baseline (shown in messages).</param>
    /// <param name="allocationReference">Another device's entry holding an allocation figure, used when <paramref name="sameDevice"/>
    /// has none (allocations do not depend on the machine's speed); defaults to <paramref name="metricReference"/>.</param>
    public static Verdict Compare(RunResult run, BaselineEntry? sameDevice, (BaselineEntry Entry, string Device)? metricReference, string acceptHint,
        (BaselineEntry Entry, string Device)? allocationReference = null)
    {
        var conclusions = new List<Conclusion>();
        var reference = sameDevice is not null ? (sameDevice, run.Device) : metricReference;
        if (reference is not { } r)
        {
            conclusions.Add(new Conclusion(MetricCheck, ConclusionKind.Report,
                $"no baseline for {run.Workload}/{run.Backend}/{run.Profile.Name()} on any device; measured {run.MetricKind.Label()} {F(run.Metric)}. Record one with: {acceptHint}"));
            conclusions.Add(NoTimingBaseline(run, acceptHint));
            return new Verdict(run.Key, conclusions);
        }

        if (r.Entry.Data is { } data && (data.Name != run.Data.Name || data.Checksum != run.Data.Checksum))
        {
            conclusions.Add(new Conclusion(DataCheck, ConclusionKind.Fail,
                $"not comparable: the baseline was measured on {data.Name} ({Short(data.Checksum)}), this run on {run.Data.Name} ({Short(run.Data.Checksum)}). " +
                "Provide the same data set (see README, Data) or record a baseline for this data."));
            return new Verdict(run.Key, conclusions);
        }

        conclusions.Add(CompareMetric(run, r.Entry, r.Item2));
        conclusions.Add(sameDevice?.Timing is { Budget: not null } timing && timing.Samples.Count > 0
            ? CompareTiming(run, timing)
            : NoTimingBaseline(run, acceptHint));
        var allocation = sameDevice?.Allocation is { } own ? (own, run.Device)
            : (allocationReference ?? metricReference) is { Entry.Allocation: { } other } elsewhere ? (other, elsewhere.Device)
            : ((AllocationBaseline, string)?)null;
        conclusions.Add(CompareAllocation(run, allocation, acceptHint));
        conclusions.Add(CompareMemory(run, sameDevice?.Memory));
        return new Verdict(run.Key, conclusions);
    }

    /// <summary>
    /// Fails when a steady-state training step allocates more managed bytes than the baseline plus its tolerance. No statistics:
    /// the count does not depend on the machine's speed or load, so one run decides, on any device.
    /// </summary>
    private static Conclusion CompareAllocation(RunResult run, (AllocationBaseline Baseline, string Device)? reference, string acceptHint)
    {
        if (run.SteadyStateAllocatedBytesPerStep is not { } measured)
            return new Conclusion(AllocationCheck, ConclusionKind.Report, "the run recorded no allocation counters (a result from an older harness).");
        var epochs = run.SteadyStateEpochs;
        string over = $"the least of {epochs.Count} steady-state epoch{(epochs.Count == 1 ? "" : "s")}";
        if (reference is not { } r)
            return new Conclusion(AllocationCheck, ConclusionKind.Report,
                $"no allocation baseline: measured {Bytes(measured)} bytes per step ({over}). Record one with: {acceptHint}");
        double tolerance = r.Baseline.Tolerance ?? 0;
        string where = r.Device == run.Device ? "" : $" (baseline from {r.Device}: allocations do not depend on the machine's speed)";
        string figures = $"{Bytes(measured)} bytes per step ({over}), baseline {Bytes(r.Baseline.BytesPerStep)} bytes per step, tolerance {Bytes(tolerance)} bytes per step{where}";
        if (measured > r.Baseline.BytesPerStep + tolerance)
            return new Conclusion(AllocationCheck, ConclusionKind.Fail,
                $"a training step allocates more than the baseline allows: {figures}. Per epoch: {string.Join(", ", epochs.Select(e => Bytes(e.Counters!.AllocatedBytesPerStep)))} bytes per step.");
        if (measured < r.Baseline.BytesPerStep - tolerance)
            return new Conclusion(AllocationCheck, ConclusionKind.Report, $"allocates less than the baseline: {figures}. If this is intended, accept the new baseline.");
        return new Conclusion(AllocationCheck, ConclusionKind.Pass, figures);
    }

    /// <summary>The run's peak resident memory against this device's own figure (memory depends on the machine's libraries and threads).</summary>
    private static Conclusion CompareMemory(RunResult run, MemoryBaseline? baseline)
    {
        if (run.Counters is not { } counters || run.PeakResidentBytes is not { } peak)
            return new Conclusion(MemoryCheck, ConclusionKind.Report, "the run recorded no peak resident memory" +
                (run.Counters?.PeakResidentNote is { } note ? $": {note}." : "."));
        if (counters.PeakResidentScope != RunCounters.ScopeRun)
            return new Conclusion(MemoryCheck, ConclusionKind.Report, $"peak resident memory {Bytes(peak)} bytes is not the run's own: {counters.PeakResidentNote}.");
        if (baseline is null)
            return new Conclusion(MemoryCheck, ConclusionKind.Report, $"no peak-memory baseline for {run.Device}: measured {Bytes(peak)} bytes.");
        double budget = baseline.Budget ?? 1;
        double ratio = (double)peak / baseline.PeakResidentBytes;
        string figures = $"peak resident {Bytes(peak)} bytes, baseline {Bytes(baseline.PeakResidentBytes)} bytes, ratio {ratio.ToString("F2", CultureInfo.InvariantCulture)}x, budget {budget.ToString("F2", CultureInfo.InvariantCulture)}x";
        return ratio > budget
            ? new Conclusion(MemoryCheck, ConclusionKind.Fail, $"the run needs more memory than the budget allows: {figures}.")
            : new Conclusion(MemoryCheck, ConclusionKind.Pass, figures);
    }

    private static string Bytes(double value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    private static Conclusion CompareMetric(RunResult run, BaselineEntry entry, string device)
    {
        var metric = entry.Metric;
        if (metric.Kind != run.MetricKind)
            return new Conclusion(MetricCheck, ConclusionKind.Fail, $"baseline metric is {metric.Kind}, the run measured {run.MetricKind}.");
        double tolerance = metric.Tolerance ?? 0;
        double worseBy = run.MetricKind.HigherIsBetter() ? metric.Value - run.Metric : run.Metric - metric.Value;
        string where = device == run.Device ? "" : $" (baseline from {device}: accuracy does not depend on the device)";
        string figures = $"baseline {F(metric.Value)}, measured {F(run.Metric)}, tolerance {F(tolerance)}{where}";
        const double rounding = 1e-9;
        // Stryker disable once Equality : > and >= differ only at worseBy == tolerance + 1e-9, the edge of the rounding margin itself
        if (worseBy > tolerance + rounding)
            return new Conclusion(MetricCheck, ConclusionKind.Fail,
                $"{run.MetricKind.Label()} regressed by {F(worseBy)}: {figures}. Per-epoch: {string.Join(", ", run.Epochs.Select(e => F(RunResult.MetricOf(e, run.MetricKind))))}.");
        // Stryker disable once Equality : > and >= differ only at -worseBy == tolerance + 1e-9, the edge of the rounding margin itself
        if (-worseBy > tolerance + rounding)
            return new Conclusion(MetricCheck, ConclusionKind.Report,
                $"{run.MetricKind.Label()} better than the baseline by {F(-worseBy)}: {figures}. If this is intended, accept the new baseline.");
        return new Conclusion(MetricCheck, ConclusionKind.Pass, figures);
    }

    private static Conclusion CompareTiming(RunResult run, TimingBaseline timing)
    {
        double budget = timing.Budget!.Value;
        var measured = run.TimingSamples;
        if (measured.Count == 0)
            return new Conclusion(TimingCheck, ConclusionKind.Fail, "the run recorded no timing samples.");
        double baselineMedian = Median(timing.Samples);
        double measuredMedian = Median(measured);
        double ratio = measuredMedian / baselineMedian;
        string figures =
            $"baseline median {F(baselineMedian)} s/epoch, measured median {F(measuredMedian)} s/epoch, ratio {ratio.ToString("F2", CultureInfo.InvariantCulture)}x, " +
            $"budget {budget.ToString("F2", CultureInfo.InvariantCulture)}x";
        string samples = $"baseline samples [{Join(timing.Samples)}], measured samples [{Join(measured)}]";

        if (ratio > budget)
        {
            double p = SlowerBeyond(measured, timing.Samples, budget - 1);
            string test = $"Mann–Whitney p = {p.ToString("G3", CultureInfo.InvariantCulture)} for 'slower than {budget:F2}x' (alpha {GatePolicy.Alpha})";
            // Stryker disable once Equality : a p-value equal to alpha to the last bit is not an outcome the test produces; < and <= agree on every reachable one
            return p < GatePolicy.Alpha
                ? new Conclusion(TimingCheck, ConclusionKind.Fail, $"slower than the budget allows: {figures}; {test}. {samples}")
                : new Conclusion(TimingCheck, ConclusionKind.Report, $"over budget but not distinguishable from noise: {figures}; {test}. {samples}");
        }
        if (ratio < 1 / GatePolicy.SuspiciousSpeedup &&
            // Stryker disable once Equality : a p-value equal to alpha to the last bit is not an outcome the test produces; < and <= agree on every reachable one
            FasterBeyond(measured, timing.Samples) < GatePolicy.Alpha)
            return new Conclusion(TimingCheck, ConclusionKind.Report,
                $"unexpectedly fast ({F(1 / ratio)}x faster): {figures}. A large speed-up often means the workload silently did less work; check it before accepting. {samples}");
        return new Conclusion(TimingCheck, ConclusionKind.Pass, figures);
    }

    private static Conclusion NoTimingBaseline(RunResult run, string acceptHint) =>
        new(TimingCheck, ConclusionKind.Report,
            $"no timing baseline for {run.Device}: measured median {F(Median(run.TimingSamples.Count > 0 ? run.TimingSamples : [run.SteadyStateMeanSeconds]))} s/epoch " +
            $"({F(run.MeanEpochSeconds)} s/epoch with validation). Record one with: {acceptHint}");

    /// <summary>p-value of "x is greater than y shifted up by <paramref name="threshold"/> (a ratio − 1)".</summary>
    internal static double SlowerBeyond(IReadOnlyList<double> x, IReadOnlyList<double> y, double threshold)
    {
        if (x.Count < 2 || y.Count < 2) return 1;
        var t = Threshold.Parse((threshold * 100).ToString(
            // Stryker disable once String : "0.####" and the general format "" write the same text for every budget given to at most six decimals
            "0.####", CultureInfo.InvariantCulture) + "%");
        return (double)new MannWhitneyTest().Perform(new Sample(x.ToArray()), new Sample(y.ToArray()), AlternativeHypothesis.Greater, t).PValue;
    }

    private static double FasterBeyond(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count < 2 || y.Count < 2) return 1;
        return (double)new MannWhitneyTest().Perform(new Sample(x.ToArray()), new Sample(y.ToArray()), AlternativeHypothesis.Less, Threshold.Parse("0%")).PValue;
    }

    public static double Median(IReadOnlyList<double> values)
    {
        // Stryker disable once Linq : the median of a sequence sorted downwards is the same number
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
    private static string Join(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)));
    private static string Short(string checksum) => checksum.Length > 12 ? checksum[..12] + "…" : checksum;
}
