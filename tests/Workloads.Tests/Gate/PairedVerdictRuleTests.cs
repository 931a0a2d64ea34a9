using PerfTests.Harness.Baselines;
using PerfTests.Harness.Gate;

namespace PerfTests.Workloads.Tests.Gate;

/// <summary>
/// The paired verdict's documented rules at their edges: pass when the upper bound is at or below the budget, fail when the
/// lower bound is above it, undecided otherwise; the Hodges–Lehmann centre and the signed-rank bounds; the caps; and the
/// rerun that a failure needs before the case fails.
/// </summary>
[Trait("Category", "Unit")]
public sealed class PairedVerdictRuleTests
{
    /// <summary>Blocks with exactly these log ratios (base 1 s, head e^d s).</summary>
    private static List<PairedBlock> LogRatios(params double[] d) => d.Select((x, i) => new PairedBlock(1, Math.Exp(x), i % 2 == 1)).ToList();

    private static List<PairedBlock> Constant(double ratio, int count) =>
        Enumerable.Range(0, count).Select(i => new PairedBlock(2 + i, (2 + i) * ratio, i % 2 == 1)).ToList();

    [Fact]
    public void Estimate_EveryBlockExactlyAtTheBudget_Passes()
    {
        // Upper bound equal to the budget is "at or below" it: pass. The lower bound equal to it is not "above": no fail.
        var blocks = Constant(1.25, 10);
        double budget = Math.Exp(Math.Log(1.25)); // the ratio as the statistic sees it: through its logarithm and back

        var estimate = PairedStatistics.Estimate(blocks, budget, 0.01);

        estimate.Lower.Should().Be(budget);
        estimate.Upper.Should().Be(budget);
        estimate.Outcome.Should().Be(PairedOutcome.Pass);
    }

    [Fact]
    public void Estimate_EightBlocks_BoundsAreTheSecondSmallestAndSecondLargestWalshAverages()
    {
        // n = 8 at α = 0.01: C = 2, so the bounds are the 2nd smallest and the 2nd largest of the 36 Walsh averages:
        // (d1 + d2) / 2 and (d7 + d8) / 2 for increasing d.
        var estimate = PairedStatistics.Estimate(LogRatios(0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08), 1.5, 0.01);

        estimate.Lower.Should().BeApproximately(Math.Exp(0.015), 1e-12);
        estimate.Upper.Should().BeApproximately(Math.Exp(0.075), 1e-12);
        estimate.Ratio.Should().BeApproximately(Math.Exp(0.045), 1e-12);
        estimate.Blocks.Should().Be(8);
        estimate.Outcome.Should().Be(PairedOutcome.Pass);
    }

    [Fact]
    public void Estimate_CentreIsTheMedianOfAllWalshAverages_EvenCount()
    {
        // d = 0, 0.3, 0.9: Walsh averages 0, 0.15, 0.3, 0.45, 0.6, 0.9 (each d with itself included); median (0.3 + 0.45) / 2.
        PairedStatistics.Estimate(LogRatios(0, 0.3, 0.9), 1.1, 0.01).Ratio.Should().BeApproximately(Math.Exp(0.375), 1e-12);
    }

    [Fact]
    public void Estimate_CentreIsTheMedianOfAllWalshAverages_OddCount()
    {
        // d = 0, 0.2: Walsh averages 0, 0.1, 0.2. d = 0, 0.1, 0.2, 0.3, 1.0: 15 averages, the 8th smallest is 0.2.
        PairedStatistics.Estimate(LogRatios(0, 0.2), 1.1, 0.01).Ratio.Should().BeApproximately(Math.Exp(0.1), 1e-12);
        PairedStatistics.Estimate(LogRatios(0, 0.1, 0.2, 0.3, 1.0), 1.1, 0.01).Ratio.Should().BeApproximately(Math.Exp(0.2), 1e-12);
    }

