using System.Text.Json.Serialization;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Baselines;

/// <summary>
/// One reviewed file in baselines/: every expected figure for one device, keyed workload × backend × profile.
/// Its shape is baselines/baseline.schema.json; files are written sorted and indented so a diff is reviewable.
/// </summary>
public sealed record BaselineFile
{
    public const int CurrentFormat = 1;

    [JsonPropertyName("$schema")]
    public string Schema { get; init; } = "./baseline.schema.json";

    public int Format { get; init; } = CurrentFormat;
    public required BaselineDevice Device { get; init; }
    public required IReadOnlyList<BaselineEntry> Entries { get; init; }
}

/// <param name="Key">The device key the file is named after ("cpu-amd-epyc-2t", "h100-80gb").</param>
/// <param name="Kind">"cpu" or "gpu".</param>
public sealed record BaselineDevice(string Key, string Kind, string Name);

/// <summary>Marks an entry PerfTests did not measure (the 2017 seed's rows): reports show it, the gate never asserts it.</summary>
public sealed record HistoricalSource(string Source, string Note);

public sealed record BaselineEntry
{
    public required string Workload { get; init; }
    public required string Backend { get; init; }
    public required RunProfile Profile { get; init; }
    /// <summary>The data the figures were measured on; a run on other data is not comparable.</summary>
    public DataReference? Data { get; init; }
    public required MetricBaseline Metric { get; init; }
    public TimingBaseline? Timing { get; init; }
    /// <summary>Managed bytes per training step: the same on every machine, so the gate checks it on any device.</summary>
    public AllocationBaseline? Allocation { get; init; }
    /// <summary>Peak resident memory of the run on this device.</summary>
    public MemoryBaseline? Memory { get; init; }
    public RecordedEnvironment? Recorded { get; init; }
    public HistoricalSource? Historical { get; init; }

    [JsonIgnore]
    public string Key => $"{Workload}/{Backend}/{Profile.Name()}";
}

public sealed record DataReference(string Name, string Checksum);

/// <param name="Value">Expected metric after the last epoch.</param>
/// <param name="Tolerance">How far worse the metric may be before the gate fails (absolute); null on historical rows.</param>
public sealed record MetricBaseline(MetricKind Kind, double Value, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Tolerance);

/// <param name="Samples">Training seconds per epoch, one per timed segment of the steady-state epochs (Trainer.TimingSegments per epoch).</param>
/// <param name="Budget">Largest allowed slowdown, as a ratio of medians (1.5 = 50% slower).</param>
/// <param name="SecondsPerEpoch">Mean wall seconds per epoch including validation (the seed's figure), for reports.</param>
public sealed record TimingBaseline(
    IReadOnlyList<double> Samples,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Budget,
    double SecondsPerEpoch);

/// <param name="BytesPerStep">Managed bytes one steady-state training step allocates, on all threads (mean over the steps).</param>
/// <param name="Tolerance">Bytes per step above <paramref name="BytesPerStep"/> the gate allows (absolute).</param>
public sealed record AllocationBaseline(double BytesPerStep, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Tolerance);

/// <param name="PeakResidentBytes">The run's peak resident memory (VmHWM since the run began).</param>
/// <param name="Budget">Largest allowed growth, as a ratio (1.5 = 50% more).</param>
public sealed record MemoryBaseline(long PeakResidentBytes, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Budget);

public sealed record RecordedEnvironment(
    string BackendVersion,
    string? Commit,
    DateTimeOffset Date,
    string Cpu,
    int Threads,
    string Os,
    string Runtime,
    int Epochs,
    int TrainSamples,
    int ValidationSamples);
