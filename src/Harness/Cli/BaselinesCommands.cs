using System.ComponentModel;
using PerfTests.Harness.Baselines;
using PerfTests.Harness.Measurements;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PerfTests.Harness.Cli;

public class BaselinesSettings : CommandSettings
{
    [CommandArgument(0, "<RESULTS>")]
    [Description("Result JSON files or folders (searched recursively), e.g. TestResults/perf.")]
    public string[] Results { get; init; } = [];

    [CommandOption("--baselines <DIR>")]
    [Description("Baselines folder (default: $PERFTESTS_BASELINES or baselines/ beside PerfTests.sln).")]
    public string? Baselines { get; init; }

    [CommandOption("--allocation-only")]
    [Description("accept: record only the results' allocation per step into existing entries; metric, timing and memory stay as they are.")]
    public bool AllocationOnly { get; init; }

    [CommandOption("--metric-only")]
    [Description("accept: record only the results' metric (accuracy or loss) into existing entries, keeping their tolerance; timing, allocation and memory stay as they are.")]
    public bool MetricOnly { get; init; }

    [CommandOption("--into <DEVICE>")]
    [Description("accept --allocation-only or --metric-only: the device key whose entries receive the figures (default: each result's own device).")]
    public string? Into { get; init; }

    internal string Directory => Baselines ?? BaselineStore.DefaultDirectory(System.IO.Directory.GetCurrentDirectory());

    internal IReadOnlyList<RunResult> ReadResults() => Results.SelectMany(ResultFiles.ReadAll).ToList();
}

/// <summary>baselines accept: turns results into reviewed baseline JSON, atomically, and prints what changed.</summary>
public sealed class BaselinesAcceptCommand : Command<BaselinesSettings>
{
    public override int Execute(CommandContext context, BaselinesSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            var results = settings.ReadResults();
            if (results.Count == 0)
            {
                AnsiConsole.MarkupLine("[red]No result files found.[/]");
                return ExitCodes.BadInput;
            }
            if (settings.AllocationOnly && settings.MetricOnly)
            {
                AnsiConsole.MarkupLine("[red]--allocation-only and --metric-only each record one figure: give one of them, or neither for a full accept.[/]");
                return ExitCodes.BadInput;
            }
            if (settings.Into is not null && !settings.AllocationOnly && !settings.MetricOnly)
            {
                AnsiConsole.MarkupLine("[red]--into is only for --allocation-only or --metric-only: a full accept files each result under its own device.[/]");
                return ExitCodes.BadInput;
            }
            Action<string> log = line => Console.Error.WriteLine(line);
            var changes = settings.AllocationOnly ? BaselineUpdater.AcceptAllocations(settings.Directory, results, settings.Into, log)
                : settings.MetricOnly ? BaselineUpdater.AcceptMetrics(settings.Directory, results, settings.Into, log)
                : BaselineUpdater.Accept(settings.Directory, results, log);
            foreach (var change in changes)
                AnsiConsole.MarkupLine($"{Colour(change.Kind)} {Markup.Escape($"{change.Device}/{change.Entry}: {change.Summary}")}");
            AnsiConsole.MarkupLineInterpolated(
                $"{changes.Count(c => c.Kind == ChangeKind.Added)} added, {changes.Count(c => c.Kind == ChangeKind.Updated)} updated, {changes.Count(c => c.Kind == ChangeKind.Unchanged)} unchanged in {settings.Directory}. Review with: git diff baselines/");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or InvalidOperationException or FormatException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return ExitCodes.BadInput;
        }
    }

    private static string Colour(ChangeKind kind) => kind switch
    {
        ChangeKind.Added => "[green]added    [/]",
        ChangeKind.Updated => "[yellow]updated  [/]",
        _ => "[grey]unchanged[/]",
    };
}

/// <summary>baselines check: the gate's verdict for existing results, without training.</summary>
public sealed class BaselinesCheckCommand : Command<BaselinesSettings>
{
    public override int Execute(CommandContext context, BaselinesSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            var store = BaselineStore.Load(settings.Directory);
            int failed = 0;
            foreach (var result in settings.ReadResults())
            {
                var entry = store.Find(result.Workload, result.Backend, result.Device, result.Profile);
                var reference = entry is null ? store.FindMetricReference(result.Workload, result.Backend, result.Profile, result.Device) : null;
                var verdict = Comparison.Compare(result, entry, reference, "dotnet run --project src/Harness -c Release -- baselines accept <result>",
                    store.FindAllocationReference(result.Workload, result.Backend, result.Profile, result.Device));
                if (!verdict.Passed) failed++;
                AnsiConsole.WriteLine(verdict.ToString());
            }
            return failed == 0 ? ExitCodes.Ok : ExitCodes.Failed;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return ExitCodes.BadInput;
        }
    }
}