    [Fact]
    public void Estimate_TooFewBlocksForAnyBound_IsUndecidedWithAnOpenInterval()
    {
        // Six blocks cannot reach α = 0.01 (1/64 > 0.01): even a doubling is not decided.
        var estimate = PairedStatistics.Estimate(Constant(2.0, 6), 1.1, 0.01);

        estimate.Outcome.Should().Be(PairedOutcome.Undecided);
        estimate.Lower.Should().Be(0);
        estimate.Upper.Should().Be(double.PositiveInfinity);
        estimate.Ratio.Should().BeApproximately(2.0, 1e-12);
        estimate.ToString().Should().Contain("[0.000, ∞]");
    }

    [Fact]
    public void Estimate_SevenBlocks_AreTheFewestThatDecide()
    {
        PairedStatistics.Estimate(Constant(2.0, 7), 1.1, 0.01).Outcome.Should().Be(PairedOutcome.Fail);
        PairedStatistics.Estimate(Constant(1.0, 7), 1.1, 0.01).Outcome.Should().Be(PairedOutcome.Pass);
    }

    [Fact]
    public void Estimate_NoBlocks_IsUndecided()
    {
        var estimate = PairedStatistics.Estimate([], 1.1, 0.01);

        estimate.Outcome.Should().Be(PairedOutcome.Undecided);
        estimate.Blocks.Should().Be(0);
        estimate.Ratio.Should().Be(double.NaN);
        estimate.Upper.Should().Be(double.PositiveInfinity);
    }

    [Fact]
    public void Estimate_FasterHead_PassesAndShowsTheIntervalBelowOne()
    {
        var estimate = PairedStatistics.Estimate(Constant(0.8, 8), 1.1, 0.01);

        estimate.Outcome.Should().Be(PairedOutcome.Pass);
        estimate.ToString().Should().Be("head/base 0.800 [0.800, 0.800] (98% interval, 8 blocks), budget 1.10: Pass");
    }

    [Theory]
    [InlineData(double.PositiveInfinity, 1.0)]
    [InlineData(1.0, double.PositiveInfinity)]
    [InlineData(double.NaN, 1.0)]
    [InlineData(1.0, 0.0)]
    public void Estimate_NonFiniteOrZeroSeconds_AreRefusedNamingTheBlock(double baseSeconds, double headSeconds)
    {
        var act = () => PairedStatistics.Estimate([new PairedBlock(baseSeconds, headSeconds, false)], 1.1, 0.01);

        act.Should().Throw<ArgumentException>().WithMessage("Block 1: seconds must be finite and positive*");
    }

