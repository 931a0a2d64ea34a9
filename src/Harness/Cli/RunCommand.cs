using System.ComponentModel;
using PerfTests.Harness.Backends;
using PerfTests.Harness.Data;
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

        var results = new List<RunResult>();
        int failures = 0;
        foreach (var backend in backends)
        {
            foreach (var workload in workloads)
            {
                var request = new RunRequest(workload, backend, device, profile, data, settings.Seed, settings.Epochs, settings.Threads);
                AnsiConsole.MarkupLineInterpolated($"[bold]{workload.Name}[/] on [bold]{backend.Name}[/] ({device}, profile {profile.ToString().ToLowerInvariant()})");
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
}
