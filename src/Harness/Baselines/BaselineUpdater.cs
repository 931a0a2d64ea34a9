using System.Text.Json;
using PerfTests.Harness.Devices;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Workloads;
using PerfTests.Harness.Training;

namespace PerfTests.Harness.Baselines;

public enum ChangeKind { Added, Updated, Unchanged }

/// <summary>What accepting one result did to its baseline entry, with a one-line human diff.</summary>
public sealed record BaselineChange(string Device, string Entry, ChangeKind Kind, string Summary);

/// <summary>
/// Turns run results into baseline entries. Each device file is rewritten whole and atomically (temporary
/// file, then rename), entries are kept sorted, unrelated entries are left as they were, and a reviewed
/// tolerance or budget already in the file is kept. The same results accepted twice change nothing.
/// </summary>
public static class BaselineUpdater
{
    /// <param name="log">Told when this accept has to wait for another one to finish.</param>
    public static IReadOnlyList<BaselineChange> Accept(string directory, IEnumerable<RunResult> results, Action<string>? log = null)
    {
        var accepted = results.ToList();
        foreach (var result in accepted)
        {
            // Results become file names and baseline keys: a device of "../x" or an unknown workload is refused here.
            if (ResultRules.Problem(result) is { } problem) throw new InvalidDataException($"result {result.Key}: {problem}; nothing was accepted.");
            if (result.SampleLimit is { } limit)
                throw new InvalidDataException($"result {result.Key}: a timing stretch (run --samples {limit}), not the {result.Profile.Name()} profile's run, so not a baseline; nothing was accepted.");
        }
        var schema = BaselineStore.LoadSchema(directory);
        using var held = BaselineLock.Acquire(directory, waiting: log);

        var changes = new List<BaselineChange>();
        var writes = new List<(string Path, string Text)>();
        foreach (var group in accepted.GroupBy(r => r.Device).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            // Parsed before it becomes a file name: a key is dash-separated lower-case words, never a path.
            var deviceKey = DeviceKey.Parse(group.Key);
            var path = BaselineStore.PathFor(directory, deviceKey.ToString());
            var existing = File.Exists(path) ? BaselineStore.ReadFile(path, schema) : null;
            // Stryker disable once Linq : a group from GroupBy is never empty, so First and FirstOrDefault return the same result
            var first = group.First();
            var file = existing ?? new BaselineFile
            {
                Device = new BaselineDevice(deviceKey.ToString(), deviceKey.KindName, first.Environment.DeviceName),
                Entries = [],
            };

            var entries = file.Entries.ToDictionary(e => e.Key);
            foreach (var result in group)
            {
                var key = $"{result.Workload}/{result.Backend}/{result.Profile.Name()}";
                entries.TryGetValue(key, out var previous);
                if (previous?.Historical is not null)
                    throw new InvalidOperationException($"{path}: {key} is a historical row; results cannot replace it.");
                var entry = ToEntry(result, previous, deviceKey.Kind);
                entries[key] = entry;
                changes.Add(Describe(group.Key, key, previous, entry, result));
            }

            var updated = file with { Entries = entries.Values.OrderBy(e => e.Key, StringComparer.Ordinal).ToList() };
            var text = Serialize(updated);
            try
            {
                BaselineStore.Parse(path, text, schema);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"Refusing to write a baseline the gate would reject; nothing was accepted. {e.Message}", e);
            }
            if (existing is null || File.ReadAllText(path) != text) writes.Add((path, text));
        }
        // Every file is checked before the first is replaced: a refused result leaves all of them as they were.
        foreach (var (path, text) in writes) AtomicFile.WriteAllText(path, text);
        return changes;
    }

    public static string Serialize(BaselineFile file) => JsonSerializer.Serialize(file, BaselineStore.JsonOptions) + "\n";

    internal static BaselineEntry ToEntry(RunResult result, BaselineEntry? previous, DeviceKind deviceKind)
    {
        double metric = RecordedMetric(result);
        return new BaselineEntry
        {
            Workload = result.Workload,
            Backend = result.Backend,
            Profile = result.Profile,
            Data = new DataReference(result.Data.Name, result.Data.Checksum),
            Metric = new MetricBaseline(result.MetricKind, metric,
                previous?.Metric.Tolerance ?? GatePolicy.MetricTolerance(result.MetricKind, result.Profile, metric)),
            Timing = result.TimingSamples.Count < GatePolicy.MinimumTimingSamples ? null : new TimingBaseline(
                result.TimingSamples.Select(s => Math.Round(s, 4)).ToList(),
                previous?.Timing?.Budget ?? GatePolicy.TimingBudget(deviceKind),
                Math.Round(result.MeanEpochSeconds, 4)),
            Allocation = AllocationOf(result, previous),
            Memory = result.Counters?.PeakResidentScope == RunCounters.ScopeRun && result.PeakResidentBytes is { } peak
                ? new MemoryBaseline(peak, previous?.Memory?.Budget ?? GatePolicy.MemoryBudget)
                : null,
            Recorded = new RecordedEnvironment(
                result.BackendVersion,
                result.Environment.Commit,
                result.Environment.Timestamp,
                result.Environment.Cpu,
                result.Environment.Threads,
                result.Environment.Os,
                result.Environment.Runtime,
                result.Epochs.Count,
                result.TrainSamples,
                result.ValidationSamples),
        };
    }

    /// <summary>The run's metric as a baseline records it, to four decimals.</summary>
    private static double RecordedMetric(RunResult result) => Math.Round(result.Metric, 4);

    /// <summary>The run's steady-state bytes per step, keeping a tolerance a reviewer set; null when the run has no counters.</summary>
    private static AllocationBaseline? AllocationOf(RunResult result, BaselineEntry? previous) =>
        result.SteadyStateAllocatedBytesPerStep is { } bytes
            ? new AllocationBaseline(Math.Round(bytes, 1), previous?.Allocation?.Tolerance ?? GatePolicy.AllocationTolerance(bytes))
            : null;

    /// <summary>
    /// Records only the allocation figure of each result into an existing entry, leaving its metric, timing, memory and
    /// recorded environment as they are: allocations do not depend on the machine's speed, so a run on one machine may
    /// supply them for another device's entry (<paramref name="intoDevice"/>) without touching that device's timings. The
    /// entry must exist, have the same thread count (a worker pool's size could change what a step allocates) and the
    /// same data. All or nothing, like <see cref="Accept"/>.
    /// </summary>
    public static IReadOnlyList<BaselineChange> AcceptAllocations(string directory, IEnumerable<RunResult> results, string? intoDevice = null, Action<string>? log = null) =>
        AcceptFigure(directory, results, intoDevice, log, "allocation",
            result => result.SteadyStateAllocatedBytesPerStep is null ? "records no allocation counters" : null,
            (previous, result) => previous with { Allocation = AllocationOf(result, previous) });

    /// <summary>
    /// Records only the metric (validation accuracy or training loss) of each result into an existing entry, keeping the
    /// tolerance a reviewer set and leaving timing, allocation, memory and the recorded environment as they are. The gate
    /// already compares a device without an entry against another device's metric (accuracy does not depend on the device),
    /// so when a change moves a workload's training trajectory on purpose, a run on one machine may re-record the metric of
    /// another device's entry (<paramref name="intoDevice"/>). Same checks as <see cref="AcceptAllocations"/>, and the
    /// metric must be of the same kind.
    /// </summary>
    public static IReadOnlyList<BaselineChange> AcceptMetrics(string directory, IEnumerable<RunResult> results, string? intoDevice = null, Action<string>? log = null) =>
        AcceptFigure(directory, results, intoDevice, log, "metric", _ => null,
            (previous, result) =>
            {
                if (result.MetricKind != previous.Metric.Kind)
                    throw new InvalidDataException($"{result.Key}: measures {result.MetricKind}, the entry {previous.Key} {previous.Metric.Kind}; nothing was accepted.");
                return previous with { Metric = previous.Metric with { Value = RecordedMetric(result) } };
            });

    private static IReadOnlyList<BaselineChange> AcceptFigure(string directory, IEnumerable<RunResult> results, string? intoDevice, Action<string>? log,
        string figure, Func<RunResult, string?> missing, Func<BaselineEntry, RunResult, BaselineEntry> update)
    {
        var accepted = results.ToList();
        foreach (var result in accepted)
        {
            if (ResultRules.Problem(result) is { } problem) throw new InvalidDataException($"result {result.Key}: {problem}; nothing was accepted.");
            if (missing(result) is { } reason) throw new InvalidDataException($"result {result.Key}: {reason}; nothing was accepted.");
        }
        var schema = BaselineStore.LoadSchema(directory);
        using var held = BaselineLock.Acquire(directory, waiting: log);

        var changes = new List<BaselineChange>();
        var writes = new List<(string Path, string Text)>();
        foreach (var group in accepted.GroupBy(r => intoDevice ?? r.Device).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var deviceKey = DeviceKey.Parse(group.Key);
            var path = BaselineStore.PathFor(directory, deviceKey.ToString());
            if (!File.Exists(path)) throw new InvalidDataException($"{path}: no baseline file for {deviceKey}; {figure} figures go into existing entries only. Nothing was accepted.");
            var file = BaselineStore.ReadFile(path, schema);
            var entries = file.Entries.ToDictionary(e => e.Key);
            foreach (var result in group)
            {
                var key = $"{result.Workload}/{result.Backend}/{result.Profile.Name()}";
                if (!entries.TryGetValue(key, out var previous) || previous.Historical is not null)
                    throw new InvalidDataException($"{path}: no measured entry {key} to add the {figure} of {result.Key} to; nothing was accepted.");
                if (deviceKey.Kind == DeviceKind.Cpu && deviceKey.Threads != result.Environment.Threads)
                    throw new InvalidDataException($"{result.Key}: ran on {result.Environment.Threads} threads, {deviceKey} has {deviceKey.Threads}; nothing was accepted.");
                if (previous.Data is { } data && (data.Name != result.Data.Name || data.Checksum != result.Data.Checksum))
                    throw new InvalidDataException($"{result.Key}: trained on {result.Data.Name}, the entry {key} of {deviceKey} on {data.Name}; nothing was accepted.");
                var entry = update(previous, result);
                entries[key] = entry;
                changes.Add(DescribeFigures(group.Key, key, previous, entry));
            }
            var text = Serialize(file with { Entries = entries.Values.OrderBy(e => e.Key, StringComparer.Ordinal).ToList() });
            try
            {
                BaselineStore.Parse(path, text, schema);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"Refusing to write a baseline the gate would reject; nothing was accepted. {e.Message}", e);
            }
            if (File.ReadAllText(path) != text) writes.Add((path, text));
        }
        foreach (var (path, text) in writes) AtomicFile.WriteAllText(path, text);
        return changes;
    }

    private static BaselineChange Describe(string device, string key, BaselineEntry? before, BaselineEntry after, RunResult result)
    {
        var change = DescribeFigures(device, key, before, after);
        return after.Timing is null
            ? change with { Summary = $"{change.Summary}; no timing recorded: the run has {result.TimingSamples.Count} timing samples, the gate needs {GatePolicy.MinimumTimingSamples}" }
            : change;
    }

    private static BaselineChange DescribeFigures(string device, string key, BaselineEntry? before, BaselineEntry after)
    {
        if (before is null)
            return new BaselineChange(device, key, ChangeKind.Added,
                after.Timing is null ? $"metric {after.Metric.Value:0.0000}" : $"metric {after.Metric.Value:0.0000}, median {Comparison.Median(after.Timing.Samples):0.000} s/epoch");
        if (Serialize(Wrap(before)) == Serialize(Wrap(after)))
            return new BaselineChange(device, key, ChangeKind.Unchanged, "no change");
        var parts = new List<string>();
        if (before.Metric.Value != after.Metric.Value) parts.Add($"metric {before.Metric.Value:0.0000} → {after.Metric.Value:0.0000}");
        double oldMedian = before.Timing is { Samples.Count: > 0 } t ? Comparison.Median(t.Samples) : double.NaN;
        double newMedian = after.Timing is { } timing ? Comparison.Median(timing.Samples) : double.NaN;
        if (oldMedian != newMedian && !(double.IsNaN(oldMedian) && double.IsNaN(newMedian)))
            parts.Add(double.IsNaN(oldMedian) ? $"timing recorded: median {newMedian:0.000} s/epoch"
                : double.IsNaN(newMedian) ? $"timing dropped (median was {oldMedian:0.000} s/epoch)"
                : $"median {oldMedian:0.000} → {newMedian:0.000} s/epoch ({(newMedian / oldMedian - 1) * 100:+0.0;-0.0}%)");
        if (before.Allocation?.BytesPerStep != after.Allocation?.BytesPerStep)
            parts.Add($"allocation {AllocationText(before.Allocation)} → {AllocationText(after.Allocation)} bytes/step");
        if (before.Data != after.Data) parts.Add($"data {before.Data?.Name ?? "?"} → {after.Data!.Name}");
        if (parts.Count == 0) parts.Add("environment or samples updated");
        return new BaselineChange(device, key, ChangeKind.Updated, string.Join(", ", parts));
    }

    private static string AllocationText(AllocationBaseline? allocation) =>
        allocation is null ? "none" : allocation.BytesPerStep.ToString("#,0.#", System.Globalization.CultureInfo.InvariantCulture);

    // Stryker disable once String : the wrapper's device only lets two entries be serialized alike for comparison; any text does
    private static BaselineFile Wrap(BaselineEntry entry) => new() { Device = new BaselineDevice("x", "cpu", "x"), Entries = [entry] };
}