    [Theory]
    [InlineData(0.0, 0.01)]
    [InlineData(-1.0, 0.01)]
    [InlineData(double.PositiveInfinity, 0.01)]
    [InlineData(double.NaN, 0.01)]
    [InlineData(1.1, 0.0)]
    [InlineData(1.1, 0.5)]
    public void Estimate_ImpossibleBudgetOrAlpha_IsRefused(double budget, double alpha)
    {
        var act = () => PairedStatistics.Estimate(Constant(1.0, 8), budget, alpha);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Estimate_TinyBudgetAndAlphaJustBelowHalf_AreAccepted()
    {
        PairedStatistics.Estimate(Constant(1.0, 8), 1e-9, 0.49).Outcome.Should().Be(PairedOutcome.Fail);
    }

    [Theory]
    [InlineData(20, 0.05, 61)]   // tables: one-sided 5% critical value 60 for n = 20
    [InlineData(15, 0.01, 20)]   // tables: one-sided 1% critical value 19 for n = 15
    [InlineData(30, 0.01, 121)]  // tables: one-sided 1% critical value 120 for n = 30
    [InlineData(7, 1.0 / 128, 1)] // P(T⁺ ≤ 0) = 1/128 exactly: "at most α" includes α itself
    public void LowerCriticalCount_MatchesThePublishedTables(int n, double alpha, int expected) =>
        PairedStatistics.LowerCriticalCount(n, alpha).Should().Be(expected);

    [Theory]
    [InlineData(1.0, 0.01, 8, 16, 600.0, "*The paired budget is a ratio in (1, 10].*")]
    [InlineData(1.1, 0.5, 8, 16, 600.0, "*α must be in (0, 0.5).*")]
    [InlineData(1.1, 0.01, 9, 8, 600.0, "*Blocks: need 2 ≤ min (9) ≤ max (8).*")]
    [InlineData(1.1, 0.01, 8, 16, -1.0, "*The per-case time cap must be positive.*")]
    public void Settings_OutOfRange_SayWhatIsAllowed(double budget, double alpha, int minBlocks, int maxBlocks, double caseSeconds, string message)
    {
        var act = () => new PairedSettings(budget, alpha, minBlocks, maxBlocks, caseSeconds).Validate();

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage(message);
    }

    [Fact]
    public void Compare_InvalidSettings_AreRefusedBeforeAnyBlockRuns()
    {
        int blocks = 0;

        var act = () => PairedComparer.Compare("c", _ => { blocks++; return new PairedBlock(1, 1, false); }, new PairedSettings(1.1, MinBlocks: 1));

        act.Should().Throw<ArgumentOutOfRangeException>();
        blocks.Should().Be(0);
    }

    [Theory]
    [InlineData(10.0, 0.01, 2, 2, 1.0, true)]
    [InlineData(10.01, 0.01, 8, 16, 600.0, false)]
    [InlineData(1.1, 0.01, 1, 16, 600.0, false)]
    [InlineData(1.1, 0.0, 8, 16, 600.0, false)]
    [InlineData(1.1, 0.01, 8, 16, 0.0, false)]
    [InlineData(1.1, 0.01, 8, 16, double.NaN, false)]
    public void Settings_Limits(double budget, double alpha, int minBlocks, int maxBlocks, double caseSeconds, bool valid)
    {
        var act = () => new PairedSettings(budget, alpha, minBlocks, maxBlocks, caseSeconds).Validate();

        if (valid) act.Should().NotThrow();
        else act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Compare_BlocksBeforeTheFirstLook_AreNotJudged()
    {
        // A clear doubling decides at 7 blocks, but the comparison looks only from MinBlocks on.
        var result = PairedComparer.Compare("c", _ => new PairedBlock(1, 2, false), new PairedSettings(1.1, MinBlocks: 9, MaxBlocks: 9));

        result.Attempts.Should().HaveCount(2).And.OnlyContain(a => a.Blocks.Count == 9 && a.StoppedBecause == "decided");
        result.Failed.Should().BeTrue();
    }

    [Fact]
    public void Compare_DeadlineReachedExactly_Stops()
    {
        var at = new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);
        var noisy = Straddling();
        int next = 0;

        var result = PairedComparer.Compare("c", _ => noisy[next++], new PairedSettings(1.10, MinBlocks: 8, MaxBlocks: 50, Deadline: at), now: () => at);

        result.Attempts.Single().StoppedBecause.Should().Be("total time cap");
        result.Attempts.Single().Blocks.Should().HaveCount(8);
    }

    [Fact]
    public void Compare_DeadlineAhead_KeepsAddingBlocks()
    {
        var at = new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);
        var noisy = Straddling();
        int next = 0;

        var result = PairedComparer.Compare("c", _ => noisy[next++], new PairedSettings(1.10, MinBlocks: 8, MaxBlocks: 12, Deadline: at.AddMinutes(1)), now: () => at);

        result.Attempts.Single().StoppedBecause.Should().Be("block cap (12)");
    }

    [Fact]
    public void Compare_CaseTimeCap_CountsFromTheAttemptsOwnStart()
    {
        // The clock reads 1000 s before the comparison starts; the cap is 300 s of this attempt, not of the clock's origin.
        double seconds = 1000;
        var noisy = Straddling();
        int next = 0;

        var result = PairedComparer.Compare("c", _ => { seconds += 30; return noisy[next++]; },
            new PairedSettings(1.10, MinBlocks: 8, MaxBlocks: 50, CaseSeconds: 300), clock: () => seconds);

        result.Attempts.Single().Blocks.Should().HaveCount(10);
    }

