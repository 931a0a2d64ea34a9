using System.ComponentModel;
using PerfTests.Harness.Data;
using PerfTests.Harness.Data.Acquisition;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PerfTests.Harness.Cli;

public class DatasetsSettings : CommandSettings
{
    [CommandOption("--cache <DIR>")]
    [Description("Cache folder; sets live in DIR/datasets/<set> (default: $PERFTESTS_CACHE, else $XDG_CACHE_HOME/perftests, else ~/.cache/perftests).")]
    public string? Cache { get; init; }

    internal string CacheDirectory => string.IsNullOrWhiteSpace(Cache) ? DataOptions.DefaultCacheDirectory() : Cache;

    internal static DownloadCatalog Catalog => DownloadCatalog.FromEnvironment();

}

public class DatasetsInspectSettings : DatasetsSettings
{
    [CommandOption("--data <DIR>")]
    [Description("Also look in a folder of real sets laid out as DIR/<set>/ (default: $PERFTESTS_DATA); it is searched before the cache.")]
    public string? Data { get; init; }

    /// <summary>Where sets are looked for, in the run's order: the data folder, then the cache.</summary>
    internal IReadOnlyList<string> Roots
    {
        get
        {
            var data = DataOptions.FromEnvironment(Data).DataDirectory;
            var cache = CacheLayout.DatasetsRoot(CacheDirectory);
            return data is null ? [cache] : [data, cache];
        }
    }
}

public sealed class DatasetsVerifySettings : DatasetsInspectSettings
{
    [CommandArgument(0, "[SET]")]
    [Description("A set (mnist, fashion-mnist, cifar10, imdb, nietzsche) or all (default).")]
    public string? Set { get; init; }

    public override ValidationResult Validate() => DatasetsFetchSettings.ValidateSetName(Set);
}

public sealed class DatasetsFetchSettings : DatasetsSettings
{
    [CommandArgument(0, "<SET>")]
    [Description("A set (mnist, fashion-mnist, cifar10, imdb, nietzsche) or all.")]
    public string Set { get; init; } = "";

    [CommandOption("--offline")]
    [Description("Do not download (also $PERFTESTS_OFFLINE=1): only check, and say which files to place where.")]
    public bool Offline { get; init; }

    [CommandOption("--with-optional")]
    [Description("Also fetch files no workload needs (IMDb's raw review archive, 84 MB).")]
    public bool WithOptional { get; init; }

    public override ValidationResult Validate() => ValidateSetName(Set);

    internal static ValidationResult ValidateSetName(string? set)
    {
        try
        {
            Catalog.Select(set);
            return ValidationResult.Success();
        }
        catch (ArgumentException e)
        {
            return ValidationResult.Error(e.Message);
        }
    }
}

/// <summary>datasets list: one row per set with its files, state, size and folder.</summary>
public sealed class DatasetsListCommand : AsyncCommand<DatasetsInspectSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DatasetsInspectSettings settings, CancellationToken cancellationToken)
    {
        PerfTestsApp.WidenWhenRedirected();
        var table = new Table();
        foreach (var header in new[] { "set", "files", "status", "size", "location" }) table.AddColumn(new TableColumn(header).NoWrap());
        foreach (var set in DatasetsSettings.Catalog.Sets)
        {
            var report = await DatasetAcquirer.CheckAsync(set, DatasetAcquirer.Locate(set, settings.Roots), cancellationToken);
            table.AddRow(
                Markup.Escape(set.Name),
                FilesText(set),
                $"[{Colour(report.State)}]{Markup.Escape(report.StateText)}[/]",
                Markup.Escape(SizeText(report)),
                Markup.Escape(report.Directory));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[grey]Fetch with: perftests datasets fetch <set|all>. List checks sizes and checksums; details per file: perftests datasets verify[/]");
        return 0;
    }

    private static string FilesText(DownloadableDataset set)
    {
        int optional = set.Files.Count(f => f.Optional);
        return optional == 0 ? $"{set.Files.Count}" : $"{set.Files.Count - optional} (+{optional} optional)";
    }

    private static string SizeText(SetReport report) =>
        report.State is SetState.Present or SetState.PresentUnverified ? Bytes.Format(report.BytesOnDisk)
        : report.ExpectedBytes is { } expected ? $"({Bytes.Format(expected)} to fetch)"
        : "unknown";

    internal static string Colour(SetState state) => state switch
    {
        SetState.Present => "green",
        SetState.PresentUnverified => "yellow",
        SetState.Corrupt => "red",
        _ => "grey",
    };
}

