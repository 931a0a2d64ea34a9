using PerfTests.Harness.Gate;

namespace PerfTests.Workloads.Tests.Gate;

[Trait("Category", "Unit")]
public sealed class PairedStatisticsTests
{
    /// <summary>Blocks whose head/base ratio is <paramref name="ratio"/> times lognormal noise of the given spread; the base drifts as a shared machine does.</summary>
    private static List<PairedBlock> Blocks(double ratio, int count, double spread, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return Enumerable.Range(0, count).Select(i =>
        {
            double machine = 1 + 0.3 * Math.Sin(i); // the host's speed drifts by ±30%: both sides of a block share it
            return new PairedBlock(machine, machine * ratio * Math.Exp(spread * Normal()), i % 2 == 1);
        }).ToList();
    }

    [Theory]
    [InlineData(8, 0.01, 2)]   // P(T⁺ ≤ 1) = 2/256 ≤ 0.01 < P(T⁺ ≤ 2) = 3/256
    [InlineData(10, 0.05, 11)] // the textbook critical value 10: P(T⁺ ≤ 10) = 0.042, P(T⁺ ≤ 11) = 0.053
    [InlineData(6, 0.01, 0)]   // 1/64 > 0.01: six blocks cannot bound anything at 1%
    [InlineData(7, 0.01, 1)]   // 1/128 ≤ 0.01
    public void LowerCriticalCount_MatchesTheExactSignedRankDistribution(int n, double alpha, int expected) =>
        PairedStatistics.LowerCriticalCount(n, alpha).Should().Be(expected);

    [Fact]
    public void Estimate_PairsWithAnExactRatio_RecoverIt()
    {
        var blocks = Enumerable.Range(0, 10).Select(i => new PairedBlock(1 + i, (1 + i) * 1.25, false)).ToList();

        var estimate = PairedStatistics.Estimate(blocks, budget: 1.1, alpha: 0.01);

        estimate.Ratio.Should().BeApproximately(1.25, 1e-12);
        estimate.Lower.Should().BeApproximately(1.25, 1e-12);
        estimate.Upper.Should().BeApproximately(1.25, 1e-12);
        estimate.Outcome.Should().Be(PairedOutcome.Fail);
    }

    [Fact]
    public void Estimate_NoChangeOnADriftingMachine_PassesATenPercentBudget()
    {
        var estimate = PairedStatistics.Estimate(Blocks(1.0, 12, spread: 0.02, seed: 1), budget: 1.10, alpha: 0.01);

        estimate.Outcome.Should().Be(PairedOutcome.Pass, estimate.ToString());
        estimate.Ratio.Should().BeApproximately(1.0, 0.03);
        estimate.Lower.Should().BeLessThan(1.0).And.BeGreaterThan(0.9);
    }

    [Fact]
    public void Estimate_ThirtyPercentSlower_FailsATenPercentBudget()
    {
        var estimate = PairedStatistics.Estimate(Blocks(1.3, 10, spread: 0.05, seed: 2), budget: 1.10, alpha: 0.01);

        estimate.Outcome.Should().Be(PairedOutcome.Fail, estimate.ToString());
        estimate.Lower.Should().BeGreaterThan(1.10);
        estimate.Ratio.Should().BeApproximately(1.3, 0.06);
    }

    [Fact]
    public void Estimate_RatioAtTheBudget_IsUndecided()
    {
        var estimate = PairedStatistics.Estimate(Blocks(1.10, 10, spread: 0.05, seed: 3), budget: 1.10, alpha: 0.01);

        estimate.Outcome.Should().Be(PairedOutcome.Undecided, estimate.ToString());
        estimate.Lower.Should().BeLessThan(1.10);
        estimate.Upper.Should().BeGreaterThan(1.10);
    }

