using Spectre.Console;
using Spectre.Console.Cli;

namespace PerfTests.Harness.Cli;

/// <summary>The perftests command line: its verbs, and how an error becomes an exit code (<see cref="ExitCodes"/>).</summary>
public static class PerfTestsApp
{
    public static CommandApp Create()
    {
        WidenWhenRedirected();
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("perftests");
            // An unknown option is a mistake to report, not an argument to ignore.
            config.UseStrictParsing();
            config.SetExceptionHandler((exception, _) =>
            {
                switch (exception)
                {
                    case CommandAppException { Pretty: { } pretty }:
                        AnsiConsole.Write(pretty);
                        return ExitCodes.BadInput;
                    case CommandAppException:
                        AnsiConsole.MarkupLineInterpolated($"[red]Error:[/] {exception.Message}");
                        return ExitCodes.BadInput;
                    case OperationCanceledException:
                        AnsiConsole.MarkupLine("[yellow]Interrupted.[/]");
                        return ExitCodes.Interrupted;
                    default:
                        AnsiConsole.WriteException(exception, ExceptionFormats.ShortenEverything);
                        return ExitCodes.Failed;
                }
            });
            config.AddCommand<RunCommand>("run")
                .WithDescription("Train workloads on a backend and device, then print the seed's two tables.")
                .WithExample("run", "--backend", "torchsharp", "--workload", "all", "--profile", "smoke");
            config.AddCommand<CompareCommand>("compare")
                .WithDescription("Time base and head side by side on this machine (interleaved ABBA blocks of separate processes); fail on a confident slowdown.")
                .WithExample("compare", "--base", "origin/main", "--workload", "mlp_mnist", "--backend", "managed");
            config.AddCommand<ReportCommand>("report")
                .WithDescription("Report a folder of results: the seed's tables with the 2017 rows, conclusions, JSON, CSV, charts.")
                .WithExample("report", "TestResults/perf", "--out", "report.md", "--charts", "charts");
            config.AddBranch("baselines", baselines =>
            {
                baselines.SetDescription("Turn results into reviewed baselines, or check results against them.");
                baselines.AddCommand<BaselinesAcceptCommand>("accept")
                    .WithDescription("Record results as the new baselines (atomic; prints what changed).")
                    .WithExample("baselines", "accept", "TestResults/perf");
                baselines.AddCommand<BaselinesCheckCommand>("check")
                    .WithDescription("Compare results with the baselines without training.");
            });
            config.AddBranch("datasets", datasets =>
            {
                datasets.SetDescription("Download, list and verify the real data sets (in the cache: $PERFTESTS_CACHE/datasets/<set>).");
                datasets.AddCommand<DatasetsListCommand>("list")
                    .WithDescription("Show each set's files, status (present/missing/corrupt), size and location.");
                datasets.AddCommand<DatasetsFetchCommand>("fetch")
                    .WithDescription("Download and verify sets into the cache, resuming partial downloads; --offline only explains what to place where.")
                    .WithExample("datasets", "fetch", "mnist")
                    .WithExample("datasets", "fetch", "all", "--cache", "/data/perftests-cache");
                datasets.AddCommand<DatasetsVerifyCommand>("verify")
                    .WithDescription("Check sizes and SHA-256 sums of the sets on disk.")
                    .WithExample("datasets", "verify", "cifar10");
            });
        });
        return app;
    }

    /// <summary>Logs have no width; without this Spectre wraps at 80 columns and splits paths, hashes and URLs.</summary>
    internal static void WidenWhenRedirected()
    {
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 200);
    }
}
