using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PerfTests.Harness.Backends;
using PerfTests.Harness.Devices;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Baselines;

/// <summary>
/// What a baseline file must satisfy beyond baseline.schema.json: rules that need the harness's own lists (device-key
/// grammar, registered backends, workload metrics) or arithmetic the schema cannot do. Checked on every read and on
/// every file <see cref="BaselineUpdater"/> is about to write, so accept never writes what the gate would refuse.
/// </summary>
public static partial class BaselineRules
{
    public static string? Problem(string path, BaselineFile file)
    {
        if (!DeviceKey.TryParse(file.Device.Key, out var deviceKey, out var keyError)) return $"/device/key: {keyError}";
        if (file.Device.Kind != deviceKey.KindName)
            return $"/device/kind is '{file.Device.Kind}', but the key {deviceKey} is a {deviceKey.KindName} key.";
        var expectedName = file.Device.Key + ".json";
        if (System.IO.Path.GetFileName(path) != expectedName)
            return $"holds device '{file.Device.Key}', so it must be named {expectedName}.";
        var duplicate = file.Entries.GroupBy(e => e.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) return $"entry {duplicate.Key} appears {duplicate.Count()} times.";
        for (int i = 0; i < file.Entries.Count; i++)
        {
            if (EntryProblem(file.Entries[i]) is { } problem) return $"/entries/{i} ({file.Entries[i].Key}): {problem}";
        }
        return null;
    }

    private static string? EntryProblem(BaselineEntry entry)
    {
        if (WorkloadCatalog.All.FirstOrDefault(w => w.Name == entry.Workload) is not { } workload)
            return $"unknown workload '{entry.Workload}'.";
        if (entry.Metric.Kind != workload.Metric)
            return $"has metric {entry.Metric.Kind}, but the workload measures {workload.Metric}.";
        if (NonFinite(entry) is { } field) return $"{field} is not a finite number.";
        if (entry.Historical is not null) return null;

        // Measured entries are what the gate asserts: each rule below keeps a check from being switched off.
        if (!BackendRegistry.Names.Contains(entry.Backend, StringComparer.Ordinal))
            return $"unknown backend '{entry.Backend}' (known: {string.Join(", ", BackendRegistry.Names)}; only historical rows may name others).";
        if (entry.Metric.Tolerance is null) return "metric/tolerance is null; only historical rows have none.";
        if (entry.Metric.Kind == MetricKind.TrainingLoss && entry.Metric.Tolerance > entry.Metric.Value)
            return $"metric/tolerance {entry.Metric.Tolerance} is larger than the loss itself ({entry.Metric.Value}): the check could never fail.";
        if (entry.Allocation is { Tolerance: null }) return "allocation/tolerance is null; a measured allocation needs one.";
        if (entry.Memory is { Budget: null }) return "memory/budget is null; a measured peak needs one.";
        if (entry.Timing is { } timing)
        {
            if (timing.Budget is null) return "timing/budget is null; only historical rows have none.";
            if (timing.Samples.Count < GatePolicy.MinimumTimingSamples)
                return $"timing/samples holds {timing.Samples.Count} samples; the gate needs at least {GatePolicy.MinimumTimingSamples} to tell a slowdown from noise.";
        }
        return null;
    }

    private static string? NonFinite(BaselineEntry entry)
    {
        (string Name, double? Value)[] numbers =
        [
            ("metric/value", entry.Metric.Value), ("metric/tolerance", entry.Metric.Tolerance),
            ("timing/budget", entry.Timing?.Budget), ("timing/secondsPerEpoch", entry.Timing?.SecondsPerEpoch),
            ("allocation/bytesPerStep", entry.Allocation?.BytesPerStep), ("allocation/tolerance", entry.Allocation?.Tolerance),
            ("memory/budget", entry.Memory?.Budget),
            .. (entry.Timing?.Samples ?? []).Select((s, i) => ($"timing/samples/{i}", (double?)s)),
        ];
        return numbers.FirstOrDefault(n => n.Value is { } v && !double.IsFinite(v)).Name;
    }

    /// <summary>A JSON pointer ("/entries/0/recorded/date") for where System.Text.Json stopped ("$.entries[0].recorded.date").</summary>
    public static string Pointer(JsonException e)
    {
        if (e.Path is not { Length: > 0 } path) return e.LineNumber is { } line ? $"line {line + 1}, byte {e.BytePositionInLine + 1}" : "/";
        var pointer = new StringBuilder();
        foreach (Match part in PathPart().Matches(path))
        {
            var name = part.Groups["name"].Success ? part.Groups["name"].Value
                : part.Groups["quoted"].Success ? part.Groups["quoted"].Value
                : part.Groups["index"].Value;
            pointer.Append('/').Append(name.Replace("~", "~0").Replace("/", "~1"));
        }
        return pointer.Length == 0 ? "/" : pointer.ToString();
    }

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\['(?<quoted>[^']*)'\]|\[(?<index>\d+)\]")]
    private static partial Regex PathPart();
}
