using PerfTests.Harness.Devices;
using System.ComponentModel;
using PerfTests.Harness.Backends;
using PerfTests.Harness.Data;
using PerfTests.Harness.Data.Acquisition;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Reports;
using PerfTests.Harness.Training;
using PerfTests.Harness.Workloads;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PerfTests.Harness.Cli;

public sealed class RunSettings : CommandSettings
{
    [CommandOption("-b|--backend <NAME>")]
    [Description("Backend(s): torchsharp, managed, or all. Repeatable.")]
    public string[] Backends { get; init; } = ["torchsharp"];

    [CommandOption("-w|--workload <NAME>")]
    [Description("Workload(s) by name, or all. Repeatable.")]
    public string[] Workloads { get; init; } = ["all"];

    [CommandOption("-p|--profile <PROFILE>")]
    [Description("smoke (seconds), ci (minutes) or full (the seed's schedule).")]
    [DefaultValue("ci")]
    public string Profile { get; init; } = "ci";

    [CommandOption("-d|--device <DEVICE>")]
    [Description("cpu, cuda or cuda:N.")]
    [DefaultValue("cpu")]
    public string Device { get; init; } = "cpu";

    [CommandOption("--data <DIR>")]
    [Description("Folder with real data sets (else $PERFTESTS_DATA, the cache, or generated stand-ins).")]
    public string? Data { get; init; }

    [CommandOption("--real-data-only")]
    [Description("Fail instead of training on a generated stand-in when a real set is missing.")]
    public bool RealDataOnly { get; init; }

    [CommandOption("--offline")]
    [Description("Never download a missing data set (also: $PERFTESTS_OFFLINE=1); use what is on disk or a generated stand-in.")]
    public bool Offline { get; init; }

    [CommandOption("-e|--epochs <N>")]
    [Description("Override the profile's epoch count (1 to 1000).")]
    public int? Epochs { get; init; }

    /// <summary>Ten times the longest schedule (the seed's 20): beyond it a typo, not a benchmark.</summary>
    public const int MaximumEpochs = 1000;

    [CommandOption("--samples <N>")]
    [Description("Train and validate on at most N samples of each of the profile's splits: a shorter timing stretch of the same model (the paired gate's processes use it). Such a result is never a baseline.")]
    public int? Samples { get; init; }

    [CommandOption("--seed <N>")]
    [DefaultValue(RunRequest.DefaultSeed)]
    public int Seed { get; init; } = RunRequest.DefaultSeed;

    [CommandOption("--threads <N>")]
    [Description("CPU threads for the backend, 1 to the logical core count (default: all logical cores).")]
    public int? Threads { get; init; }

    [CommandOption("-o|--out <DIR>")]
    [Description("Write one JSON result per run into DIR.")]
    public string? Out { get; init; }

    public override ValidationResult Validate()
    {
        if (!Enum.TryParse<RunProfile>(Profile, ignoreCase: true, out _))
            return ValidationResult.Error($"Unknown profile '{Profile}': use smoke, ci or full.");
        if (Epochs is < 1 or > MaximumEpochs) return ValidationResult.Error($"--epochs {Epochs} is out of range: use 1 to {MaximumEpochs}.");
        if (Samples is < 1) return ValidationResult.Error($"--samples {Samples} is out of range: use at least 1 (a batch or more, so that an epoch has steps to time).");
        // More threads than cores only slows the run (and names a device key no machine has); fewer than one means nothing.
        if (Threads is { } threads && (threads < 1 || threads > Environment.ProcessorCount))
            return ValidationResult.Error($"--threads {threads} is out of range: this machine has {Environment.ProcessorCount} logical cores, use 1 to {Environment.ProcessorCount}.");
        if (Data is { } data && DataFolderProblem(data, "--data") is { } problem) return ValidationResult.Error(problem);
        if (Out is { } output && File.Exists(output)) return ValidationResult.Error($"--out {output} is a file; it must be a folder (one JSON result per run is written into it).");
        return ValidationResult.Success();
    }

