using PerfTests.Harness.Baselines;
using PerfTests.Harness.Gate;

namespace PerfTests.Workloads.Tests.Gate;

/// <summary>
/// The paired gate end to end: two builds of the same commit (this build and a copy of it in another folder), each side a
/// separate process, on the smoke profile. An A/A comparison must never fail; a false alarm here is a broken gate.
/// </summary>
[Trait("Category", "Unit")]
public sealed class PairedGateAaTests
{
    [Fact]
    public void Compare_TwoBuildsOfTheSameCommit_DoesNotFail()
    {
        var head = HarnessBuild.Head();
        using var folder = new TempFolder();
        var copy = CopyBuild(Path.GetDirectoryName(head.Dll)!, folder.Folder("base"), withNativeLibraries: true);
        using var baseBuild = HarnessBuild.Base(copy, copy, _ => { });
        var log = new List<string>();
        var runner = new ProcessBlockRunner(baseBuild, head, new PairedCase("mlp_mnist", "managed", "smoke", Seed: 42, Epochs: 2, Threads: 2), log.Add);

        var result = PairedComparer.Compare("mlp_mnist/managed/smoke", runner.Run, new PairedSettings(GatePolicy.PairedBudget, MinBlocks: 8, MaxBlocks: 8), log: log.Add);

        result.Failed.Should().BeFalse(string.Join('\n', log));
        result.Attempts[0].Blocks.Should().HaveCount(8);
        log.Should().Contain(l => l.Contains(copy)).And.Contain(l => l.Contains(Path.GetDirectoryName(head.Dll)!), "each side ran from its own folder");
    }

    [Fact]
    public async Task CompareCommand_BuildOutsideACheckout_TakesAFolderAsBase()
    {
        // A published build compares against another build's folder anywhere: no PerfTests.sln or baselines/ above it.
        var head = Path.GetDirectoryName(HarnessBuild.Head().Dll)!;
        using var folder = new TempFolder();
        var copy = CopyBuild(head, folder.Folder("published"), withNativeLibraries: false);
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { WorkingDirectory = folder.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(copy, "perftests.dll"), "compare", "--base", head, "-w", "mlp_mnist", "-b", "managed", "-p", "smoke",
                     "--epochs", "2", "--threads", "1", "--min-blocks", "2", "--max-blocks", "2" })
            start.ArgumentList.Add(arg);
        start.Environment["PERFTESTS_BASELINES"] = null;
        start.Environment["PERFTESTS_OFFLINE"] = "1";
        start.Environment["PERFTESTS_CACHE"] = folder.Folder("cache");
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        var output = await stdout + await stderr;

        output.Should().Contain($"base: base build at {head}").And.NotContain("No baselines folder").And.NotContain("Exception");
        process.ExitCode.Should().Be(0, "two blocks of an A/A comparison stop undecided at the cap, which is not a failure:\n{0}", output);
    }

    [Fact]
    public async Task CompareCommand_Signalled_KillsTheRunningProcessAndExits130()
    {
        var head = Path.GetDirectoryName(HarnessBuild.Head().Dll)!;
        using var folder = new TempFolder();
        var copy = CopyBuild(head, folder.Folder("published-base"), withNativeLibraries: false);
        // A thousand whole ci epochs per process: minutes, unless the signal kills the process.
        using var cli = new Cli.CliProcess(folder.Folder("cache"), null,
            "compare", "--base", copy, "-w", "mlp_mnist", "-w", "fasttext_imdb", "-b", "managed", "-p", "ci", "--samples", "0", "--epochs", "1000");
        await cli.WaitForOutputAsync("mlp_mnist/managed/ci", TimeSpan.FromMinutes(2));
        await Task.Delay(TimeSpan.FromSeconds(2));

        // Unkilled, the running process would take about 6 minutes: the limit tells the two apart by a wide margin.
        cli.Signal("TERM");
        int exitCode = await cli.ExitCodeAsync(TimeSpan.FromMinutes(1));

        exitCode.Should().Be(Harness.Cli.ExitCodes.Interrupted, cli.Output);
        cli.Output.Should().Contain("Interrupted during mlp_mnist/managed/ci").And.NotContain("fasttext_imdb/managed/ci");
        using var pgrep = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("pgrep", ["-f", copy]) { RedirectStandardOutput = true })!;
        var left = (await pgrep.StandardOutput.ReadToEndAsync()).Trim();
        await pgrep.WaitForExitAsync();
        left.Should().BeEmpty("no process of the base build outlives the comparison");
    }

    /// <summary>Copies a build folder as a second build; without runtimes/ (native libraries) when only the managed engine runs.</summary>
    private static string CopyBuild(string build, string copy, bool withNativeLibraries)
    {
        foreach (var file in Directory.EnumerateFiles(build, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(build, file);
            if (!withNativeLibraries && relative.StartsWith("runtimes", StringComparison.Ordinal)) continue;
            var target = Path.Combine(copy, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return copy;
    }
}