    [Fact]
    public void Estimate_OneWildBlock_DoesNotDecideAlone()
    {
        var blocks = Blocks(1.0, 10, spread: 0.02, seed: 4);
        blocks[3] = new PairedBlock(1, 3.0, false); // one process hit by something else on the machine

        PairedStatistics.Estimate(blocks, budget: 1.10, alpha: 0.01).Outcome.Should().NotBe(PairedOutcome.Fail);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, double.NaN)]
    [InlineData(-1, 1)]
    public void Estimate_ImpossibleSeconds_AreRefusedNamingTheBlock(double baseSeconds, double headSeconds)
    {
        var act = () => PairedStatistics.Estimate([new PairedBlock(1, 1, false), new PairedBlock(baseSeconds, headSeconds, true)], 1.1, 0.01);

        act.Should().Throw<ArgumentException>().WithMessage("Block 2*");
    }

    [Fact]
    public void Compare_StraddlingCase_AddsBlocksAndStopsAtTheBlockCap()
    {
        var blocks = Blocks(1.10, 100, spread: 0.05, seed: 5);
        int next = 0;

        var result = PairedComparer.Compare("c", _ => blocks[next++], new PairedSettings(1.10, MinBlocks: 8, MaxBlocks: 12));

        result.Attempts.Should().ContainSingle().Which.StoppedBecause.Should().Be("block cap (12)");
        result.Attempts[0].Blocks.Should().HaveCount(12);
        result.Failed.Should().BeFalse("undecided is not a failure");
        result.ToConclusion().Kind.Should().Be(Harness.Baselines.ConclusionKind.Report);
    }

    [Fact]
    public void Compare_ClearCases_StopAsSoonAsDecided()
    {
        var fast = Blocks(1.0, 100, spread: 0.01, seed: 6);
        int next = 0;

        var result = PairedComparer.Compare("c", _ => fast[next++], new PairedSettings(1.10, MinBlocks: 8, MaxBlocks: 40));

        result.Attempts.Single().Blocks.Should().HaveCount(8);
        result.Attempts.Single().StoppedBecause.Should().Be("decided");
        result.ToConclusion().Kind.Should().Be(Harness.Baselines.ConclusionKind.Pass);
    }

    [Fact]
    public void Compare_AlternatesTheOrderWithinBlocks()
    {
        var order = new List<bool>();

        PairedComparer.Compare("c", headFirst => { order.Add(headFirst); return new PairedBlock(1, 1, headFirst); }, new PairedSettings(1.10, MinBlocks: 8, MaxBlocks: 8));

        order.Should().Equal(false, true, false, true, false, true, false, true);
    }

    [Fact]
    public void Compare_CaseTimeCap_StopsTheAttemptAndSaysSo()
    {
        double seconds = 0;
        var blocks = Blocks(1.10, 100, spread: 0.05, seed: 7);
        int next = 0;

        var result = PairedComparer.Compare("c", _ => { seconds += 30; return blocks[next++]; },
            new PairedSettings(1.10, MinBlocks: 8, MaxBlocks: 50, CaseSeconds: 300), clock: () => seconds);

        result.Attempts.Single().StoppedBecause.Should().Be("case time cap (300 s)");
        result.Attempts.Single().Blocks.Should().HaveCount(10);
    }

    [Fact]
    public void Compare_TotalDeadlinePassed_StopsAtTheFirstLook()
    {
        var blocks = Blocks(1.10, 100, spread: 0.05, seed: 8);
        int next = 0;
        var start = new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

        var result = PairedComparer.Compare("c", _ => blocks[next++], new PairedSettings(1.10, MinBlocks: 8, MaxBlocks: 50, Deadline: start.AddMinutes(1)),
            now: () => start.AddMinutes(2));

        result.Attempts.Single().StoppedBecause.Should().Be("total time cap");
    }

    [Fact]
    public void Compare_FirstAttemptFailsSecondPasses_IsNotAFailure_AndShowsBoth()
    {
        var slow = Blocks(1.5, 8, spread: 0.02, seed: 9);
        var same = Blocks(1.0, 8, spread: 0.02, seed: 10);
        var all = slow.Concat(same).ToList();
        int next = 0;

        var result = PairedComparer.Compare("c", _ => all[next++], new PairedSettings(1.10, MinBlocks: 8, MaxBlocks: 8));

        result.Attempts.Select(a => a.Estimate.Outcome).Should().Equal(PairedOutcome.Fail, PairedOutcome.Pass);
        result.Failed.Should().BeFalse();
        var conclusion = result.ToConclusion();
        conclusion.Kind.Should().NotBe(Harness.Baselines.ConclusionKind.Fail);
        conclusion.Message.Should().Contain("attempt 1").And.Contain("attempt 2");
    }

    [Fact]
    public void Compare_BothAttemptsFail_FailsShowingRatioIntervalBudgetAndPairs()
    {
        var slow = Blocks(1.5, 16, spread: 0.02, seed: 11);
        int next = 0;

        var result = PairedComparer.Compare("mlp_mnist/managed/ci", _ => slow[next++], new PairedSettings(1.10, MinBlocks: 8, MaxBlocks: 8));

        result.Failed.Should().BeTrue();
        var conclusion = result.ToConclusion();
        conclusion.Kind.Should().Be(Harness.Baselines.ConclusionKind.Fail);
        conclusion.Message.Should().Contain("budget 1.10").And.Contain("8 blocks").And.Contain("attempt 2").And.Contain("→");
    }

    [Fact]
    public void Settings_OutOfRange_AreRefused()
    {
        ((Action)(() => new PairedSettings(1.0).Validate())).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => new PairedSettings(1.1, MinBlocks: 10, MaxBlocks: 5).Validate())).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => new PairedSettings(1.1, Alpha: 0.5).Validate())).Should().Throw<ArgumentOutOfRangeException>();
    }
}
