using System.Globalization;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Reports;

/// <summary>One cell of a report table; <see cref="Bold"/> marks the column's best.</summary>
public sealed record TableCell(string Text, bool Bold = false)
{
    public static TableCell Empty { get; } = new("");
}

/// <summary>A table in the seed's shape: rows = backends, columns = devices.</summary>
public sealed record ReportTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<(string Row, IReadOnlyList<TableCell> Cells)> Rows);

/// <summary>
/// Builds the seed's two tables per workload from results: the metric after the last epoch (best of each
/// column bold) and mean seconds per epoch (fastest of each column bold, others with their slowdown, "(3.1x)").
/// </summary>
public static class SeedTables
{
    public static ReportTable Metric(string workload, IReadOnlyList<RunResult> results)
    {
        var kind = results[0].MetricKind;
        return Build($"{workload}: {kind.Label()} after the last epoch", results,
            r => r.Metric,
            (value, best) => new TableCell(value.ToString("F4", CultureInfo.InvariantCulture), value == best),
            kind.HigherIsBetter());
    }

    public static ReportTable Seconds(string workload, IReadOnlyList<RunResult> results) =>
        Build($"{workload}: seconds per epoch (mean of all epochs)", results,
            r => r.MeanEpochSeconds,
            (value, best) => value == best
                ? new TableCell(Format(value), true)
                : new TableCell($"{Format(value)} ({(value / best).ToString("F1", CultureInfo.InvariantCulture)}x)"),
            higherIsBetter: false);

    private static string Format(double seconds) =>
        seconds.ToString(seconds >= 100 ? "F1" : seconds >= 1 ? "F2" : "F3", CultureInfo.InvariantCulture);

    private static ReportTable Build(string title, IReadOnlyList<RunResult> results, Func<RunResult, double> value,
        Func<double, double, TableCell> cell, bool higherIsBetter)
    {
        var columns = results.Select(r => r.Device).Distinct().Order(StringComparer.Ordinal).ToList();
        var rows = results.Select(r => r.Backend).Distinct().Order(StringComparer.Ordinal).ToList();
        var byCell = results.GroupBy(r => (r.Backend, r.Device)).ToDictionary(g => g.Key, g => value(g.Last()));
        var best = columns.ToDictionary(c => c, c =>
        {
            var values = rows.Where(r => byCell.ContainsKey((r, c))).Select(r => byCell[(r, c)]).ToList();
            return higherIsBetter ? values.Max() : values.Min();
        });
        return new ReportTable(title, columns, rows.Select(row => (row, (IReadOnlyList<TableCell>)columns
            .Select(c => byCell.TryGetValue((row, c), out var v) ? cell(v, best[c]) : TableCell.Empty).ToList())).ToList());
    }
}

public static class MarkdownTable
{
    public static string Render(ReportTable table, string rowHeader = "backend")
    {
        var lines = new List<string>
        {
            $"**{table.Title}**",
            "",
            $"| {rowHeader} | {string.Join(" | ", table.Columns)} |",
            $"|---|{string.Concat(table.Columns.Select(_ => "---|"))}",
        };
        foreach (var (row, cells) in table.Rows)
            lines.Add($"| {row} | {string.Join(" | ", cells.Select(c => c.Bold && c.Text.Length > 0 ? $"**{c.Text}**" : c.Text))} |");
        return string.Join('\n', lines) + "\n";
    }
}
