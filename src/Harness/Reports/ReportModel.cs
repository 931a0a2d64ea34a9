using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Reports;

/// <summary>
/// Everything a report shows, computed once (<see cref="ReportBuilder"/>) and only read by the renderers
/// (Markdown, JSON, CSV, charts), so they cannot disagree.
/// </summary>
public sealed record ReportModel(
    IReadOnlyList<WorkloadSection> Sections,
    IReadOnlyList<MachineSummary> Machines,
    IReadOnlyList<string> Notes);

/// <summary>One workload at one profile: the seed's two tables, what they say, and the runs behind them.</summary>
public sealed record WorkloadSection(
    string Workload,
    string Title,
    RunProfile Profile,
    MetricKind MetricKind,
    ReportTable Metric,
    ReportTable Seconds,
    IReadOnlyList<string> Conclusions,
    IReadOnlyList<string> Footnotes,
    IReadOnlyList<RunSeries> Runs);

/// <summary>A table in the seed's shape: rows = backends (ours, then historical ones), columns = device keys.</summary>
public sealed record ReportTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<ReportRow> Rows);

/// <param name="Label">What the row header shows: the backend, or "tensorflow (2017)" for a historical row.</param>
/// <param name="Historical">A figure PerfTests did not measure (from the historical entries of baselines/).</param>
public sealed record ReportRow(string Label, string Backend, bool Historical, IReadOnlyList<TableCell> Cells);

/// <summary>One cell of a report table.</summary>
/// <param name="Text">As displayed: the number, "(2.3x)" for a slowdown, "†" for generated data, "‡" for a substitute data set.</param>
/// <param name="Bold">The best of its column among rows of the same kind (ours or historical).</param>
/// <param name="Slowdown">Seconds tables: this cell ÷ the fastest of its column (1 for the fastest).</param>
public sealed record TableCell(string Text, double? Value = null, bool Bold = false, double? Slowdown = null, DataKind Data = DataKind.Seed)
{
    public static TableCell Empty { get; } = new("");
}

/// <summary>One run's per-epoch path, for time-to-accuracy charts and the sample text.</summary>
public sealed record RunSeries(
    string Backend,
    string Device,
    string Data,
    DataKind DataKind,
    double MeanEpochSeconds,
    IReadOnlyList<EpochPoint> Epochs,
    string? SampleText)
{
    public string Label => LabelOf(Backend, Device);

    /// <summary>How reports name a run: "torchsharp on h100-80gb".</summary>
    public static string LabelOf(string backend, string device) => $"{backend} on {device}";
}

/// <param name="CumulativeSeconds">Wall time from the start of training to the end of this epoch.</param>
public sealed record EpochPoint(int Epoch, double Seconds, double CumulativeSeconds, double Metric);

/// <summary>Where one backend ran on one device: the header that makes a report reviewable.</summary>
public sealed record MachineSummary(
    string Backend,
    string BackendVersion,
    string Device,
    string DeviceName,
    string Cpu,
    int Threads,
    string Os,
    string Runtime,
    string? Commit);
