using System.Globalization;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Reports;

/// <summary>
/// Builds the seed's two tables per workload: the metric after the last epoch (best of each column bold) and mean
/// seconds per epoch (fastest of each column bold, every other cell with its slowdown, "310.3 (3.1x)").
/// Rows are our backends, then the historical rows; columns are our device keys, then the historical ones.
/// </summary>
/// <remarks>
/// The best of a column is found among our rows and, separately, among the historical rows. A column shared by
/// both (a 2017 GTX 1080 Ti and one measured today) would otherwise rank 2017 software against today's, and a
/// "(40x)" that is really the distance between two eras would read like a backend's slowness.
/// </remarks>
public static class SeedTables
{
    public static ReportTable Metric(string workload, IReadOnlyList<RunResult> results, IReadOnlyList<HistoricalFigure>? historical = null)
    {
        var kind = results[0].MetricKind;
        return Build($"{workload}: {kind.Label()} after the last epoch", results, historical ?? [],
            r => r.Metric, h => h.Metric,
            (value, best) => new TableCell(FormatMetric(value), value, Bold: value == best),
            kind.HigherIsBetter());
    }

    /// <summary>Seconds per epoch; our cells also carry the run's steady-state share of the device's peak ("4.19 · 15%").</summary>
    public static ReportTable Seconds(string workload, IReadOnlyList<RunResult> results, IReadOnlyList<HistoricalFigure>? historical = null) =>
        Build($"{workload}: seconds per epoch (mean of all epochs) · % of the device's peak FLOP/s (steady state)", results, historical ?? [],
            r => r.MeanEpochSeconds, h => h.SecondsPerEpoch,
            (value, best) => value == best
                ? new TableCell(FormatSeconds(value), value, Bold: true, Slowdown: 1)
                : new TableCell($"{FormatSeconds(value)} ({FormatRatio(value / best)}x)", value, Slowdown: value / best),
            higherIsBetter: false,
            suffix: r => CostText.PercentOfPeak(r) is { Length: > 0 } percent ? $" · {percent}" : "");

    public static string FormatMetric(double value) => value.ToString("F4", CultureInfo.InvariantCulture);

    public static string FormatSeconds(double seconds) =>
        seconds.ToString(seconds >= 10 ? "F1" : seconds >= 1 ? "F2" : "F3", CultureInfo.InvariantCulture);

    public static string FormatRatio(double ratio) => ratio.ToString("F1", CultureInfo.InvariantCulture);

    private sealed record RowValues(string Label, string Backend, bool Historical, Dictionary<string, (double Value, DataKind Data, string Suffix)> ByDevice);

    /// <param name="suffix">Text after the value of our cells (after the data marker), e.g. the run's % of peak.</param>
    private static ReportTable Build(string title, IReadOnlyList<RunResult> results, IReadOnlyList<HistoricalFigure> historical,
        Func<RunResult, double> value, Func<HistoricalFigure, double?> historicalValue, Func<double, double, TableCell> cell, bool higherIsBetter,
        Func<RunResult, string>? suffix = null)
    {
        var ours = results.GroupBy(r => r.Backend).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new RowValues(g.Key, g.Key, false,
                g.GroupBy(r => r.Device).ToDictionary(d => d.Key, d => (value(d.Last()), DataKinds.Of(d.Last()), suffix?.Invoke(d.Last()) ?? ""))))
            .ToList();
        var theirs = historical.GroupBy(h => (h.Backend, h.Label)).OrderBy(g => g.Key.Backend, StringComparer.Ordinal)
            .Select(g => new RowValues(g.Key.Label, g.Key.Backend, true,
                g.Where(h => historicalValue(h) is not null).GroupBy(h => h.Device)
                    .ToDictionary(d => d.Key, d => (historicalValue(d.Last())!.Value, DataKind.Seed, ""))))
            .ToList();

        var columns = ours.SelectMany(r => r.ByDevice.Keys).Distinct().Order(StringComparer.Ordinal)
            .Concat(theirs.SelectMany(r => r.ByDevice.Keys).Distinct().Order(StringComparer.Ordinal))
            .Distinct()
            .ToList();

        return new ReportTable(title, columns, [.. Rows(ours), .. Rows(theirs)]);

        IEnumerable<ReportRow> Rows(List<RowValues> group)
        {
            var best = columns.ToDictionary(c => c, c =>
            {
                var values = group.Where(r => r.ByDevice.ContainsKey(c)).Select(r => r.ByDevice[c].Value).ToList();
                return values.Count == 0 ? double.NaN : higherIsBetter ? values.Max() : values.Min();
            });
            return group.Select(row => new ReportRow(row.Label, row.Backend, row.Historical, columns
                .Select(c => row.ByDevice.TryGetValue(c, out var v) ? Mark(cell(v.Value, best[c]), v.Data, v.Suffix) : TableCell.Empty)
                .ToList()));
        }
    }

    private static TableCell Mark(TableCell cell, DataKind data, string suffix) =>
        data == DataKind.Seed ? cell with { Text = cell.Text + suffix } : cell with { Text = cell.Text + data.Suffix() + suffix, Data = data };
}
