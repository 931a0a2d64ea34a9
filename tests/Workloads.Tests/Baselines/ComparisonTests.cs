using PerfTests.Harness.Baselines;
using PerfTests.Harness.Workloads;
using static PerfTests.Workloads.Tests.Baselines.Fixtures;

namespace PerfTests.Workloads.Tests.Baselines;

[Trait("Category", "Unit")]
public sealed class ComparisonTests
{
    private const string Hint = "perftests baselines accept r.json";

    private static Conclusion Only(Verdict verdict, string check) => verdict.Conclusions.Single(c => c.Check == check);

    [Fact]
    public void Compare_SameNumbers_Passes()
    {
        var verdict = Comparison.Compare(Result(), Entry(), null, Hint);

        verdict.Passed.Should().BeTrue();
        verdict.Conclusions.Should().OnlyContain(c => c.Kind == ConclusionKind.Pass);
    }

    [Fact]
    public void Compare_AccuracyBelowTolerance_FailsShowingBaselineMeasuredAndTolerance()
    {
        var verdict = Comparison.Compare(Result(metric: 0.80), Entry(metric: 0.85, tolerance: 0.03), null, Hint);

        verdict.Passed.Should().BeFalse();
        Only(verdict, Comparison.MetricCheck).Message.Should().Contain("baseline 0.8500").And.Contain("measured 0.8000").And.Contain("tolerance 0.0300");
    }

    [Fact]
    public void Compare_AccuracyWithinTolerance_Passes()
    {
        Comparison.Compare(Result(metric: 0.83), Entry(metric: 0.85, tolerance: 0.03), null, Hint).Passed.Should().BeTrue();
    }

    [Fact]
    public void Compare_AccuracyMuchBetter_ReportsWithoutFailing()
    {
        var verdict = Comparison.Compare(Result(metric: 0.95), Entry(metric: 0.85, tolerance: 0.03), null, Hint);

        verdict.Passed.Should().BeTrue();
        Only(verdict, Comparison.MetricCheck).Kind.Should().Be(ConclusionKind.Report);
    }

    [Fact]
    public void Compare_LossHigherThanTolerance_Fails()
    {
        var verdict = Comparison.Compare(
            Result(metric: 1.60, kind: MetricKind.TrainingLoss, workload: "lstm_textgen"),
            Entry(metric: 1.40, tolerance: 0.07, kind: MetricKind.TrainingLoss, workload: "lstm_textgen"), null, Hint);

        Only(verdict, Comparison.MetricCheck).Kind.Should().Be(ConclusionKind.Fail);
    }

    [Fact]
    public void Compare_ThreeTimesSlower_FailsWithMediansBudgetAndSamples()
    {
        var verdict = Comparison.Compare(Result(secondsPerEpoch: 30), Entry(secondsPerEpoch: 10, budget: 1.5), null, Hint);

        var timing = Only(verdict, Comparison.TimingCheck);
        timing.Kind.Should().Be(ConclusionKind.Fail);
        timing.Message.Should().Contain("baseline median 10.0000").And.Contain("measured median 30.0000")
            .And.Contain("budget 1.50x").And.Contain("Mann–Whitney").And.Contain("measured samples [");
    }

    [Fact]
    public void Compare_SlightlySlowerWithinBudget_Passes()
    {
        Only(Comparison.Compare(Result(secondsPerEpoch: 12), Entry(secondsPerEpoch: 10, budget: 1.5), null, Hint), Comparison.TimingCheck)
            .Kind.Should().Be(ConclusionKind.Pass);
    }

    [Fact]
    public void Compare_OverBudgetButNoisy_ReportsInsteadOfFailing()
    {
        // Medians just over budget, but samples spread ±80%: the test cannot tell it from noise.
        var verdict = Comparison.Compare(Result(secondsPerEpoch: 15.5, spread: 0.4), Entry(secondsPerEpoch: 10, budget: 1.5), null, Hint);

        var timing = Only(verdict, Comparison.TimingCheck);
        timing.Kind.Should().Be(ConclusionKind.Report);
        timing.Message.Should().Contain("not distinguishable from noise");
    }

    [Fact]
    public void Compare_MuchFaster_ReportsSuspiciousSpeedUp()
    {
        var timing = Only(Comparison.Compare(Result(secondsPerEpoch: 2), Entry(secondsPerEpoch: 10), null, Hint), Comparison.TimingCheck);

        timing.Kind.Should().Be(ConclusionKind.Report);
        timing.Message.Should().Contain("less work");
    }

    [Fact]
    public void Compare_NoEntryForDevice_ChecksMetricAgainstAnotherDeviceAndReportsTiming()
    {
        var verdict = Comparison.Compare(Result(metric: 0.70, device: "h100-80gb"), null, (Entry(metric: 0.85), "cpu-test-2t"), Hint);

        Only(verdict, Comparison.MetricCheck).Kind.Should().Be(ConclusionKind.Fail);
        Only(verdict, Comparison.MetricCheck).Message.Should().Contain("baseline from cpu-test-2t");
        var timing = Only(verdict, Comparison.TimingCheck);
        timing.Kind.Should().Be(ConclusionKind.Report);
        timing.Message.Should().Contain("no timing baseline for h100-80gb").And.Contain(Hint);
    }

    [Fact]
    public void Compare_NoBaselineAnywhere_ReportsHowToRecordOne()
    {
        var verdict = Comparison.Compare(Result(), null, null, Hint);

        verdict.Passed.Should().BeTrue();
        verdict.Conclusions.Should().OnlyContain(c => c.Kind == ConclusionKind.Report && c.Message.Contains(Hint));
    }

    [Fact]
    public void Compare_DifferentData_FailsAsNotComparable()
    {
        var generated = new PerfTests.Harness.Data.DataProvenance("generated-mnist", "generator", "generated");

        var verdict = Comparison.Compare(Result(data: generated), Entry(), null, Hint);

        Only(verdict, Comparison.DataCheck).Message.Should().Contain("fashion-mnist").And.Contain("generated-mnist");
        verdict.Passed.Should().BeFalse();
    }

    [Fact]
    public void SlowerBeyond_ClearShift_IsSignificant_SmallShiftIsNot()
    {
        double[] baseline = [10, 10.2, 9.9, 10.1, 10, 9.8, 10.3, 10.1];
        double[] triple = baseline.Select(v => v * 3).ToArray();
        double[] bitSlower = baseline.Select(v => v * 1.1).ToArray();

        Comparison.SlowerBeyond(triple, baseline, 0.5).Should().BeLessThan(GatePolicy.Alpha);
        Comparison.SlowerBeyond(bitSlower, baseline, 0.5).Should().BeGreaterThan(0.5);
    }
}
