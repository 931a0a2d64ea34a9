using System.ComponentModel;
using PerfTests.Harness.Backends;
using PerfTests.Harness.Baselines;
using PerfTests.Harness.Devices;
using PerfTests.Harness.Gate;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Workloads;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PerfTests.Harness.Cli;

public sealed class CompareSettings : CommandSettings
{
    [CommandOption("--base <REF|DIR>")]
    [Description("The base: a git ref of this repository (built out of tree in a temporary worktree) or a folder holding a built perftests.dll.")]
    public string? Base { get; init; }

    [CommandOption("-b|--backend <NAME>")]
    [Description("Backend(s): torchsharp, managed, or all. Repeatable.")]
    public string[] Backends { get; init; } = ["all"];

    [CommandOption("-w|--workload <NAME>")]
    [Description("Workload(s) by name, or all. Repeatable.")]
    public string[] Workloads { get; init; } = ["all"];

    [CommandOption("-p|--profile <PROFILE>")]
    [DefaultValue("ci")]
    public string Profile { get; init; } = "ci";

    [CommandOption("-e|--epochs <N>")]
    [Description("Epochs per process, the first of them warm-up (default 3).")]
    [DefaultValue(3)]
    public int Epochs { get; init; } = 3;

    [CommandOption("--seed <N>")]
    [DefaultValue(42)]
    public int Seed { get; init; } = 42;

    [CommandOption("--threads <N>")]
    [Description("CPU threads for both sides (default: all logical cores).")]
    public int Threads { get; init; }

    [CommandOption("--budget <RATIO>")]
    [Description("Largest allowed head/base ratio (default GatePolicy.PairedBudget, 1.11).")]
    public double? Budget { get; init; }

    [CommandOption("--min-blocks <N>")]
    [DefaultValue(GatePolicy.PairedMinBlocks)]
    public int MinBlocks { get; init; } = GatePolicy.PairedMinBlocks;

    [CommandOption("--max-blocks <N>")]
    [DefaultValue(GatePolicy.PairedMaxBlocks)]
    public int MaxBlocks { get; init; } = GatePolicy.PairedMaxBlocks;

    [CommandOption("--case-minutes <M>")]
    [Description("Stop adding blocks to one case's attempt after this long (default 1, as the gate).")]
    [DefaultValue(GatePolicy.PairedCaseSeconds / 60)]
    public double CaseMinutes { get; init; } = GatePolicy.PairedCaseSeconds / 60;

    [CommandOption("--samples <N>")]
    [Description("Samples per split each process trains on (0: the whole profile). Default: a stretch of about 0.5 s epochs, sized by one calibration process of head.")]
    public int? Samples { get; init; }

    [CommandOption("--json <FILE>")]
    [Description("Also write every case's blocks, estimates and outcome to FILE as JSON.")]
    public string? Json { get; init; }

    [CommandOption("--total-minutes <M>")]
    [Description("Stop adding blocks to any case after this long from the start (default: no limit).")]
    public double? TotalMinutes { get; init; }

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Base)) return ValidationResult.Error("--base is required: a git ref (e.g. origin/main) or a folder with a built perftests.dll.");
        if (!Enum.TryParse<RunProfile>(Profile, ignoreCase: true, out _)) return ValidationResult.Error($"Unknown profile '{Profile}': use smoke, ci or full.");
        if (Epochs is < 2 or > 1000) return ValidationResult.Error("--epochs must be 2 to 1000: the first epoch is warm-up.");
        if (Threads < 0 || Threads > Environment.ProcessorCount) return ValidationResult.Error($"--threads must be 0 (all) to {Environment.ProcessorCount}, this machine's logical cores.");
        if (Budget is { } b && !(b > 1 && b <= 10)) return ValidationResult.Error("--budget must be a ratio above 1 and at most 10.");
        if (MinBlocks < 2 || MaxBlocks < MinBlocks || MaxBlocks > 1000) return ValidationResult.Error("--min-blocks must be at least 2 and at most --max-blocks (at most 1000).");
        if (!(CaseMinutes > 0) || TotalMinutes is <= 0) return ValidationResult.Error("--case-minutes and --total-minutes must be positive.");
        if (Samples is < 0) return ValidationResult.Error("--samples must be 0 (the whole profile) or more.");
        if (Json is { } json && OutputFolder.Problem(Path.GetDirectoryName(Path.GetFullPath(json))!, "--json") is { } problem) return ValidationResult.Error(problem);
        return ValidationResult.Success();
    }
}

