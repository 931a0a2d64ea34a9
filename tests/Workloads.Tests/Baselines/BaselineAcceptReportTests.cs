using System.Text.Json;
using PerfTests.Harness.Baselines;
using PerfTests.Harness.Devices;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Workloads;
using static PerfTests.Workloads.Tests.Baselines.Fixtures;

namespace PerfTests.Workloads.Tests.Baselines;

/// <summary>
/// What accept records (the policy's tolerance and budget for the device's kind, rounded figures, where it ran) and what it
/// tells the person accepting (added, unchanged, or which figures moved and by how much).
/// </summary>
[Trait("Category", "Unit")]
public sealed class BaselineAcceptReportTests : IDisposable
{
    private readonly TempFolder _root = new();
    private readonly string _directory;

    public BaselineAcceptReportTests() => _directory = EmptyBaselines(_root);

    private BaselineEntry Stored(string device = "cpu-test-2t", string workload = "mlp_mnist") =>
        BaselineStore.Load(_directory).Find(workload, "torchsharp", device, RunProfile.Ci)!;

    [Fact]
    public void Accept_GpuResult_GetsTheGpuBudgetAndAGpuFile()
    {
        BaselineUpdater.Accept(_directory, [Result(device: "h100-80gb"), Result(device: "cpu-test-2t")]);

        var store = BaselineStore.Load(_directory);
        store.FileFor("h100-80gb")!.Device.Kind.Should().Be("gpu");
        store.FileFor("cpu-test-2t")!.Device.Kind.Should().Be("cpu");
        Stored("h100-80gb").Timing!.Budget.Should().Be(1.25, "GPUs are steadier than shared CPU runners (README: GPU 1.25x)");
        Stored("cpu-test-2t").Timing!.Budget.Should().Be(1.5, "README: CPU 1.5x");
    }

    [Theory]
    [InlineData(MetricKind.ValidationAccuracy, RunProfile.Smoke, 0.85, 0.15)]
    [InlineData(MetricKind.ValidationAccuracy, RunProfile.Ci, 0.85, 0.03)]
    [InlineData(MetricKind.ValidationAccuracy, RunProfile.Full, 0.85, 0.01)]
    [InlineData(MetricKind.TrainingLoss, RunProfile.Smoke, 1.4, 0.35)]
    [InlineData(MetricKind.TrainingLoss, RunProfile.Ci, 1.4, 0.07)]
    [InlineData(MetricKind.TrainingLoss, RunProfile.Full, 1.4, 0.028)]
    [InlineData(MetricKind.TrainingLoss, RunProfile.Ci, 1.23456, 0.0617)]
    public void MetricTolerance_IsThePolicysForTheMetricAndProfile(MetricKind metric, RunProfile profile, double value, double expected) =>
        GatePolicy.MetricTolerance(metric, profile, value).Should().Be(expected);

    [Fact]
    public void Accept_LossResult_GetsFivePercentOfTheLossAsTolerance()
    {
        BaselineUpdater.Accept(_directory, [Result(metric: 1.4, kind: MetricKind.TrainingLoss, workload: "lstm_textgen")]);

        Stored(workload: "lstm_textgen").Metric.Tolerance.Should().Be(0.07);
    }

    [Fact]
    public void Accept_RecordsRoundedFiguresAndWhereTheRunHappened()
    {
        var result = Result(metric: 0.123456, secondsPerEpoch: 1.234567);

        BaselineUpdater.Accept(_directory, [result]);

        var entry = Stored();
        entry.Metric.Value.Should().Be(0.1235);
        entry.Timing!.Samples.Should().OnlyContain(s => Math.Round(s, 4) == s).And.Contain(1.2346);
        entry.Timing.SecondsPerEpoch.Should().Be(1.358);
        entry.Recorded.Should().Be(new RecordedEnvironment(result.BackendVersion, "abc123", result.Environment.Timestamp, "Test CPU", 2, "Linux", ".NET 10",
            Epochs: 3, TrainSamples: 12_000, ValidationSamples: 2_000));
    }

