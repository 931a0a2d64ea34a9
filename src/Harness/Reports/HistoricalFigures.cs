using System.Text.RegularExpressions;
using PerfTests.Harness.Baselines;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Reports;

/// <summary>A figure PerfTests did not measure (the 2017 seed's rows), as a report shows it.</summary>
/// <param name="Label">Row header: the backend and the year of the source, "tensorflow (2017)".</param>
/// <param name="SecondsPerEpoch">Null when the source gave no time.</param>
public sealed record HistoricalFigure(
    string Workload,
    string Backend,
    string Device,
    RunProfile Profile,
    MetricKind MetricKind,
    double Metric,
    double? SecondsPerEpoch,
    string Label,
    string Source);

/// <summary>Reads the historical entries of baselines/*.json; the numbers live there only.</summary>
public static partial class HistoricalFigures
{
    public static IReadOnlyList<HistoricalFigure> From(BaselineStore store) =>
        store.Files
            .SelectMany(file => file.Entries
                .Where(e => e.Historical is not null)
                .Select(e => new HistoricalFigure(
                    e.Workload, e.Backend, file.Device.Key, e.Profile, e.Metric.Kind, e.Metric.Value, e.Timing?.SecondsPerEpoch,
                    $"{e.Backend} ({YearOf(e.Historical!.Source)})", e.Historical.Source)))
            .ToList();

    /// <summary>"Keras backend benchmark, 2017 (…)" → "2017"; "historical" when the source names no year.</summary>
    internal static string YearOf(string source) => Year().Match(source) is { Success: true } m ? m.Value : "historical";

    [GeneratedRegex(@"\b(19|20)\d{2}\b")]
    private static partial Regex Year();
}