/// <summary>compare: times base and head side by side on this machine (interleaved ABBA blocks of separate processes) and fails on a confident slowdown.</summary>
public sealed class CompareCommand : Command<CompareSettings>
{
    public override int Execute(CommandContext context, CompareSettings settings, CancellationToken cancellationToken)
    {
        IReadOnlyList<WorkloadSpec> workloads;
        IReadOnlyList<IBackend> backends;
        try
        {
            workloads = WorkloadCatalog.Select(settings.Workloads);
            backends = BackendRegistry.Select(settings.Backends);
        }
        catch (ArgumentException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return 2;
        }

        var deadline = settings.TotalMinutes is { } total ? DateTimeOffset.UtcNow.AddMinutes(total) : (DateTimeOffset?)null;
        var paired = new PairedSettings(settings.Budget ?? GatePolicy.PairedBudget, GatePolicy.PairedAlpha, settings.MinBlocks, settings.MaxBlocks,
            settings.CaseMinutes * 60, deadline);
        void Log(string line) => AnsiConsole.MarkupLineInterpolated($"[grey]{line}[/]");

        HarnessBuild head, baseBuild;
        try
        {
            head = HarnessBuild.Head();
            // A folder needs no checkout (a published build compares anywhere); a git ref is resolved in the checkout this
            // build or the current folder is in.
            var repository = Directory.Exists(settings.Base) ? settings.Base! : BaselineStore.CheckoutAbove(AppContext.BaseDirectory) ?? BaselineStore.CheckoutAbove(Environment.CurrentDirectory)
                ?? throw new InvalidOperationException($"--base {settings.Base}: not a folder, and no PerfTests checkout (PerfTests.sln) was found above this build or the current folder to resolve it as a git ref.");
            baseBuild = HarnessBuild.Base(settings.Base!, repository, Log);
        }
        catch (InvalidOperationException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return 2;
        }

        using var _ = baseBuild;
        AnsiConsole.MarkupLineInterpolated($"head: {head.Description}\nbase: {baseBuild.Description}\nbudget {paired.Budget:F2}, {(1 - 2 * paired.Alpha) * 100:F0}% intervals, {paired.MinBlocks}–{paired.MaxBlocks} blocks per attempt");
        var results = new List<PairedComparisonResult>();
        var reports = new List<PairedCaseReport>();
        int errors = 0;
        string? interrupted = null;
        var profile = Enum.Parse<RunProfile>(settings.Profile, ignoreCase: true);
        foreach (var (backend, workload) in backends.SelectMany(b => workloads.Select(w => (b, w))))
        {
            if (cancellationToken.IsCancellationRequested) break;
            var pairedCase = new PairedCase(workload.Name, backend.Name, settings.Profile.ToLowerInvariant(), settings.Seed, settings.Epochs, settings.Threads);
            AnsiConsole.MarkupLineInterpolated($"[bold]{pairedCase}[/]");
            var caseClock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                pairedCase = pairedCase with
                {
                    Samples = settings.Samples is { } given ? (given == 0 ? null : given)
                        : ProcessBlockRunner.CalibrateSamples(head, pairedCase, workload.BatchSize, workload.ScheduleFor(profile).TrainSamples ?? int.MaxValue, Log, cancellationToken),
                };
                var runner = new ProcessBlockRunner(baseBuild, head, pairedCase, Log, cancellationToken);
                var result = PairedComparer.Compare(pairedCase.ToString(), runner.Run, paired, log: Log);
                results.Add(result);
                reports.Add(new PairedCaseReport(pairedCase, caseClock.Elapsed.TotalSeconds, result));
                var conclusion = result.ToConclusion();
                var colour = conclusion.Kind switch { ConclusionKind.Fail => "red", ConclusionKind.Pass => "green", _ => "yellow" };
                AnsiConsole.MarkupLineInterpolated($"  [{colour}]{conclusion.Kind.ToString().ToLowerInvariant()}[/] {conclusion.Message}");
            }
            catch (InvalidOperationException e)
            {
                errors++;
                AnsiConsole.MarkupLineInterpolated($"  [red]error:[/] {e.Message}");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The running process was killed; the cases already compared are still reported and written.
                interrupted = pairedCase.ToString();
                break;
            }
        }

        var table = new Table().AddColumns("case", "head/base", $"{(1 - 2 * paired.Alpha) * 100:F0}% interval", "blocks", "attempts", "outcome");
        foreach (var r in results)
        {
            var last = r.Attempts[^1].Estimate;
            table.AddRow(r.Case, $"{last.Ratio:F3}", $"{last.Lower:F3} – {(double.IsPositiveInfinity(last.Upper) ? "∞" : last.Upper.ToString("F3"))}",
                string.Join("+", r.Attempts.Select(a => a.Blocks.Count)), r.Attempts.Count.ToString(), r.ToConclusion().Kind.ToString().ToLowerInvariant());
        }
        AnsiConsole.Write(table);
        if (settings.Json is { } json) PairedReport.Write(json, head, baseBuild, paired, reports);
        int failed = results.Count(r => r.Failed);
        if (interrupted is not null || cancellationToken.IsCancellationRequested)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]Interrupted{(interrupted is null ? "" : $" during {interrupted}")}; its blocks were dropped.[/] Compared {results.Count} cases, {failed} failed.");
            return ExitCodes.Interrupted;
        }
        AnsiConsole.MarkupLineInterpolated($"{results.Count - failed} within budget or undecided, {failed} failed, {errors} could not run");
        return failed > 0 || errors > 0 ? 1 : 0;
    }
}