    [Fact]
    public void Accept_ExactlyTheMinimumOfTimingSamples_RecordsTiming()
    {
        BaselineUpdater.Accept(_directory, [WithSamples(Result(), GatePolicy.MinimumTimingSamples)]);

        Stored().Timing!.Samples.Should().HaveCount(5);
    }

    [Fact]
    public void Accept_NewFile_PointsEditorsAtTheSchema()
    {
        BaselineUpdater.Accept(_directory, [Result()]);

        File.ReadAllText(BaselineStore.PathFor(_directory, "cpu-test-2t")).Should().StartWith("{\n  \"$schema\": \"./baseline.schema.json\",\n  \"format\": 1,");
    }

    [Fact]
    public void Accept_OverAnEntryThatRecordedNoData_SaysTheDataIsNowKnown()
    {
        var path = BaselineStore.PathFor(_directory, "cpu-test-2t");
        var old = BaselineUpdater.ToEntry(Result(), null, DeviceKind.Cpu) with { Data = null };
        File.WriteAllText(path, BaselineUpdater.Serialize(new BaselineFile { Device = new BaselineDevice("cpu-test-2t", "cpu", "Test CPU"), Entries = [old] }));

        BaselineUpdater.Accept(_directory, [Result()]).Single().Summary.Should().Be("data ? → fashion-mnist");
    }

