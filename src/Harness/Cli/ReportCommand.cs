using System.ComponentModel;
using PerfTests.Harness.Baselines;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Reports;
using Spectre.Console.Cli;

namespace PerfTests.Harness.Cli;

public sealed class ReportSettings : CommandSettings
{
    public const string StepSummaryVariable = "GITHUB_STEP_SUMMARY";

    [CommandArgument(0, "<RESULTS>")]
    [Description("Folder of result JSON files (searched recursively), or one file.")]
    public string Results { get; init; } = "";

    [CommandOption("-o|--out <FILE>")]
    [Description("Write the Markdown report to FILE instead of standard output.")]
    public string? Out { get; init; }

    [CommandOption("--json <FILE>")]
    [Description("Also write the report's tables and series as JSON.")]
    public string? Json { get; init; }

    [CommandOption("--csv <FILE>")]
    [Description("Also write one CSV row per epoch of every run.")]
    public string? Csv { get; init; }

    [CommandOption("--charts <DIR>")]
    [Description("Also draw PNG and SVG charts per workload into DIR.")]
    public string? Charts { get; init; }

    [CommandOption("--baselines <DIR>")]
    [Description("Baselines folder for the historical rows (default: $PERFTESTS_BASELINES or baselines/ beside PerfTests.sln; left out if none).")]
    public string? Baselines { get; init; }
}

/// <summary>report: the seed's tables for a folder of results, with the 2017 rows beside ours; Markdown, JSON, CSV, charts.</summary>
public sealed class ReportCommand : Command<ReportSettings>
{
    public override int Execute(CommandContext context, ReportSettings settings, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        var baselines = settings.Baselines ?? FindBaselines();
        if (baselines is null) notes.Add("No baselines folder found: the historical rows are left out.");
        var stepSummary = Environment.GetEnvironmentVariable(ReportSettings.StepSummaryVariable);

        var outputs = new[] { ("--out", settings.Out), ("--json", settings.Json), ("--csv", settings.Csv) }
            .Where(o => o.Item2 is not null)
            .Select(o => Directory.Exists(o.Item2) ? $"{o.Item1} {o.Item2} is a folder; it must name a file."
                : OutputFolder.Problem(Path.GetDirectoryName(Path.GetFullPath(o.Item2!))!, $"the folder of {o.Item1}"))
            .Append(settings.Charts is { } charts ? OutputFolder.Problem(charts, "--charts") : null)
            .OfType<string>()
            .ToList();
        if (outputs.Count > 0)
        {
            foreach (var problem in outputs) Console.Error.WriteLine(problem);
            return ExitCodes.BadInput;
        }

        ReportOutput output;
        try
        {
            output = ReportGenerator.Generate(new ReportOptions(settings.Results, baselines, settings.Out, settings.Json, settings.Csv,
                settings.Charts, string.IsNullOrWhiteSpace(stepSummary) ? null : stepSummary, notes));
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(e.Message);
            return ExitCodes.BadInput;
        }

        // Standard output carries the Markdown alone (when no --out), so it can be redirected; the rest goes to stderr.
        if (settings.Out is null) Console.Out.Write(output.Markdown);
        foreach (var path in output.Written) Console.Error.WriteLine($"wrote {path}");
        return ExitCodes.Ok;
    }

    private static string? FindBaselines()
    {
        try
        {
            var directory = BaselineStore.DefaultDirectory(Directory.GetCurrentDirectory());
            return Directory.Exists(directory) ? directory : null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }
}
