using System.Text;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Reports;

/// <summary>The report as Markdown in the seed's shape: per workload its two tables, conclusions, footnotes.</summary>
public static class MarkdownReport
{
    /// <param name="charts">Where the charts are, relative to the Markdown file; null when none were drawn.</param>
    public static string Render(ReportModel model, string? charts = null)
    {
        var text = new StringBuilder();
        text.Append("# PerfTests report\n\n");
        var runs = model.Sections.SelectMany(s => s.Runs).ToList();
        text.Append($"{runs.Count} runs of {Count(model.Sections.Select(s => s.Workload).Distinct().Count(), "workload")}; " +
                    $"backends: {string.Join(", ", runs.Select(r => r.Backend).Distinct().Order(StringComparer.Ordinal))}; " +
                    $"devices: {string.Join(", ", runs.Select(r => r.Device).Distinct().Order(StringComparer.Ordinal))}; " +
                    $"profiles: {string.Join(", ", model.Sections.Select(s => s.Profile.Name()).Distinct())}. " +
                    "Seconds per epoch are the mean over all epochs, including the warm-up epoch and each epoch's validation pass (the seed's figure).\n\n");
        foreach (var note in model.Notes) text.Append($"> {note}\n\n");

        foreach (var section in model.Sections)
        {
            text.Append($"## {section.Workload}: {section.Title} (profile {section.Profile.Name()})\n\n");
            text.Append(MarkdownTable.Render(section.Metric)).Append('\n');
            text.Append(MarkdownTable.Render(section.Seconds)).Append('\n');
            foreach (var conclusion in section.Conclusions) text.Append($"- {conclusion}\n");
            if (section.Conclusions.Count > 0) text.Append('\n');
            foreach (var footnote in section.Footnotes) text.Append($"<sub>{footnote}</sub>\n\n");
            if (charts is not null)
            {
                var (seconds, timeToMetric) = ReportCharts.FileNames(section);
                text.Append($"![{section.Workload}: seconds per epoch]({ChartLink(charts, seconds)}) ")
                    .Append($"![{section.Workload}: {section.MetricKind.Label()} against wall time]({ChartLink(charts, timeToMetric)})\n\n");
            }
            foreach (var run in section.Runs.Where(r => r.SampleText is not null))
            {
                var fence = Fence(run.SampleText!);
                text.Append($"Sample text after training ({run.Label}, temperature 0.5):\n\n{fence}text\n{run.SampleText}\n{fence}\n\n");
            }
        }

        if (model.Machines.Count > 0)
        {
            text.Append("## Machines\n\n");
            text.Append("| backend | version | device | device name | CPU | threads | OS | runtime | commit |\n");
            text.Append("|---|---|---|---|---|---:|---|---|---|\n");
            foreach (var m in model.Machines)
                text.Append($"| {m.Backend} | {Escape(m.BackendVersion)} | {m.Device} | {Escape(m.DeviceName)} | {Escape(m.Cpu)} | {m.Threads} | " +
                            $"{Escape(m.Os)} | {Escape(m.Runtime)} | {m.Commit ?? ""} |\n");
        }
        return text.ToString();
    }

    /// <summary>A relative link to the SVG (sharp at any zoom), with '/' separators and spaces escaped as Markdown needs.</summary>
    private static string ChartLink(string directory, string name) =>
        $"{directory.Replace(Path.DirectorySeparatorChar, '/')}/{name}.svg".Replace(" ", "%20");

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
    private static string Escape(string cell) => cell.Replace("|", "\\|");

    /// <summary>A code fence longer than any run of backticks in the text, so generated text cannot close it.</summary>
    private static string Fence(string content)
    {
        int longest = 0, current = 0;
        foreach (var c in content)
        {
            current = c == '`' ? current + 1 : 0;
            longest = Math.Max(longest, current);
        }
        return new string('`', Math.Max(3, longest + 1));
    }
}