    [Fact]
    public void Accept_KeepsAReviewedBudget()
    {
        BaselineUpdater.Accept(_directory, [Result()]);
        var path = BaselineStore.PathFor(_directory, "cpu-test-2t");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"budget\": 1.5", "\"budget\": 2"));

        BaselineUpdater.Accept(_directory, [Result(secondsPerEpoch: 12)]);

        Stored().Timing!.Budget.Should().Be(2);
    }

    [Fact]
    public void Accept_New_SaysAddedWithMetricAndMedian()
    {
        var change = BaselineUpdater.Accept(_directory, [Result()]).Single();

        change.Should().Be(new BaselineChange("cpu-test-2t", "mlp_mnist/torchsharp/ci", ChangeKind.Added, "metric 0.8500, median 10.000 s/epoch"));
    }

    [Fact]
    public void Accept_NewWithTooFewSamples_SaysAddedWithTheMetricAlone()
    {
        var change = BaselineUpdater.Accept(_directory, [WithSamples(Result(), 4)]).Single();

        change.Kind.Should().Be(ChangeKind.Added);
        change.Summary.Should().Be("metric 0.8500; no timing recorded: the run has 4 timing samples, the gate needs 5");
    }

    [Fact]
    public void Accept_Slower_SaysOldAndNewMedianAndTheChangeInPercent()
    {
        BaselineUpdater.Accept(_directory, [Result(secondsPerEpoch: 10)]);

        BaselineUpdater.Accept(_directory, [Result(secondsPerEpoch: 11)]).Single().Summary.Should().Be("median 10.000 → 11.000 s/epoch (+10.0%)");
        BaselineUpdater.Accept(_directory, [Result(secondsPerEpoch: 8.8)]).Single().Summary.Should().Be("median 11.000 → 8.800 s/epoch (-20.0%)");
    }

    [Fact]
    public void Accept_MetricAndMedianMoved_SaysBoth()
    {
        BaselineUpdater.Accept(_directory, [Result()]);

        var change = BaselineUpdater.Accept(_directory, [Result(metric: 0.87, secondsPerEpoch: 12)]).Single();

        change.Kind.Should().Be(ChangeKind.Updated);
        change.Summary.Should().Be("metric 0.8500 → 0.8700, median 10.000 → 12.000 s/epoch (+20.0%)");
    }

    [Fact]
    public void Accept_OtherData_SaysWhichDataBeforeAndAfter()
    {
        BaselineUpdater.Accept(_directory, [Result()]);
        var mnist = FashionMnist with { Name = "mnist", Checksum = new string('c', 64) };

        BaselineUpdater.Accept(_directory, [Result(data: mnist)]).Single().Summary.Should().Be("data fashion-mnist → mnist");
    }

    [Fact]
    public void Accept_OnlyWhereItRanChanged_SaysSoRatherThanNothing()
    {
        BaselineUpdater.Accept(_directory, [Result()]);
        var result = Result();

        var change = BaselineUpdater.Accept(_directory, [result with { Environment = result.Environment with { Commit = "def456" } }]).Single();

        change.Kind.Should().Be(ChangeKind.Updated);
        change.Summary.Should().Be("environment or samples updated");
    }

    [Fact]
    public void Accept_MetricOnlyEntryWhoseMetricMoved_DoesNotTalkAboutAMedian()
    {
        BaselineUpdater.Accept(_directory, [WithSamples(Result(), 4)]);

        var change = BaselineUpdater.Accept(_directory, [WithSamples(Result(metric: 0.86), 4)]).Single();

        change.Summary.Should().Be("metric 0.8500 → 0.8600; no timing recorded: the run has 4 timing samples, the gate needs 5");
    }

    [Fact]
    public void Accept_TimingForAMetricOnlyEntry_SaysTimingIsNowRecorded()
    {
        BaselineUpdater.Accept(_directory, [WithSamples(Result(), 4)]);

        BaselineUpdater.Accept(_directory, [Result()]).Single().Summary.Should().Be("timing recorded: median 10.000 s/epoch");
    }

    [Fact]
    public void Accept_TooFewSamplesOverATimedEntry_SaysTheTimingIsDropped()
    {
        BaselineUpdater.Accept(_directory, [Result()]);

        BaselineUpdater.Accept(_directory, [WithSamples(Result(), 4)]).Single().Summary
            .Should().Be("timing dropped (median was 10.000 s/epoch); no timing recorded: the run has 4 timing samples, the gate needs 5");
    }

    [Fact]
    public void Accept_SameResultAgain_SaysNoChange()
    {
        BaselineUpdater.Accept(_directory, [Result()]);

        BaselineUpdater.Accept(_directory, [Result()]).Single().Should().Be(new BaselineChange("cpu-test-2t", "mlp_mnist/torchsharp/ci", ChangeKind.Unchanged, "no change"));
    }

    [Fact]
    public void Accept_SeveralDevicesAndEntries_ReportsByDeviceKeyAndWritesEntriesSorted()
    {
        var changes = BaselineUpdater.Accept(_directory, [
            Result(device: "cpu-zen-2t", workload: "mlp_mnist"), Result(device: "cpu-epyc-2t", workload: "mlp_mnist"),
            Result(device: "cpu-epyc-2t", workload: "cnn_mnist"), Result(device: "cpu-epyc-2t", workload: "bilstm_imdb"),
        ]);

        changes.Select(c => c.Device).Should().Equal("cpu-epyc-2t", "cpu-epyc-2t", "cpu-epyc-2t", "cpu-zen-2t");
        BaselineStore.Load(_directory).FileFor("cpu-epyc-2t")!.Entries.Select(e => e.Workload).Should().Equal("bilstm_imdb", "cnn_mnist", "mlp_mnist");
    }

    [Fact]
    public void Accept_OverAHistoricalRowOfARegisteredBackend_IsRefused()
    {
        var historical = Entry() with { Historical = new HistoricalSource("a 2017 benchmark", "not re-run"), Timing = null, Recorded = null };
        var path = BaselineStore.PathFor(_directory, "cpu-test-2t");
        File.WriteAllText(path, BaselineUpdater.Serialize(new BaselineFile { Device = new BaselineDevice("cpu-test-2t", "cpu", "Test CPU"), Entries = [historical] }));
        var before = File.ReadAllText(path);

        var act = () => BaselineUpdater.Accept(_directory, [Result()]);

        act.Should().Throw<InvalidOperationException>().WithMessage($"{path}: mlp_mnist/torchsharp/ci is a historical row; results cannot replace it.");
        File.ReadAllText(path).Should().Be(before);
    }

    [Fact]
    public void ToEntry_DeviceKindDecidesTheDefaultBudget()
    {
        BaselineUpdater.ToEntry(Result(), null, DeviceKind.Cuda).Timing!.Budget.Should().Be(GatePolicy.TimingBudget(DeviceKind.Cuda));
        GatePolicy.TimingBudget(DeviceKind.Cuda).Should().BeLessThan(GatePolicy.TimingBudget(DeviceKind.Cpu));
    }

    private static RunResult WithSamples(RunResult result, int count) => result with
    {
        Epochs = result.Epochs.Select(e => e with { TrainSecondsSamples = e.Epoch == result.Epochs.Count ? Enumerable.Repeat(10.0, count).ToList() : [] }).ToList(),
    };

    public void Dispose() => _root.Dispose();
}

