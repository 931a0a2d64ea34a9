using System.Globalization;
using PerfTests.Harness.Workloads;
using ScottPlot;

namespace PerfTests.Harness.Reports;

/// <summary>
/// Two charts per workload section, each as PNG and SVG: seconds per epoch per backend × device (bars, with the
/// historical rows of the seconds table), and the metric against cumulative wall time (time to accuracy), one line
/// per backend × device (historical figures have no per-epoch path).
/// </summary>
public static class ReportCharts
{
    public const int Width = 800;
    public const int Height = 500;

    /// <summary>Above this ratio of largest to smallest value an axis is logarithmic, or the small values vanish.</summary>
    public const double LogScaleRatio = 10;

    /// <summary>Writes every chart into <paramref name="directory"/>; returns the paths written.</summary>
    public static IReadOnlyList<string> Write(ReportModel model, string directory)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        foreach (var section in model.Sections)
        {
            var names = FileNames(section);
            written.AddRange(Save(SecondsChart(section), Path.Combine(directory, names.Seconds)));
            written.AddRange(Save(TimeToMetricChart(section), Path.Combine(directory, names.TimeToMetric)));
        }
        return written;
    }

    /// <summary>A section's two chart files, without the extension (each is written as .png and .svg).</summary>
    public static (string Seconds, string TimeToMetric) FileNames(WorkloadSection section)
    {
        var stem = $"{section.Workload}.{section.Profile.Name()}";
        return ($"{stem}.seconds-per-epoch", $"{stem}.time-to-{MetricSlug(section.MetricKind)}");
    }

    public static string MetricSlug(MetricKind kind) => kind == MetricKind.ValidationAccuracy ? "accuracy" : "loss";

    private static IEnumerable<string> Save(Plot plot, string pathWithoutExtension)
    {
        var png = pathWithoutExtension + ".png";
        var svg = pathWithoutExtension + ".svg";
        plot.SavePng(png, Width, Height);
        plot.SaveSvg(svg, Width, Height);
        return [png, svg];
    }

    /// <summary>
    /// The seconds table as bars: one group per device (the table's columns), one colour per row, so our backends and
    /// the historical rows (hatched, labelled with their year) read as the table does. Logarithmic when the values
    /// span more than <see cref="LogScaleRatio"/>.
    /// </summary>
    public static Plot SecondsChart(WorkloadSection section)
    {
        var plot = new Plot();
        var table = section.Seconds;
        var devices = table.Columns;
        var present = table.Rows.Select(row => row.Cells.Select(cell => cell.Value is > 0).ToArray()).ToList();
        var inGroup = Enumerable.Range(0, devices.Count).Select(d => present.Count(row => row[d])).ToArray();
        var values = table.Rows.SelectMany(row => row.Cells).Where(cell => cell.Value is > 0).Select(cell => cell.Value!.Value).ToList();
        bool log = SpansMoreThanLogScaleRatio(values);
        // On a log axis bars start at a power of ten at least half a decade below the smallest value, so the shortest
        // bar stays visible; plotted heights are log10(v) − floor, positive so that every value label sits above its bar.
        double floor = log ? Math.Floor(Math.Log10(values.Min()) - 0.5) : 0;

        // Every bar is as wide as in the fullest group; a group's bars sit side by side around its centre.
        const double groupWidth = 0.8;
        double barWidth = groupWidth / inGroup.Max();
        for (int r = 0; r < table.Rows.Count; r++)
        {
            var row = table.Rows[r];
            var color = Palette(r);
            var bars = new List<Bar>();
            for (int d = 0; d < devices.Count; d++)
            {
                if (!present[r][d]) continue;
                int slot = present.Take(r).Count(other => other[d]);
                double seconds = row.Cells[d].Value!.Value;
                bars.Add(new Bar
                {
                    Position = d + barWidth * (slot - (inGroup[d] - 1) / 2.0),
                    Value = log ? Math.Log10(seconds) - floor : seconds,
                    Size = barWidth * 0.9,
                    FillColor = row.Historical ? color.WithAlpha(0.45) : color,
                    FillHatch = row.Historical ? new ScottPlot.Hatches.Striped() : null,
                    FillHatchColor = color,
                    LineColor = color,
                    LineWidth = row.Historical ? 1 : 0,
                    Label = SeedTables.FormatSeconds(seconds) + row.Cells[d].Data.Suffix(),
                });
            }
            var plottable = plot.Add.Bars(bars);
            plottable.LegendText = row.Label;
            plottable.Color = row.Historical ? color.WithAlpha(0.45) : color;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            devices.Select((_, i) => (double)i).ToArray(), devices.ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Bottom.Label.Text = "device";
        plot.Axes.Left.Label.Text = log ? "seconds per epoch (log scale)" : "seconds per epoch";
        if (log) UseLogTicks(plot.Axes.Left, floor);
        // The legend sits in a band kept empty above the tallest bar.
        plot.Axes.Margins(bottom: 0, top: Math.Max(0.15, LegendMargin(table.Rows.Count, opposite: 0)));
        // At least 2.5 group widths wide, so a lone device's bars do not fill the whole chart.
        double center = (devices.Count - 1) / 2.0, halfWidth = Math.Max(devices.Count, 2.5) / 2;
        plot.Axes.SetLimitsX(center - halfWidth, center + halfWidth);
        plot.Title($"{section.Workload} ({section.Profile.Name()}): seconds per epoch, lower is better{DataNote(section)}");
        plot.ShowLegend(Alignment.UpperRight);
        Style(plot);
        return plot;
    }

    /// <summary>The metric after each epoch against the wall time spent so far: colour = backend (as in the bar chart), line and marker = device.</summary>
    public static Plot TimeToMetricChart(WorkloadSection section)
    {
        var plot = new Plot();
        var devices = section.Runs.Select(r => r.Device).Distinct().Order(StringComparer.Ordinal).ToList();
        var backends = section.Runs.Select(r => r.Backend).Distinct().Order(StringComparer.Ordinal).ToList();
        LinePattern[] patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];
        MarkerShape[] markers = [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond];
        var totals = section.Runs.Select(r => r.Epochs[^1].CumulativeSeconds).ToList();
        bool log = SpansMoreThanLogScaleRatio(totals);
        foreach (var run in section.Runs)
        {
            int device = devices.IndexOf(run.Device);
            var xs = run.Epochs.Select(e => log ? Math.Log10(e.CumulativeSeconds) : e.CumulativeSeconds).ToArray();
            var ys = run.Epochs.Select(e => e.Metric).ToArray();
            var line = plot.Add.Scatter(xs, ys, Palette(backends.IndexOf(run.Backend)));
            line.LegendText = run.Label + run.DataKind.Suffix();
            line.LineWidth = 2;
            line.LinePattern = patterns[device % patterns.Length];
            line.MarkerShape = markers[device % markers.Length];
            line.MarkerSize = 7;
        }

        var metric = section.MetricKind == MetricKind.ValidationAccuracy ? "validation accuracy" : "training loss";
        plot.Axes.Bottom.Label.Text = log ? "cumulative wall time, seconds (log scale)" : "cumulative wall time, seconds";
        if (log) UseLogTicks(plot.Axes.Bottom, 0);
        plot.Axes.Left.Label.Text = section.MetricKind.Label();
        plot.Title($"{section.Workload} ({section.Profile.Name()}): {metric} against wall time{DataNote(section)}");
        // The legend sits in a band kept empty below the lowest point.
        const double top = 0.05;
        plot.Axes.Margins(bottom: LegendMargin(section.Runs.Count, opposite: top), top: top);
        plot.ShowLegend(section.MetricKind.HigherIsBetter() ? Alignment.LowerRight : Alignment.LowerLeft);
        Style(plot);
        return plot;
    }

    private static bool SpansMoreThanLogScaleRatio(IReadOnlyCollection<double> values) =>
        values.Min() > 0 && values.Max() / values.Min() > LogScaleRatio;

    /// <summary>
    /// The margin (a fraction of the data range, as ScottPlot's margins are) that keeps a band free for a legend of
    /// <paramref name="entries"/> lines, about 22 px each of a ~400 px data area, given the <paramref name="opposite"/> margin:
    /// a band that is a share f of the view needs f(1 + opposite)/(1 − f).
    /// </summary>
    private static double LegendMargin(int entries, double opposite)
    {
        double band = Math.Min(0.6, (entries * 22 + 30) / 400.0);
        return band * (1 + opposite) / (1 - band);
    }

    /// <summary>Ticks at powers of ten for data plotted as log10(v) − <paramref name="offset"/>, labelled with v.</summary>
    private static void UseLogTicks(IAxis axis, double offset)
    {
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => Math.Pow(10, y + offset) is var v && v >= 1 ? v.ToString("#,0", CultureInfo.InvariantCulture) : v.ToString("G4", CultureInfo.InvariantCulture),
        };
    }

    private static void Style(Plot plot)
    {
        plot.Font.Set(Fonts.Sans);
        plot.Axes.Title.Label.FontSize = 16;
        plot.Axes.Left.Label.FontSize = 14;
        plot.Axes.Bottom.Label.FontSize = 14;
        plot.Axes.Left.TickLabelStyle.FontSize = 12;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 12;
        plot.Legend.FontSize = 12;
    }

    private static string DataNote(WorkloadSection section)
    {
        var notes = new List<string>();
        if (section.Runs.Any(r => r.DataKind == DataKind.Generated)) notes.Add($"{DataKind.Generated.Marker()} generated data");
        if (section.Runs.Any(r => r.DataKind == DataKind.Substitute)) notes.Add($"{DataKind.Substitute.Marker()} substitute data set");
        return notes.Count == 0 ? "" : $" ({string.Join(", ", notes)})";
    }

    private static Color Palette(int index) => new ScottPlot.Palettes.Category10().GetColor(index);
}