    internal static string? DataFolderProblem(string folder, string what) =>
        File.Exists(folder) ? $"{what} {folder} is a file; it must be the folder that holds the data sets (one subfolder per set)."
        : !Directory.Exists(folder) ? $"{what} {folder} does not exist; it must be the folder that holds the data sets (one subfolder per set)."
        : null;
}

/// <summary>
/// run: trains the selected slice of the matrix, writes results, prints the seed's tables. Each workload × backend is its own
/// unit: one that fails (its data, its backend, its result file) is reported and the others still run. Everything that can
/// be checked before training is (options, environment, output folders); Ctrl-C abandons the current unit and keeps the rest.
/// </summary>
public sealed class RunCommand : Command<RunSettings>
{
    public override int Execute(CommandContext context, RunSettings settings, CancellationToken cancellationToken)
    {
        IReadOnlyList<WorkloadSpec> workloads;
        IReadOnlyList<IBackend> backends;
        ComputeDevice device;
        DataOptions data;
        bool offline;
        try
        {
            workloads = WorkloadCatalog.Select(settings.Workloads);
            backends = BackendRegistry.Select(settings.Backends);
            device = ComputeDevice.Parse(settings.Device);
            data = DataOptions.FromEnvironment(settings.Data) with { AllowGenerated = !settings.RealDataOnly };
            offline = DatasetAcquirer.OfflineRequested(settings.Offline);
        }
        catch (ArgumentException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return ExitCodes.BadInput;
        }
        var problems = OutputProblems(settings, data, workloads, offline);
        if (problems.Count > 0)
        {
            foreach (var problem in problems) AnsiConsole.MarkupLineInterpolated($"[red]{problem}[/]");
            AnsiConsole.MarkupLine("Nothing was trained.");
            return ExitCodes.BadInput;
        }
        var profile = Enum.Parse<RunProfile>(settings.Profile, ignoreCase: true);

        var results = new List<RunResult>();
        var units = backends.SelectMany(b => workloads.Select(w => (Backend: b, Workload: w))).ToList();
        int failures = 0;
        string? interrupted = null;
        var unusable = new Dictionary<DatasetId, string>();
        try
        {
            foreach (var dataset in workloads.Select(w => w.Dataset).Distinct())
            {
                if (CorruptInCache(dataset, data, offline, cancellationToken) is { } corrupt)
                {
                    unusable[dataset] = corrupt;
                    continue;
                }
                if (!FetchIfMissing(dataset, data, offline, cancellationToken))
                {
                    // Unreachable once is unreachable for the rest of the run: don't wait on every other set's sources too.
                    AnsiConsole.MarkupLine("  [grey]no further downloads in this run (--offline skips them from the start)[/]");
                    offline = true;
                }
            }
            foreach (var (backend, workload) in units)
            {
                interrupted = $"{workload.Name} on {backend.Name}";
                var request = new RunRequest(workload, backend, device, profile, data, settings.Seed, settings.Epochs, settings.Threads ?? 0, settings.Samples);
                if (unusable.TryGetValue(workload.Dataset, out var why))
                {
                    AnsiConsole.MarkupLineInterpolated($"[bold]{workload.Name}[/] on [bold]{backend.Name}[/]\n  [red]failed:[/] {why}");
                    failures++;
                }
                else if (!RunUnit(request, settings.Out, results, cancellationToken)) failures++;
            }
            interrupted = null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted ??= "downloading data";
        }

        foreach (var group in results.GroupBy(r => r.Workload))
        {
            var list = group.ToList();
            AnsiConsole.WriteLine();
            ConsoleTables.Write(SeedTables.Metric(group.Key, list));
            ConsoleTables.Write(SeedTables.Seconds(group.Key, list));
        }
        if (results.Any(r => DataKinds.Of(r) == DataKind.Generated))
            AnsiConsole.MarkupLineInterpolated($"{DataKind.Generated.Marker()} trained on generated data: not comparable to the 2017 figures or to runs on the real data set.");
        if (results.Any(r => DataKinds.Of(r) == DataKind.Substitute))
            AnsiConsole.MarkupLineInterpolated($"{DataKind.Substitute.Marker()} trained on a substitute data set (not the seed's): the metric is not comparable to the 2017 figures.");
        if (interrupted is not null)
        {
            var completed = results.Select(r => $"{r.Workload} on {r.Backend}").ToList();
            AnsiConsole.MarkupLineInterpolated(
                $"[yellow]Interrupted during {interrupted}; nothing of it was written.[/] Completed {completed.Count} of {units.Count} runs{(completed.Count > 0 ? ": " + string.Join(", ", completed) : "")}.");
            return ExitCodes.Interrupted;
        }
        if (failures > 0) AnsiConsole.MarkupLineInterpolated($"[red]{failures} of {units.Count} runs failed[/] (see above); the others completed.");
        return failures == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>Trains one workload on one backend; reports its failure and returns false instead of stopping the others.</summary>
    private static bool RunUnit(RunRequest request, string? outDirectory, List<RunResult> results, CancellationToken cancellationToken)
    {
        var (workload, backend) = (request.Workload, request.Backend);
        AnsiConsole.MarkupLineInterpolated($"[bold]{workload.Name}[/] on [bold]{backend.Name}[/] ({request.Device}, profile {request.Profile.Name()})");
        RunResult result;
        try
        {
            result = ProgressDisplay.Run(workload.Name, (progress, log) => WorkloadRunner.Run(request, progress, log, cancellationToken));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            AnsiConsole.MarkupLineInterpolated($"  [red]failed:[/] {Describe(e)}");
            return false;
        }
        results.Add(result);
        AnsiConsole.MarkupLineInterpolated(
            $"  {result.MetricKind.Label()}: [bold]{result.Metric:F4}[/], {result.MeanEpochSeconds:F2} s/epoch (steady state {result.SteadyStateMeanSeconds:F2} s), data: {result.Data.Name}");
        if (CostText.Summary(result) is { Length: > 0 } cost) AnsiConsole.MarkupLineInterpolated($"  cost: {cost}");
        if (result.SampleText is { } sample) AnsiConsole.MarkupLineInterpolated($"  sample: [grey]{sample}[/]");
        if (outDirectory is null) return true;
        try
        {
            AnsiConsole.MarkupLineInterpolated($"  wrote {ResultFiles.Write(result, outDirectory)}");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // The run itself is kept: it is in the tables below, only its file is missing.
            AnsiConsole.MarkupLineInterpolated($"  [red]result not written:[/] {e.Message}");
            return false;
        }
    }

    /// <summary>The expected failures speak for themselves; anything else is named by its type, since it is a bug to report.</summary>
    private static string Describe(Exception e) => e is BackendUnavailableException or TrainingDivergedException or InvalidDataException
        or DataUnavailableException or IOException or NotSupportedException or InvalidOperationException
        ? e.Message
        : $"{e.GetType().Name}: {e.Message} (unexpected; please report it) {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}";

    /// <summary>Folders the run will write to, checked before hours of training: --out, and the cache when a set must be fetched or generated.</summary>
    private static List<string> OutputProblems(RunSettings settings, DataOptions data, IReadOnlyList<WorkloadSpec> workloads, bool offline)
    {
        var problems = new List<string>();
        if (settings.Data is null && data.DataDirectory is { } fromEnvironment
            && RunSettings.DataFolderProblem(fromEnvironment, $"${DataOptions.DataDirectoryVariable}") is { } dataProblem)
            problems.Add(dataProblem);
        if (settings.Out is { } output && OutputFolder.Problem(output, "--out") is { } outProblem) problems.Add(outProblem);
        var missing = workloads.Select(w => w.Dataset).Distinct().Where(d => DataLocator.Find(d, data) is null).ToList();
        if (missing.Count > 0 && (data.AllowGenerated || !offline)
            && OutputFolder.Problem(data.CacheDirectory, $"the cache (${DataOptions.CacheDirectoryVariable}; needed for {string.Join(", ", missing.Select(DataLocator.SetName))})") is { } cacheProblem)
            problems.Add(cacheProblem);
        return problems;
    }

    /// <summary>
    /// What 'datasets verify' would say of the copy of <paramref name="dataset"/> in the cache, so that run never trains on a file
    /// verify calls corrupt. Online, a corrupt copy is moved aside and fetched again; offline, the set's runs fail with the reason.
    /// </summary>
    /// <returns>Why the set cannot be used, or null.</returns>
    private static string? CorruptInCache(DatasetId dataset, DataOptions data, bool offline, CancellationToken cancellationToken)
    {
        var located = DataLocator.Find(dataset, data);
        var catalog = DownloadCatalog.FromEnvironment();
        if (located is null || !catalog.Names.Contains(located.Name)) return null;
        var cacheFolder = Path.GetFullPath(CacheLayout.SetDirectory(data.CacheDirectory, located.Name));
        if (!Path.GetFullPath(located.Path).StartsWith(cacheFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return null;

        var report = DatasetAcquirer.CheckAsync(catalog.Find(located.Name), cacheFolder, cancellationToken).GetAwaiter().GetResult();
        if (report.State != SetState.Corrupt) return null;
        var problem = $"{cacheFolder} is {report.StateText} ({string.Join("; ", report.Files.Where(f => f.State == FileState.Corrupt).Select(f => $"{f.File.Name}: {f.Detail}"))})";
        if (offline)
            return $"{problem}. Not training on it: fetch it again with 'datasets fetch {located.Name}', or place a good copy there.";
        AnsiConsole.MarkupLineInterpolated($"{located.Name}: {problem}; fetching it again");
        try
        {
            var acquirer = new DatasetAcquirer(catalog) { Log = line => AnsiConsole.MarkupLineInterpolated($"  [grey]{line}[/]") };
            DownloadProgressDisplay.RunAsync(progress => acquirer.EnsureAsync(located.Name, data.CacheDirectory, offline: false, progress, cancellationToken))
                .GetAwaiter().GetResult();
            return null;
        }
        catch (Exception e) when (e is DatasetUnavailableException or DownloadVerificationException or IOException or HttpRequestException or UnauthorizedAccessException)
        {
            return $"{problem}, and fetching it again failed: {e.Message}";
        }
    }

    /// <summary>
    /// Downloads the preferred real set (MNIST itself, not the Fashion-MNIST stand-in) when it is not on disk.
    /// A failed fetch is reported and the run goes on with what the data catalog finds or generates.
    /// </summary>
    /// <returns>False when the fetch failed.</returns>
    private static bool FetchIfMissing(DatasetId dataset, DataOptions data, bool offline, CancellationToken cancellationToken)
    {
        var preferred = DataLocator.SetName(dataset);
        if (offline || DataLocator.Find(dataset, data)?.Name == preferred) return true;
        try
        {
            var acquirer = new DatasetAcquirer { Log = line => AnsiConsole.MarkupLineInterpolated($"  [grey]{line}[/]") };
            AnsiConsole.MarkupLineInterpolated($"{preferred}: not on this machine; fetching it (--offline to skip)");
            var folder = DownloadProgressDisplay.RunAsync(progress => acquirer.EnsureAsync(dataset, data, offline: false, progress, cancellationToken))
                .GetAwaiter().GetResult();
            AnsiConsole.MarkupLineInterpolated($"  {preferred}: ready in {folder}");
            return true;
        }
        catch (Exception e) when (e is DatasetUnavailableException or DownloadVerificationException or IOException or HttpRequestException or UnauthorizedAccessException)
        {
            AnsiConsole.MarkupLineInterpolated($"  [yellow]{preferred}: could not fetch it; going on without it.[/]");
            AnsiConsole.MarkupLineInterpolated($"  [grey]{e.Message}[/]");
            return false;
        }
    }
}
