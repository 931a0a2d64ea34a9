using PerfTests.Harness.Baselines;
using PerfTests.Harness.Measurements;

namespace PerfTests.Harness.Reports;

/// <param name="Results">A result file, or a folder searched recursively for them.</param>
/// <param name="Baselines">Folder whose historical entries become the historical rows; null leaves them out.</param>
/// <param name="StepSummary">A file the Markdown is appended to ($GITHUB_STEP_SUMMARY in GitHub Actions).</param>
public sealed record ReportOptions(
    string Results,
    string? Baselines = null,
    string? Markdown = null,
    string? Json = null,
    string? Csv = null,
    string? Charts = null,
    string? StepSummary = null,
    IReadOnlyList<string>? Notes = null);

/// <param name="Written">Every file written, in order.</param>
public sealed record ReportOutput(ReportModel Model, string Markdown, IReadOnlyList<string> Written);

/// <summary>Reads results, builds the report and writes each requested output. A malformed result file is an error naming it.</summary>
public static class ReportGenerator
{
    public static ReportOutput Generate(ReportOptions options)
    {
        // A report written into the results folder must not be read back as a malformed result next time.
        var ownOutputs = new[] { options.Json, options.Markdown, options.Csv }.OfType<string>().Select(Path.GetFullPath).ToHashSet();
        var results = ResultFiles.ReadAll(options.Results, ownOutputs);
        if (results.Count == 0) throw new InvalidDataException($"{options.Results}: no result files (*.json) found.");
        var historical = options.Baselines is null ? [] : HistoricalFigures.From(BaselineStore.Load(options.Baselines));
        var model = ReportBuilder.Build(results, historical, options.Notes);
        var markdown = MarkdownReport.Render(model);

        // Every text is rendered before the first file is written: a failure leaves no report half written.
        var texts = new List<(string Path, string Text)>();
        // The Markdown file links the charts when both are written; stdout and the step summary cannot show local images.
        if (options.Markdown is { } markdownPath)
            texts.Add((markdownPath, options.Charts is { } charts ? MarkdownReport.Render(model, ChartsRelativeTo(markdownPath, charts)) : markdown));
        if (options.Json is { } jsonPath) texts.Add((jsonPath, JsonReport.Render(model)));
        if (options.Csv is { } csvPath) texts.Add((csvPath, CsvReport.Render(CsvReport.Rows(results))));
        var written = texts.Select(t => Write(t.Path, t.Text)).ToList();
        if (options.Charts is { } chartsDirectory) written.AddRange(ReportCharts.Write(model, chartsDirectory));
        if (options.StepSummary is { } summaryPath)
        {
            // Appended, not replaced: other steps of the same job write to the same summary.
            File.AppendAllText(summaryPath, markdown + "\n");
            written.Add(summaryPath);
        }
        return new ReportOutput(model, markdown, written);
    }

    private static string ChartsRelativeTo(string markdownPath, string chartsDirectory) =>
        Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(markdownPath))!, Path.GetFullPath(chartsDirectory));

    private static string Write(string path, string content)
    {
        AtomicFile.WriteAllText(path, content);
        return path;
    }
}
