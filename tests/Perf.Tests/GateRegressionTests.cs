using PerfTests.Harness.Baselines;
using PerfTests.Harness.Gate;
using PerfTests.Harness.Data;
using PerfTests.Harness.Workloads;
using Xunit.Abstractions;

namespace PerfTests.Perf.Tests;

/// <summary>
/// The gate must fail when it should: each test records a real baseline into a temporary copy of baselines/,
/// doctors it, and runs the same case again. Each run takes seconds.
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
        // fastText on the managed engine, ci profile: 313 batches an epoch timed in 10 segments of about 30 ms, 3 steady epochs,
        // so 30 timing samples, each long against a scheduler slice, in about a second of training per run. The smoke
        // profile's 8 one-batch segments of libtorch's fastText measured 0.13-2.2 s within one process on a busy machine:
        // noise no 3x doctoring survives. What this test pins is the gate's failure path, not one engine's steadiness.
        // One thread: on a VM whose host moves the two vCPUs apart and back (README, "The slow spells"), fastText's
        // two-thread epoch changed 2.2x between the recording run and the checking run (0.38 s/epoch, then 0.17 in the
        // middle of the second run), and the doctored 3x baseline read as 1.36x. One thread does not feel the placement.
        _case = new GateCase(WorkloadCatalog.FastTextImdb.Name, "managed", GateMatrix.ThisMachineCpuKey(threads: 1));
    }

    private GateSettings Settings(bool accept) =>
        new(RunProfile.Ci, _baselines, _results, DataOptions.FromEnvironment(), accept);

    private BaselineEntry RecordBaseline()
    {
        var recorded = GateRunner.Run(_case, Settings(accept: true), _output.WriteLine);
        recorded.Accepted.Should().ContainSingle().Which.Kind.Should().Be(ChangeKind.Added);
        return BaselineStore.Load(_baselines).Find(_case.Workload, _case.Backend, _case.Device.ToString(), RunProfile.Ci)!;
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
        // Timing is compared, but a sub-second epoch on a shared machine can honestly be slower,
        // so only its presence is asserted here; the doctored-baseline test above covers its failure path.
        outcome.Verdict.Conclusions.Should().Contain(c => c.Check == Comparison.TimingCheck);
    }

    public void Dispose()
    {
        Directory.Delete(_baselines, recursive: true);
        Directory.Delete(_results, recursive: true);
    }
}
