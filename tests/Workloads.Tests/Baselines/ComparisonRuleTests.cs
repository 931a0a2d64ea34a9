using PerfTests.Harness.Baselines;
using PerfTests.Harness.Data;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Workloads;
using static PerfTests.Workloads.Tests.Baselines.Fixtures;

namespace PerfTests.Workloads.Tests.Baselines;

/// <summary>
/// The gate's rules at their edges, as the README states them: the metric may be worse by at most its tolerance (in the
/// metric's own direction), the median may exceed the baseline's by the budget, a speed-up beyond 2x is reported, and a
/// baseline measured on other data is not comparable.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ComparisonRuleTests
{
    private const string Hint = "perftests baselines accept r.json";

    private static Conclusion Only(Verdict verdict, string check) => verdict.Conclusions.Single(c => c.Check == check);

    private static Verdict Loss(double measured, double baseline, double tolerance) => Comparison.Compare(
        Result(metric: measured, kind: MetricKind.TrainingLoss, workload: "lstm_textgen"),
        Entry(metric: baseline, tolerance: tolerance, kind: MetricKind.TrainingLoss, workload: "lstm_textgen"), null, Hint);

    [Fact]
    public void Loss_LowerThanTheBaseline_IsAnImprovementNotARegression()
    {
        var metric = Only(Loss(measured: 1.20, baseline: 1.40, tolerance: 0.07), Comparison.MetricCheck);

        metric.Kind.Should().Be(ConclusionKind.Report, "a lower training loss is better");
        metric.Message.Should().Contain("better than the baseline by 0.2000");
    }

    [Fact]
    public void Loss_SlightlyHigherWithinTolerance_Passes()
    {
        Only(Loss(measured: 1.45, baseline: 1.40, tolerance: 0.07), Comparison.MetricCheck).Kind.Should().Be(ConclusionKind.Pass);
    }

    [Fact]
    public void Loss_HigherBeyondTolerance_FailsSayingByHowMuchAndListingEveryEpoch()
    {
        var metric = Only(Loss(measured: 1.50, baseline: 1.40, tolerance: 0.07), Comparison.MetricCheck);

        metric.Kind.Should().Be(ConclusionKind.Fail);
        metric.Message.Should().StartWith("training loss (lower is better) regressed by 0.1000")
            .And.Contain("Per-epoch: 1.5000, 1.5000, 1.5000");
    }

    [Fact]
    public void Accuracy_WorseByExactlyTheTolerance_Passes()
    {
        // 0.85 - 0.82 is 0.030000000000000027 in binary: "at most the tolerance" must survive decimal figures.
        var verdict = Comparison.Compare(Result(metric: 0.82), Entry(metric: 0.85, tolerance: 0.03), null, Hint);

        Only(verdict, Comparison.MetricCheck).Kind.Should().Be(ConclusionKind.Pass);
    }

    [Fact]
    public void Accuracy_WorseByATenThousandthMoreThanTheTolerance_Fails()
    {
        var verdict = Comparison.Compare(Result(metric: 0.8199), Entry(metric: 0.85, tolerance: 0.03), null, Hint);

        Only(verdict, Comparison.MetricCheck).Kind.Should().Be(ConclusionKind.Fail);
        verdict.Passed.Should().BeFalse();
    }

    [Fact]
    public void Accuracy_BetterByExactlyTheTolerance_PassesWithoutAReport()
    {
        var verdict = Comparison.Compare(Result(metric: 0.88), Entry(metric: 0.85, tolerance: 0.03), null, Hint);

        Only(verdict, Comparison.MetricCheck).Kind.Should().Be(ConclusionKind.Pass);
    }

    [Fact]
    public void Accuracy_EntryWithoutTolerance_FailsAnyDrop()
    {
        var entry = Entry(metric: 0.85) with { Metric = new MetricBaseline(MetricKind.ValidationAccuracy, 0.85, null) };

        var metric = Only(Comparison.Compare(Result(metric: 0.849), entry, null, Hint), Comparison.MetricCheck);

        metric.Kind.Should().Be(ConclusionKind.Fail);
        metric.Message.Should().Contain("tolerance 0.0000");
    }

    [Fact]
    public void Metric_SameDevice_DoesNotClaimTheBaselineCameFromAnotherDevice()
    {
        var metric = Only(Comparison.Compare(Result(), Entry(), null, Hint), Comparison.MetricCheck);

        metric.Message.Should().Be("baseline 0.8500, measured 0.8500, tolerance 0.0300");
    }

    [Fact]
    public void Metric_BaselineOfAnotherKind_Fails()
    {
        var lossEntry = Entry(metric: 1.4, kind: MetricKind.TrainingLoss) with { Workload = "mlp_mnist" };

        var metric = Only(Comparison.Compare(Result(), lossEntry, null, Hint), Comparison.MetricCheck);

        metric.Kind.Should().Be(ConclusionKind.Fail);
        metric.Message.Should().Contain("TrainingLoss").And.Contain("ValidationAccuracy");
    }

    [Fact]
    public void Data_SameSetNameButAnotherChecksum_IsNotComparable()
    {
        var otherRelease = new DataProvenance("fashion-mnist", "/usr/share/datasets/fashion-mnist", new string('b', 64));

        var verdict = Comparison.Compare(Result(data: otherRelease), Entry(), null, Hint);

        var data = Only(verdict, Comparison.DataCheck);
        data.Kind.Should().Be(ConclusionKind.Fail);
        data.Message.Should().StartWith("not comparable").And.Contain("(aaaaaaaaaaaa…)").And.Contain("(bbbbbbbbbbbb…)")
            .And.EndWith("Provide the same data set (see README, Data) or record a baseline for this data.");
        verdict.Conclusions.Should().ContainSingle("numbers measured on other data say nothing about a regression");
        verdict.Passed.Should().BeFalse();
    }

    [Fact]
    public void Data_SameChecksumUnderAnotherName_IsNotComparable()
    {
        var renamed = FashionMnist with { Name = "mnist" };

        Only(Comparison.Compare(Result(data: renamed), Entry(), null, Hint), Comparison.DataCheck).Kind.Should().Be(ConclusionKind.Fail);
    }

    [Fact]
    public void Data_ShortChecksumIsShownWhole()
    {
        var generated = new DataProvenance("generated-mnist", "generator", "generated");

        Only(Comparison.Compare(Result(data: generated), Entry(), null, Hint), Comparison.DataCheck).Message.Should().Contain("this run on generated-mnist (generated)");
    }

    [Fact]
    public void Data_ChecksumOfTwelveCharacters_IsShownWholeWithoutAnEllipsis()
    {
        var twelve = new DataProvenance("generated-mnist", "generator", "0123456789ab");

        Only(Comparison.Compare(Result(data: twelve), Entry(), null, Hint), Comparison.DataCheck).Message.Should().Contain("(0123456789ab)");
    }

    [Fact]
    public void Data_BaselineThatRecordsNoData_IsComparedOnItsNumbers()
    {
        var verdict = Comparison.Compare(Result(), Entry() with { Data = null }, null, Hint);

        verdict.Conclusions.Select(c => c.Check).Should().StartWith([Comparison.MetricCheck, Comparison.TimingCheck]).And.NotContain(Comparison.DataCheck);
        verdict.Passed.Should().BeTrue();
    }

    [Fact]
    public void Timing_MedianExactlyAtTheBudget_Passes()
    {
        // Baseline median 10 s, measured median 15 s: a ratio of exactly 1.50 with budget 1.50 is within it.
        var timing = Only(Comparison.Compare(Result(secondsPerEpoch: 15), Entry(secondsPerEpoch: 10, budget: 1.5), null, Hint), Comparison.TimingCheck);

        timing.Kind.Should().Be(ConclusionKind.Pass);
        timing.Message.Should().Contain("ratio 1.50x");
    }

    [Fact]
    public void Timing_Failure_ListsBothSamplesSoAPersonCanJudgeTheSpread()
    {
        var timing = Only(Comparison.Compare(Result(secondsPerEpoch: 30), Entry(secondsPerEpoch: 10, budget: 1.5), null, Hint), Comparison.TimingCheck);

        timing.Kind.Should().Be(ConclusionKind.Fail);
        timing.Message.Should().Contain("baseline samples [9.600, 9.800, 10.000, 10.200, 10.400, 9.600,")
            .And.Contain("measured samples [28.800, 29.400, 30.000, 30.600, 31.200,")
            .And.Contain("ratio 3.00x, budget 1.50x; Mann–Whitney p = ");
    }

    [Fact]
    public void Timing_TwiceAsFast_IsNotYetSuspicious()
    {
        var timing = Only(Comparison.Compare(Result(secondsPerEpoch: 5), Entry(secondsPerEpoch: 10), null, Hint), Comparison.TimingCheck);

        timing.Kind.Should().Be(ConclusionKind.Pass, "only a speed-up beyond 2x is reported");
    }

    [Fact]
    public void Timing_ClearlyButModeratelyFaster_Passes()
    {
        // 25% faster with tight samples: significant, but far from the 2x that suggests skipped work.
        var timing = Only(Comparison.Compare(Result(secondsPerEpoch: 7.5), Entry(secondsPerEpoch: 10), null, Hint), Comparison.TimingCheck);

        timing.Kind.Should().Be(ConclusionKind.Pass);
    }

    [Fact]
    public void Timing_FiveTimesFaster_SaysHowMuchFaster()
    {
        var timing = Only(Comparison.Compare(Result(secondsPerEpoch: 2), Entry(secondsPerEpoch: 10), null, Hint), Comparison.TimingCheck);

        timing.Kind.Should().Be(ConclusionKind.Report);
        timing.Message.Should().StartWith("unexpectedly fast (5.0000x faster)");
    }

    [Fact]
    public void Timing_MuchFasterButFromASingleSample_IsNotReported()
    {
        // One measured sample cannot make any difference significant; the gate reports only what it can show.
        var oneSample = WithSamples(Result(secondsPerEpoch: 2), [2.0]);

        Only(Comparison.Compare(oneSample, Entry(secondsPerEpoch: 10), null, Hint), Comparison.TimingCheck).Kind.Should().Be(ConclusionKind.Pass);
    }

    [Fact]
    public void Timing_MuchSlowerButFromASingleSample_IsReportedNotFailed()
    {
        var oneSample = WithSamples(Result(secondsPerEpoch: 30), [30.0]);

        var timing = Only(Comparison.Compare(oneSample, Entry(secondsPerEpoch: 10, budget: 1.5), null, Hint), Comparison.TimingCheck);

        timing.Kind.Should().Be(ConclusionKind.Report);
        timing.Message.Should().Contain("over budget but not distinguishable from noise").And.Contain("p = 1 ");
    }

    [Fact]
    public void Timing_RunWithoutTimingSamples_FailsAgainstATimingBaseline()
    {
        var timing = Only(Comparison.Compare(WithSamples(Result(), []), Entry(), null, Hint), Comparison.TimingCheck);

        timing.Kind.Should().Be(ConclusionKind.Fail);
        timing.Message.Should().Be("the run recorded no timing samples.");
    }

    [Fact]
    public void Timing_EntryWithoutBudgetOrSamples_IsReportedAsNoTimingBaseline()
    {
        var entry = Entry();
        var noBudget = entry with { Timing = entry.Timing! with { Budget = null } };
        var noSamples = entry with { Timing = entry.Timing! with { Samples = [] } };

        foreach (var e in new[] { noBudget, noSamples, entry with { Timing = null } })
        {
            var timing = Only(Comparison.Compare(Result(secondsPerEpoch: 30), e, null, Hint), Comparison.TimingCheck);
            timing.Kind.Should().Be(ConclusionKind.Report);
            timing.Message.Should().StartWith("no timing baseline for cpu-test-2t: measured median 30.0000 s/epoch (33.0000 s/epoch with validation)")
                .And.EndWith(Hint);
        }
    }

    [Fact]
    public void Timing_NoBaselineAndNoSamples_ShowsTheSteadyStateMean()
    {
        // The warm-up epoch is slow; the figure shown is the mean of the steady-state epochs' wall seconds.
        var run = WithSamples(Result(secondsPerEpoch: 10), []);
        run = run with { Epochs = run.Epochs.Select(e => e.Epoch == 1 ? e with { Seconds = 100 } : e).ToList() };

        var timing = Only(Comparison.Compare(run, null, null, Hint), Comparison.TimingCheck);

        timing.Message.Should().StartWith("no timing baseline for cpu-test-2t: measured median 11.0000 s/epoch (40.6667 s/epoch with validation)");
    }

    [Fact]
    public void NoBaseline_NamesTheCaseAndTheMeasuredMetric()
    {
        var metric = Only(Comparison.Compare(Result(metric: 0.8123), null, null, Hint), Comparison.MetricCheck);

        metric.Message.Should().Be($"no baseline for mlp_mnist/torchsharp/ci on any device; measured validation accuracy 0.8123. Record one with: {Hint}");
    }

    [Theory]
    [InlineData(new double[] { 4, 1, 3, 2 }, 2.5)]
    [InlineData(new double[] { 5, 1, 3 }, 3)]
    [InlineData(new double[] { 7 }, 7)]
    [InlineData(new double[] { 2, 2, 9, 1, 2, 8 }, 2)]
    public void Median_OfOddAndEvenCounts(double[] values, double expected) => Comparison.Median(values).Should().Be(expected);

    [Fact]
    public void Median_OfNothing_IsNaN() => Comparison.Median([]).Should().Be(double.NaN);

    [Fact]
    public void SlowerBeyond_FewerThanTwoSamplesOnEitherSide_CannotBeSignificant()
    {
        double[] many = Enumerable.Range(0, 20).Select(i => 10 + 0.01 * i).ToArray();

        Comparison.SlowerBeyond([100.0], many, 0.5).Should().Be(1);
        Comparison.SlowerBeyond(many.Select(v => v * 10).ToArray(), [1.0], 0.5).Should().Be(1);
    }

    [Fact]
    public void SlowerBeyond_TwoSamplesFarBeyondTheBudget_CanBeSignificant()
    {
        // With 2 against 20 samples the smallest possible p is 1/231 < alpha, so two clear samples must be able to fail.
        double[] baseline = Enumerable.Range(0, 20).Select(i => 10 + 0.01 * i).ToArray();

        Comparison.SlowerBeyond([100.0, 101.0], baseline, 0.5).Should().BeLessThan(GatePolicy.Alpha);
    }

    [Fact]
    public void SlowerBeyond_ThresholdIsTheBudgetNotAnyShift()
    {
        // 30% slower is significant as "slower", not as "slower than 1.5x".
        double[] baseline = Enumerable.Range(0, 20).Select(i => 10 + 0.01 * i).ToArray();
        double[] slower = baseline.Select(v => v * 1.3).ToArray();

        Comparison.SlowerBeyond(slower, baseline, 0).Should().BeLessThan(GatePolicy.Alpha);
        Comparison.SlowerBeyond(slower, baseline, 0.5).Should().BeGreaterThan(0.5);
    }

    private static RunResult WithSamples(RunResult run, IReadOnlyList<double> samples) =>
        run with { Epochs = run.Epochs.Select(e => e with { TrainSecondsSamples = e.Epoch == run.Epochs.Count ? samples : [] }).ToList() };
}
