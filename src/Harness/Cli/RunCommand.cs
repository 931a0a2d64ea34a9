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
    [Description("Override the profile's epoch count.")]
    public int? Epochs { get; init; }

    [CommandOption("--seed <N>")]
    [DefaultValue(42)]
    public int Seed { get; init; } = 42;

    [CommandOption("--threads <N>")]
    [Description("CPU threads for the backend (default: all logical cores).")]
    public int Threads { get; init; }

    [CommandOption("-o|--out <DIR>")]
    [Description("Write one JSON result per run into DIR.")]
    public string? Out { get; init; }

    public override ValidationResult Validate()
    {
        if (!Enum.TryParse<RunProfile>(Profile, ignoreCase: true, out _))
            return ValidationResult.Error($"Unknown profile '{Profile}': use smoke, ci or full.");
        if (Epochs is <= 0) return ValidationResult.Error("--epochs must be at least 1.");
        return ValidationResult.Success();
    }
}

/// <summary>run: trains the selected slice of the matrix, writes results, prints the seed's tables.</summary>
public sealed class RunCommand : Command<RunSettings>
{
    public override int Execute(CommandContext context, RunSettings settings, CancellationToken cancellationToken)
    {
        IReadOnlyList<WorkloadSpec> workloads;
        IReadOnlyList<IBackend> backends;
        ComputeDevice device;
        try
        {
            workloads = WorkloadCatalog.Select(settings.Workloads);
            backends = BackendRegistry.Select(settings.Backends);
            device = ComputeDevice.Parse(settings.Device);
        }
        catch (ArgumentException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return 2;
        }
        var profile = Enum.Parse<RunProfile>(settings.Profile, ignoreCase: true);
        var data = DataOptions.FromEnvironment(settings.Data) with { AllowGenerated = !settings.RealDataOnly };

        var offline = DatasetAcquirer.OfflineRequested(settings.Offline);
        foreach (var dataset in workloads.Select(w => w.Dataset).Distinct())
        {
            if (!FetchIfMissing(dataset, data, offline, cancellationToken))
            {
                // Unreachable once is unreachable for the rest of the run: don't wait on every other set's sources too.
                AnsiConsole.MarkupLine("  [grey]no further downloads in this run (--offline skips them from the start)[/]");
                offline = true;
            }
        }

        var results = new List<RunResult>();
        int failures = 0;
        foreach (var backend in backends)
        {
            foreach (var workload in workloads)
            {
                var request = new RunRequest(workload, backend, device, profile, data, settings.Seed, settings.Epochs, settings.Threads);
                AnsiConsole.MarkupLineInterpolated($"[bold]{workload.Name}[/] on [bold]{backend.Name}[/] ({device}, profile {profile.Name()})");
                try
                {
                    var result = ProgressDisplay.Run(workload.Name, (progress, log) => WorkloadRunner.Run(request, progress, log, cancellationToken));
                    results.Add(result);
                    AnsiConsole.MarkupLineInterpolated(
                        $"  {result.MetricKind.Label()}: [bold]{result.Metric:F4}[/], {result.MeanEpochSeconds:F2} s/epoch (steady state {result.SteadyStateMeanSeconds:F2} s), data: {result.Data.Name}");
                    if (result.SampleText is { } sample) AnsiConsole.MarkupLineInterpolated($"  sample: [grey]{sample}[/]");
                    if (settings.Out is { } outDir)
                        AnsiConsole.MarkupLineInterpolated($"  wrote {ResultFiles.Write(result, outDir)}");
                }
                catch (Exception e) when (e is BackendUnavailableException or TrainingDivergedException or InvalidDataException or DataUnavailableException or DataFormatException or NotSupportedException
                                              or FileNotFoundException or DirectoryNotFoundException or InvalidOperationException)
                {
                    failures++;
                    AnsiConsole.MarkupLineInterpolated($"  [red]failed:[/] {e.Message}");
                }
            }
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
        return failures == 0 ? 0 : 1;
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
        catch (Exception e) when (e is DatasetUnavailableException or DownloadVerificationException or IOException or HttpRequestException)
        {
            AnsiConsole.MarkupLineInterpolated($"  [yellow]{preferred}: could not fetch it; going on without it.[/]");
            AnsiConsole.MarkupLineInterpolated($"  [grey]{e.Message}[/]");
            return false;
        }
    }
}
