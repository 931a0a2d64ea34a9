using PerfTests.Harness.Cli;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("perftests");
    config.AddCommand<RunCommand>("run")
        .WithDescription("Train workloads on a backend and device, then print the seed's two tables.")
        .WithExample("run", "--backend", "torchsharp", "--workload", "all", "--profile", "smoke");
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
});
return app.Run(args);
