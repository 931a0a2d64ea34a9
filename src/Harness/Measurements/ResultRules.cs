using System.Globalization;
using PerfTests.Harness.Backends;
using PerfTests.Harness.Devices;
using PerfTests.Harness.Workloads;
using PerfTests.Harness.Training;

namespace PerfTests.Harness.Measurements;

/// <summary>
/// What a result must satisfy beyond its JSON shape, checked on every read and before a result becomes a baseline:
/// names the harness knows (they become file names and baseline keys), and only numbers a run can produce.
/// Each problem names the field, as a JSON path.
/// </summary>
public static class ResultRules
{
    public static string? Problem(RunResult result)
    {
        (string Name, object? Value)[] required =
        [
            ("workload", result.Workload), ("backend", result.Backend), ("backendVersion", result.BackendVersion),
            ("device", result.Device), ("data", result.Data), ("epochs", result.Epochs), ("environment", result.Environment),
        ];
        var missing = required.Where(r => r.Value is null || r.Value is string { Length: 0 }).Select(r => r.Name).ToList();
        if (missing.Count > 0) return $"{string.Join(", ", missing)} missing or empty";

        if (WorkloadCatalog.All.FirstOrDefault(w => w.Name == result.Workload) is not { } workload)
            return $"workload: unknown workload '{result.Workload}' (known: {string.Join(", ", WorkloadCatalog.All.Select(w => w.Name))})";
        if (!BackendRegistry.Names.Contains(result.Backend, StringComparer.Ordinal))
            return $"backend: unknown backend '{result.Backend}' (known: {string.Join(", ", BackendRegistry.Names)})";
        if (!DeviceKey.TryParse(result.Device, out _, out var deviceError)) return $"device: {deviceError}";
        if (!Enum.IsDefined(result.Profile)) return $"profile: {result.Profile} is not smoke, ci or full";
        if (result.MetricKind != workload.Metric) return $"metricKind: {result.MetricKind}, but {workload.Name} measures {workload.Metric}";
        if (result.Data.Name is not { Length: > 0 } || result.Data.Checksum is not { Length: > 0 }) return "data: name and checksum are required";
        if (result.TrainSamples < 1) return $"trainSamples: {result.TrainSamples}, must be at least 1";
        if (result.ValidationSamples < 0) return $"validationSamples: {result.ValidationSamples}, must not be negative";
        if (result.ParameterCount < 1) return $"parameterCount: {result.ParameterCount}, must be at least 1";
        if (result.Environment.Threads < 0) return $"environment.threads: {result.Environment.Threads}, must not be negative";

        if (result.Compute is { } compute && ComputeProblem(compute) is { } computeProblem) return $"compute.{computeProblem}";
        if (result.Counters is { } counters && CountersProblem(counters) is { } countersProblem) return $"counters.{countersProblem}";

        if (result.Epochs.Count == 0) return "epochs: a result with no epochs";
        for (int i = 0; i < result.Epochs.Count; i++)
        {
            if (EpochProblem(result.Epochs[i]) is { } problem) return $"epochs[{i}].{problem}";
        }
        return null;
    }

    private static string? EpochProblem(EpochMeasurement? epoch)
    {
        if (epoch is null) return "(entry) is null";
        (string Name, double Value)[] nonNegative =
        [
            ("validationAccuracy", epoch.ValidationAccuracy), ("trainLoss", epoch.TrainLoss), ("validationLoss", epoch.ValidationLoss),
            ("seconds", epoch.Seconds), ("trainSeconds", epoch.TrainSeconds),
        ];
        foreach (var (name, value) in nonNegative)
        {
            if (!double.IsFinite(value)) return $"{name} is {F(value)}, not a finite number";
            if (value < 0) return $"{name} is {F(value)}, must not be negative";
        }
        if (epoch.ValidationAccuracy > 1) return $"validationAccuracy is {F(epoch.ValidationAccuracy)}, outside [0, 1]";
        var samples = epoch.TrainSecondsSamples ?? [];
        for (int i = 0; i < samples.Count; i++)
        {
            // A timed segment takes time: a zero, negative or infinite sample is a corrupt file, and the baseline schema refuses it.
            if (!double.IsFinite(samples[i]) || samples[i] <= 0) return $"trainSecondsSamples[{i}] is {F(samples[i])}, must be positive";
        }
        if (epoch.Epoch < 1) return $"epoch is {epoch.Epoch}, must be at least 1";
        foreach (var (name, value) in new[] { ("gflops", epoch.Gflops), ("percentOfPeak", epoch.PercentOfPeak) })
        {
            if (value is { } v && (!double.IsFinite(v) || v < 0)) return $"{name} is {F(v)}, must be a finite number, not negative";
        }
        if (epoch.Counters is { } c)
        {
            (string Name, long Value)[] counts =
            [
                ("steps", c.Steps), ("allocatedBytes", c.AllocatedBytes), ("gen0Collections", c.Gen0Collections),
                ("gen1Collections", c.Gen1Collections), ("gen2Collections", c.Gen2Collections), ("peakResidentBytes", c.PeakResidentBytes ?? 0),
            ];
            foreach (var (name, value) in counts)
            {
                if (value < 0) return $"counters.{name} is {value}, must not be negative";
            }
        }
        return null;
    }

    private static string? ComputeProblem(ComputeCost compute)
    {
        if (compute.FlopsPerSample < 1) return $"flopsPerSample is {compute.FlopsPerSample}, must be at least 1";
        if (compute.OptimizerFlopsPerStep < 0) return $"optimizerFlopsPerStep is {compute.OptimizerFlopsPerStep}, must not be negative";
        if (compute.FlopsPerStep < compute.FlopsPerSample) return $"flopsPerStep is {compute.FlopsPerStep}, less than one sample's {compute.FlopsPerSample}";
        if (compute.PeakGflops is { } peak && (!double.IsFinite(peak) || peak <= 0)) return $"peakGflops is {F(peak)}, must be positive";
        if (compute.PeakSource is not { Length: > 0 }) return "peakSource is missing: say where the peak comes from, or why there is none";
        return null;
    }

    private static string? CountersProblem(RunCounters counters)
    {
        string[] scopes = [RunCounters.ScopeRun, RunCounters.ScopeProcess, RunCounters.ScopeUnavailable];
        if (!scopes.Contains(counters.PeakResidentScope)) return $"peakResidentScope is '{counters.PeakResidentScope}', not one of {string.Join(", ", scopes)}";
        if (counters.PeakResidentScope != RunCounters.ScopeRun && counters.PeakResidentNote is not { Length: > 0 })
            return "peakResidentNote is missing: a peak not taken over the run must say why";
        if (counters.DevicePeakAllocatedBytes is < 0) return $"devicePeakAllocatedBytes is {counters.DevicePeakAllocatedBytes}, must not be negative";
        return null;
    }

    private static string F(double value) => value.ToString(CultureInfo.InvariantCulture);
}