/// <summary>The rules a baseline file must meet beyond its schema, each stated in the message that names the place.</summary>
[Trait("Category", "Unit")]
public sealed class BaselineRulesTests
{
    private const string Path = "/b/cpu-test-2t.json";

    private static BaselineFile File(params BaselineEntry[] entries) => new() { Device = new BaselineDevice("cpu-test-2t", "cpu", "Test CPU"), Entries = entries };

    [Fact]
    public void Problem_AFileTheUpdaterWrites_HasNone() => BaselineRules.Problem(Path, File(Entry(), Entry(workload: "cnn_mnist"))).Should().BeNull();

    [Fact]
    public void Problem_DeviceKeyOrKindWrong()
    {
        BaselineRules.Problem(Path, File() with { Device = new BaselineDevice("CPU", "cpu", "x") }).Should().StartWith("/device/key: 'CPU' is not a device key");
        BaselineRules.Problem(Path, File() with { Device = new BaselineDevice("cpu-test-2t", "gpu", "x") })
            .Should().Be("/device/kind is 'gpu', but the key cpu-test-2t is a cpu key.");
        BaselineRules.Problem("/b/h100-80gb.json", File() with { Device = new BaselineDevice("h100-80gb", "cpu", "x") })
            .Should().Be("/device/kind is 'cpu', but the key h100-80gb is a gpu key.");
    }

    [Fact]
    public void Problem_NamesTheEntryByIndexAndKey()
    {
        BaselineRules.Problem(Path, File(Entry(), Entry(workload: "resnet"))).Should().Be("/entries/1 (resnet/torchsharp/ci): unknown workload 'resnet'.");
    }

    [Fact]
    public void Problem_UnknownBackend_ListsTheKnownOnes()
    {
        BaselineRules.Problem(Path, File(Entry() with { Backend = "tensorflow" })).Should().Be(
            $"/entries/0 (mlp_mnist/tensorflow/ci): unknown backend 'tensorflow' (known: {string.Join(", ", PerfTests.Harness.Backends.BackendRegistry.Names)}; only historical rows may name others).");
        PerfTests.Harness.Backends.BackendRegistry.Names.Should().Contain(["torchsharp", "managed"]);
    }

    [Fact]
    public void Problem_MetricTheWorkloadDoesNotMeasure()
    {
        BaselineRules.Problem(Path, File(Entry() with { Metric = new MetricBaseline(MetricKind.TrainingLoss, 0.5, 0.1) }))
            .Should().Be("/entries/0 (mlp_mnist/torchsharp/ci): has metric TrainingLoss, but the workload measures ValidationAccuracy.");
    }

    [Fact]
    public void Problem_NonFiniteNumbers_NameTheField()
    {
        var entry = Entry();
        BaselineRules.Problem(Path, File(entry with { Metric = entry.Metric with { Value = double.NaN } }))
            .Should().EndWith("metric/value is not a finite number.");
        BaselineRules.Problem(Path, File(entry with { Timing = entry.Timing! with { Samples = [1, 1, 1, double.PositiveInfinity, 1] } }))
            .Should().EndWith("timing/samples/3 is not a finite number.");
        BaselineRules.Problem(Path, File(entry with { Timing = entry.Timing! with { SecondsPerEpoch = double.NaN } }))
            .Should().EndWith("timing/secondsPerEpoch is not a finite number.");
        BaselineRules.Problem(Path, File(entry with { Metric = entry.Metric with { Tolerance = double.PositiveInfinity } }))
            .Should().EndWith("metric/tolerance is not a finite number.");
        BaselineRules.Problem(Path, File(entry with { Timing = entry.Timing! with { Budget = double.NaN } }))
            .Should().EndWith("timing/budget is not a finite number.");
    }