/// <summary>datasets verify: checks sizes and checksums of the files on disk; changes nothing.</summary>
public sealed class DatasetsVerifyCommand : AsyncCommand<DatasetsVerifySettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DatasetsVerifySettings settings, CancellationToken cancellationToken)
    {
        PerfTestsApp.WidenWhenRedirected();
        bool explicitSet = !string.IsNullOrWhiteSpace(settings.Set) && !settings.Set.Equals("all", StringComparison.OrdinalIgnoreCase);
        bool failed = false;
        foreach (var set in DatasetsSettings.Catalog.Select(settings.Set))
        {
            var report = await DatasetAcquirer.CheckAsync(set, DatasetAcquirer.Locate(set, settings.Roots), cancellationToken);
            AnsiConsole.MarkupLineInterpolated($"[bold]{set.Name}[/] in {report.Directory}: {report.StateText}");
            foreach (var check in report.Files)
            {
                if (check.State == FileState.Missing && (check.File.Optional || report.State == SetState.Missing)) continue;
                var (colour, label) = check.State switch
                {
                    FileState.Verified => ("green", "ok"),
                    FileState.Unverified => ("yellow", "unverified"),
                    FileState.Corrupt => ("red", "CORRUPT"),
                    _ => ("red", "MISSING"),
                };
                AnsiConsole.MarkupLine($"  [{colour}]{label,-10}[/] {Markup.Escape(check.File.Name)}: {Markup.Escape(check.Detail)}");
            }
            if (report.State is SetState.Missing or SetState.Incomplete or SetState.Corrupt)
                AnsiConsole.MarkupLineInterpolated($"  [grey]fetch (or repair) with: perftests datasets fetch {set.Name}[/]");
            failed |= report.State == SetState.Corrupt
                      || (explicitSet && report.State is SetState.Missing or SetState.Incomplete);
        }
        return failed ? 1 : 0;
    }
}

/// <summary>datasets fetch: downloads and verifies sets into the cache (resuming partial downloads), or explains what to place where.</summary>
public sealed class DatasetsFetchCommand : AsyncCommand<DatasetsFetchSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DatasetsFetchSettings settings, CancellationToken cancellationToken)
    {
        PerfTestsApp.WidenWhenRedirected();
        bool offline;
        try
        {
            offline = DatasetAcquirer.OfflineRequested(settings.Offline);
        }
        catch (ArgumentException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return ExitCodes.BadInput;
        }
        var acquirer = new DatasetAcquirer(DatasetsSettings.Catalog)
        {
            Log = line => AnsiConsole.MarkupLineInterpolated($"  [grey]{line}[/]"),
        };
        int failures = 0;
        foreach (var set in acquirer.Catalog.Select(settings.Set))
        {
            AnsiConsole.MarkupLineInterpolated($"[bold]{set.Name}[/]: {set.Title}");
            try
            {
                var report = await DownloadProgressDisplay.RunAsync(progress =>
                    acquirer.FetchAsync(set.Name, settings.CacheDirectory, offline, settings.WithOptional, progress, cancellationToken));
                AnsiConsole.MarkupLineInterpolated($"  [{DatasetsListCommand.Colour(report.State)}]{report.StateText}[/] in {report.Directory}");
                foreach (var unverified in report.Files.Where(f => f.State == FileState.Unverified))
                    AnsiConsole.MarkupLineInterpolated($"  [yellow]{unverified.File.Name}: {unverified.Detail}[/]");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failures++;
                AnsiConsole.MarkupLine("  [red]not fetched:[/]");
                // Unwrapped, so the URLs and paths stay whole for copying.
                Console.WriteLine(e.Message);
            }
        }
        return failures == 0 ? 0 : 1;
    }
}

/// <summary>
/// Download progress: a bar per file with size, rate and ETA in an interactive terminal; plain lines (every few
/// seconds, and when a file is done) when output is redirected, so CI logs stay readable.
/// </summary>
public static class DownloadProgressDisplay
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    public static async Task<T> RunAsync<T>(Func<IProgress<DownloadProgress>, Task<T>> work)
    {
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
        {
            return await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(),
                    new TransferSpeedColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var tasks = new Dictionary<string, ProgressTask>();
                    var progress = new SynchronousProgress<DownloadProgress>(p =>
                    {
                        lock (tasks)
                        {
                            if (!tasks.TryGetValue(p.File, out var task))
                                tasks[p.File] = task = context.AddTask(Markup.Escape(p.File), maxValue: Math.Max(1, p.TotalBytes ?? 1));
                            if (p.TotalBytes is { } total) task.MaxValue = Math.Max(1, total);
                            else task.IsIndeterminate = true;
                            task.Value = p.BytesReceived;
                            if (p.Completed)
                            {
                                task.IsIndeterminate = false;
                                task.Value = task.MaxValue;
                                task.StopTask();
                            }
                        }
                    });
                    return await work(progress);
                });
        }

        var lastLine = new Dictionary<string, DateTime>();
        var plain = new SynchronousProgress<DownloadProgress>(p =>
        {
            lock (lastLine)
            {
                var now = DateTime.UtcNow;
                if (!p.Completed && lastLine.TryGetValue(p.File, out var last) && now - last < PlainInterval) return;
                lastLine[p.File] = now;
            }
            Console.WriteLine(p.Completed ? $"  {p.File}: {Bytes.Format(p.BytesReceived)}, verified" : $"  {p.File}: {PlainLine(p)}");
        });
        return await work(plain);
    }

    private static string PlainLine(DownloadProgress p)
    {
        var parts = new List<string>
        {
            p.TotalBytes is { } total ? $"{Bytes.Format(p.BytesReceived)} of {Bytes.Format(total)} ({p.Fraction:P0})" : Bytes.Format(p.BytesReceived),
            $"{Bytes.Format((long)p.BytesPerSecond)}/s",
        };
        if (p.Remaining is { } remaining) parts.Add($"ETA {remaining:hh\\:mm\\:ss}");
        return string.Join(", ", parts);
    }
}

internal static class Bytes
{
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):F1} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):F1} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:F1} KiB",
        _ => $"{bytes} B",
    };
}