    [Fact]
    public void Compare_FirstFailsAndRerunUndecided_IsReportedAsNotFailedSayingTheRerunWasNot()
    {
        var blocks = Constant(1.5, 8).Concat(Straddling()).ToList();
        int next = 0;
        var log = new List<string>();

        var result = PairedComparer.Compare("mlp_mnist/managed/ci", _ => blocks[next++], new PairedSettings(1.10, MinBlocks: 8, MaxBlocks: 8), log: log.Add);

        result.Attempts.Select(a => a.Estimate.Outcome).Should().Equal(PairedOutcome.Fail, PairedOutcome.Undecided);
        result.Failed.Should().BeFalse();
        var conclusion = result.ToConclusion();
        conclusion.Check.Should().Be(PairedComparer.Check);
        conclusion.Kind.Should().Be(ConclusionKind.Report);
        conclusion.Message.Should().StartWith("first attempt over budget, the rerun was not: not failed. attempt 1: head/base 1.500");
        log.Should().Contain(l => l.StartsWith("mlp_mnist/managed/ci: first attempt over budget (head/base 1.500") && l.EndsWith("measuring again with fresh blocks"));
        log.Should().Contain("  block 1: base 2.000 s, head 3.000 s, ratio 1.500");
    }

    [Fact]
    public void Compare_UndecidedAtTheCap_IsReportedSayingSo()
    {
        var noisy = Straddling();
        int next = 0;

        var conclusion = PairedComparer.Compare("c", _ => noisy[next++], new PairedSettings(1.10, MinBlocks: 8, MaxBlocks: 8)).ToConclusion();

        conclusion.Kind.Should().Be(ConclusionKind.Report);
        conclusion.Message.Should().StartWith("undecided at the cap: not failed. attempt 1: ").And.Contain("(stopped: block cap (8))");
    }

    [Fact]
    public void Compare_Passing_MeasuresOnceAndShowsEveryPair()
    {
        int calls = 0;

        var result = PairedComparer.Compare("c", _ => { calls++; return new PairedBlock(2, 2, false); }, new PairedSettings(1.10, MinBlocks: 8, MaxBlocks: 8));

        calls.Should().Be(8, "a pass needs no rerun");
        var conclusion = result.ToConclusion();
        conclusion.Kind.Should().Be(ConclusionKind.Pass);
        conclusion.Message.Should().EndWith("pairs base→head s/epoch: " + string.Join(", ", Enumerable.Repeat("2.000→2.000 (1.000)", 8)));
    }

    [Fact]
    public void Result_WithoutAttempts_HasNotFailed() => new PairedComparisonResult("c", []).Failed.Should().BeFalse();

    [Fact]
    public void Result_FailsOnlyWhenEveryAttemptFailed()
    {
        var fail = new PairedAttempt(Constant(1.5, 8), PairedStatistics.Estimate(Constant(1.5, 8), 1.1, 0.01), "decided");
        var pass = new PairedAttempt(Constant(1.0, 8), PairedStatistics.Estimate(Constant(1.0, 8), 1.1, 0.01), "decided");

        new PairedComparisonResult("c", [fail, fail]).Failed.Should().BeTrue();
        new PairedComparisonResult("c", [fail, pass]).Failed.Should().BeFalse();
        new PairedComparisonResult("c", [pass]).ToConclusion().Kind.Should().Be(ConclusionKind.Pass);
        new PairedComparisonResult("c", [fail, fail]).ToConclusion().Message.Should().StartWith("slower than base beyond the budget in both attempts. attempt 1: ")
            .And.Contain(" | attempt 2: ");
    }

    /// <summary>Blocks whose ratio alternates 1.0 and 1.2 around a 1.1 budget: the interval straddles it however many there are.</summary>
    private static List<PairedBlock> Straddling() =>
        Enumerable.Range(0, 100).Select(i => new PairedBlock(1, i % 2 == 0 ? 1.0 : 1.2, i % 2 == 1)).ToList();
}