    [Fact]
    public void Problem_MeasuredEntryWithoutTolerance_IsRefused_HistoricalIsNot()
    {
        var noTolerance = Entry() with { Metric = new MetricBaseline(MetricKind.ValidationAccuracy, 0.85, null) };

        BaselineRules.Problem(Path, File(noTolerance)).Should().EndWith("metric/tolerance is null; only historical rows have none.");
        BaselineRules.Problem(Path, File(noTolerance with { Backend = "theano", Historical = new HistoricalSource("2017", "seed") })).Should().BeNull();
    }

    [Fact]
    public void Problem_LossToleranceAboveTheLoss_CouldNeverFail_ButEqualIsAllowed()
    {
        var loss = Entry(metric: 1.4, tolerance: 1.4, kind: MetricKind.TrainingLoss, workload: "lstm_textgen");

        BaselineRules.Problem(Path, File(loss)).Should().BeNull();
        BaselineRules.Problem(Path, File(loss with { Metric = loss.Metric with { Tolerance = 1.5 } }))
            .Should().Contain("metric/tolerance 1.5 is larger than the loss itself (1.4): the check could never fail.");
    }

    [Fact]
    public void Problem_TimingNeedsABudgetAndFiveSamples()
    {
        var entry = Entry();

        BaselineRules.Problem(Path, File(entry with { Timing = entry.Timing! with { Samples = [1, 1, 1, 1, 1] } })).Should().BeNull();
        BaselineRules.Problem(Path, File(entry with { Timing = entry.Timing! with { Samples = [1, 1, 1, 1] } }))
            .Should().EndWith("timing/samples holds 4 samples; the gate needs at least 5 to tell a slowdown from noise.");
        BaselineRules.Problem(Path, File(entry with { Timing = entry.Timing! with { Budget = null } })).Should().EndWith("timing/budget is null; only historical rows have none.");
    }

    [Theory]
    [InlineData("$.entries[0].recorded.date", "/entries/0/recorded/date")]
    [InlineData("$['a/b']['x~y']", "/a~1b/x~0y")]
    [InlineData("$", "/")]
    public void Pointer_FromTheSerializersPath(string path, string pointer) =>
        BaselineRules.Pointer(new JsonException("bad", path, 3, 7)).Should().Be(pointer);

    [Fact]
    public void Pointer_WithoutAPath_IsTheLineAndByte()
    {
        BaselineRules.Pointer(new JsonException("bad", null, 3, 7)).Should().Be("line 4, byte 8");
        BaselineRules.Pointer(new JsonException("bad")).Should().Be("/");
    }
}

/// <summary>How a verdict reads: what the CLI prints and what the tests assert on.</summary>
[Trait("Category", "Unit")]
public sealed class VerdictTests
{
    [Fact]
    public void Verdict_FailsWhenAnyConclusionFails_AndListsEachConclusion()
    {
        var failed = new Verdict("mlp_mnist/torchsharp/cpu-test-2t/ci", [
            new Conclusion("metric", ConclusionKind.Pass, "fine"),
            new Conclusion("timing", ConclusionKind.Fail, "slow"),
            new Conclusion("paired", ConclusionKind.Report, "undecided"),
        ]);

        failed.Passed.Should().BeFalse();
        failed.Failures.Select(f => f.Check).Should().Equal("timing");
        failed.ToString().Should().Be("mlp_mnist/torchsharp/cpu-test-2t/ci: FAILED\n  [pass] metric: fine\n  [fail] timing: slow\n  [report] paired: undecided");
    }

    [Fact]
    public void Verdict_ReportsAlonePass()
    {
        var passed = new Verdict("c", [new Conclusion("metric", ConclusionKind.Report, "better")]);

        passed.Passed.Should().BeTrue();
        passed.Failures.Should().BeEmpty();
        passed.ToString().Should().StartWith("c: passed\n");
    }
}
