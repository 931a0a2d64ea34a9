using PerfTests.Harness.Baselines;
using PerfTests.Harness.Gate;
using PerfTests.Harness.Data;
using PerfTests.Harness.Workloads;
using Xunit.Abstractions;

namespace PerfTests.Perf.Tests;

/// <summary>
/// The gate must fail when it should: each test records a real baseline into a temporary copy of baselines/,
/// doctors it, and runs the same case again. Smoke profile, so each run takes seconds.
/// </summary>
// Trains and times real runs, so it is not a unit test; it runs with the gate's CPU rows (the README's test command).
[Collection(PerfCollection.Name)]
[Trait("Category", "Cpu")]
public sealed class GateRegressionTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _baselines = Directory.CreateTempSubdirectory("gate-baselines-").FullName;
    private readonly string _results = Directory.CreateTempSubdirectory("gate-results-").FullName;
    private readonly GateCase _case;

    public GateRegressionTests(ITestOutputHelper output)
    {
        _output = output;
        foreach (var file in Directory.EnumerateFiles(BaselineStore.DefaultDirectory(), "*.json"))
            File.Copy(file, Path.Combine(_baselines, Path.GetFileName(file)));
        // fastText on smoke data has 8 batches a epoch: 8 timing samples for the statistical test.
        _case = new GateCase(WorkloadCatalog.FastTextImdb.Name, "torchsharp", GateMatrix.ThisMachineCpuKey());
    }

    private GateSettings Settings(bool accept) =>
        new(RunProfile.Smoke, _baselines, _results, DataOptions.FromEnvironment(), accept);

    private BaselineEntry RecordBaseline()
    {
        var recorded = GateRunner.Run(_case, Settings(accept: true), _output.WriteLine);
        recorded.Accepted.Should().ContainSingle().Which.Kind.Should().Be(ChangeKind.Added);
        return BaselineStore.Load(_baselines).Find(_case.Workload, _case.Backend, _case.Device.ToString(), RunProfile.Smoke)!;
    }

    private void Replace(BaselineEntry entry)
    {
        var path = BaselineStore.PathFor(_baselines, _case.Device.ToString());
        var file = BaselineStore.ReadFile(path, BaselineStore.LoadSchema(_baselines));
        File.WriteAllText(path, BaselineUpdater.Serialize(file with { Entries = file.Entries.Select(e => e.Key == entry.Key ? entry : e).ToList() }));
    }

    [Fact]
    public void Gate_BaselineThreeTimesFasterThanReality_FailsShowingBothNumbers()
    {
        var entry = RecordBaseline();
        var faster = entry.Timing! with { Samples = entry.Timing.Samples.Select(s => s / 3).ToList() };
        Replace(entry with { Timing = faster });

        var outcome = GateRunner.Run(_case, Settings(accept: false), _output.WriteLine);
        _output.WriteLine(outcome.Verdict.ToString());

        var failure = outcome.Verdict.Failures.Should().ContainSingle().Subject;
        failure.Check.Should().Be(Comparison.TimingCheck);
        failure.Message.Should().Contain($"baseline median {Comparison.Median(faster.Samples):0.0000} s/epoch")
            .And.Contain("measured median").And.Contain("budget 1.50x");
    }

    [Fact]
    public void Gate_AccuracyBaselineOutOfReach_FailsShowingBothNumbers()
    {
        var entry = RecordBaseline();
        Replace(entry with { Metric = entry.Metric with { Value = 1.0, Tolerance = 0.0 } });

        var outcome = GateRunner.Run(_case, Settings(accept: false), _output.WriteLine);
        _output.WriteLine(outcome.Verdict.ToString());

        outcome.Result.Metric.Should().BeLessThan(1.0, "the doctored baseline must be out of reach");
        var failure = outcome.Verdict.Failures.Should().ContainSingle().Subject;
        failure.Check.Should().Be(Comparison.MetricCheck);
        failure.Message.Should().Contain("baseline 1.0000").And.Contain($"measured {outcome.Result.Metric:0.0000}");
    }

    [Fact]
    public void Gate_UnchangedBaseline_MetricPasses()
    {
        RecordBaseline();

        var outcome = GateRunner.Run(_case, Settings(accept: false), _output.WriteLine);
        _output.WriteLine(outcome.Verdict.ToString());

        outcome.Verdict.Conclusions.Single(c => c.Check == Comparison.MetricCheck).Kind.Should().Be(ConclusionKind.Pass,
            "the same seed on the same machine reproduces the metric");
        // Timing is compared, but a millisecond-scale smoke epoch on a shared machine can honestly be slower,
        // so only its presence is asserted here; the doctored-baseline test above covers its failure path.
        outcome.Verdict.Conclusions.Should().Contain(c => c.Check == Comparison.TimingCheck);
    }

    public void Dispose()
    {
        Directory.Delete(_baselines, recursive: true);
        Directory.Delete(_results, recursive: true);
    }
}
