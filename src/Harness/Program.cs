using PerfTests.Harness.Cli;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("perftests");
    config.AddCommand<RunCommand>("run")
        .WithDescription("Train workloads on a backend and device, then print the seed's two tables.")
        .WithExample("run", "--backend", "torchsharp", "--workload", "all", "--profile", "smoke");
});
return app.Run(args);
