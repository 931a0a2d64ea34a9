using System.Diagnostics;
using PerfTests.Harness.Baselines;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Workloads;
using static PerfTests.Workloads.Tests.Baselines.Fixtures;

namespace PerfTests.Workloads.Tests.Baselines;

[Trait("Category", "Unit")]
public sealed class BaselineUpdaterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("baselines-").FullName;
    private readonly string _results = Directory.CreateTempSubdirectory("results-").FullName;

    public BaselineUpdaterTests()
    {
        var committed = BaselineStore.DefaultDirectory(AppContext.BaseDirectory);
        foreach (var file in Directory.EnumerateFiles(committed, "*.json")) File.Copy(file, Path.Combine(_directory, Path.GetFileName(file)));
    }

    [Fact]
    public void Accept_NewDevice_CreatesAValidFile()
    {
        var changes = BaselineUpdater.Accept(_directory, [Result()]);

        changes.Should().ContainSingle().Which.Kind.Should().Be(ChangeKind.Added);
        var entry = BaselineStore.Load(_directory).Find("mlp_mnist", "torchsharp", "cpu-test-2t", RunProfile.Ci);
        entry.Should().NotBeNull();
        entry!.Metric.Tolerance.Should().Be(GatePolicy.MetricTolerance(MetricKind.ValidationAccuracy, RunProfile.Ci, 0.85));
        entry.Timing!.Samples.Should().HaveCount(20, "two steady-state epochs of ten segments");
        entry.Data!.Name.Should().Be("fashion-mnist");
    }

    [Fact]
    public void Accept_Twice_SecondChangesNothing()
    {
        BaselineUpdater.Accept(_directory, [Result(), Result(workload: "cnn_mnist")]);
        var before = Snapshot();

        var changes = BaselineUpdater.Accept(_directory, [Result(), Result(workload: "cnn_mnist")]);

        changes.Should().OnlyContain(c => c.Kind == ChangeKind.Unchanged);
        Snapshot().Should().Equal(before);
    }

    [Fact]
    public void Accept_OneEntry_LeavesUnrelatedEntriesAndFilesAsTheyWere()
    {
        BaselineUpdater.Accept(_directory, [Result(), Result(workload: "cnn_mnist", metric: 0.90)]);
        var cnnBefore = BaselineStore.Load(_directory).Find("cnn_mnist", "torchsharp", "cpu-test-2t", RunProfile.Ci);
        var seedFileBefore = File.ReadAllText(Path.Combine(_directory, "k80.json"));

        var changes = BaselineUpdater.Accept(_directory, [Result(metric: 0.87, secondsPerEpoch: 11)]);

        changes.Single().Kind.Should().Be(ChangeKind.Updated);
        changes.Single().Summary.Should().Contain("0.8500 → 0.8700");
        BaselineStore.Load(_directory).Find("cnn_mnist", "torchsharp", "cpu-test-2t", RunProfile.Ci).Should().BeEquivalentTo(cnnBefore);
        File.ReadAllText(Path.Combine(_directory, "k80.json")).Should().Be(seedFileBefore);
    }

    [Fact]
    public void Accept_KeepsAReviewedTolerance()
    {
        BaselineUpdater.Accept(_directory, [Result()]);
        var path = BaselineStore.PathFor(_directory, "cpu-test-2t");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"tolerance\": 0.03", "\"tolerance\": 0.01"));

        BaselineUpdater.Accept(_directory, [Result(metric: 0.86)]);

        BaselineStore.Load(_directory).Find("mlp_mnist", "torchsharp", "cpu-test-2t", RunProfile.Ci)!.Metric.Tolerance.Should().Be(0.01);
    }

    [Fact]
    public void Accept_OverHistoricalRow_Throws()
    {
        var result = Result(device: "k80") with { Backend = "tensorflow", Profile = RunProfile.Full };

        var act = () => BaselineUpdater.Accept(_directory, [result]);

        act.Should().Throw<InvalidDataException>().WithMessage("*unknown backend 'tensorflow'*", "only registered backends produce results; historical rows name the others");
    }

    [Fact]
    public void AcceptCommand_KilledMidWrite_LeavesTheOldFileValid()
    {
        BaselineUpdater.Accept(_directory, [Result()]);
        var path = BaselineStore.PathFor(_directory, "cpu-test-2t");
        var before = File.ReadAllText(path);
        var resultFile = ResultFiles.Write(Result(metric: 0.70), _results);

        var cli = Path.Combine(AppContext.BaseDirectory, "perftests.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { cli, "baselines", "accept", resultFile, "--baselines", _directory }) start.ArgumentList.Add(arg);
        start.Environment[AtomicFile.FaultPauseVariable] = "60000";
        using var process = Process.Start(start)!;
        var paused = process.StandardError.ReadLine();
        paused.Should().StartWith("fault injection: pausing", "the writer must reach the point between writing and renaming");

        process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000).Should().BeTrue();

        File.ReadAllText(path).Should().Be(before, "the rename never happened");
        BaselineStore.Load(_directory).Find("mlp_mnist", "torchsharp", "cpu-test-2t", RunProfile.Ci)!.Metric.Value.Should().Be(0.85);
        Directory.EnumerateFiles(_directory, "*.json").Should().OnlyContain(f => !Path.GetFileName(f).StartsWith('.'),
            "a leftover temporary file is hidden and never read as a baseline");
    }

    private Dictionary<string, string> Snapshot() =>
        Directory.EnumerateFiles(_directory).ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        Directory.Delete(_results, recursive: true);
    }
}
