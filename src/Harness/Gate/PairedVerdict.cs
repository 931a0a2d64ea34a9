namespace PerfTests.Harness.Gate;

/// <summary>One ABBA block: base and head each ran once, as separate processes, back to back on the same machine.</summary>
/// <param name="BaseSeconds">Base's steady-state training seconds per epoch in this block (one process, one observation).</param>
/// <param name="HeadSeconds">Head's, measured in the same block.</param>
/// <param name="HeadFirst">Whether head ran first in the block (blocks alternate the order, so drift within a block cancels).</param>
public sealed record PairedBlock(double BaseSeconds, double HeadSeconds, bool HeadFirst)
{
    public double Ratio => HeadSeconds / BaseSeconds;
}

public enum PairedOutcome
{
    /// <summary>Confidently within the budget: the upper bound of the ratio is at most the budget.</summary>
    Pass,
    /// <summary>Confidently over the budget: the lower bound of the ratio is above it.</summary>
    Fail,
    /// <summary>The interval still straddles the budget; more blocks would tell.</summary>
    Undecided,
}

/// <summary>The head/base ratio with its confidence interval, and what it says about the budget.</summary>
/// <param name="Ratio">Hodges–Lehmann estimate of the median head/base ratio (the pseudo-median of the log ratios, exponentiated).</param>
/// <param name="Lower">One-sided lower confidence bound of the ratio at level 1 − α (1 when too few blocks for any bound).</param>
/// <param name="Upper">One-sided upper confidence bound at level 1 − α (infinity when too few blocks).</param>
public sealed record PairedEstimate(double Ratio, double Lower, double Upper, double Budget, double Alpha, int Blocks, PairedOutcome Outcome)
{
    public override string ToString() =>
        $"head/base {Ratio:F3} [{Lower:F3}, {(double.IsPositiveInfinity(Upper) ? "∞" : Upper.ToString("F3"))}] ({(1 - 2 * Alpha) * 100:F0}% interval, {Blocks} blocks), budget {Budget:F2}: {Outcome}";
}

/// <summary>
/// The paired verdict. Each block gives one log ratio d = ln(head/base); the machine's speed, which drifts by tens of percent
/// over minutes, multiplies both sides of a block alike and cancels in d. The test is Wilcoxon's signed-rank on the d's,
/// inverted into a confidence interval for their centre (the Walsh-average interval, with exact signed-rank quantiles):
/// distribution-free, so one slow block cannot dominate it as it would a t-interval, and exact for the 8–30 blocks a CI run
/// affords, where a bootstrap's coverage is poor. The one assumption, symmetry of d around its centre, holds for A/A pairs by
/// construction (swapping labels flips the sign) and approximately for a constant slowdown.
/// </summary>
public static class PairedStatistics
{
    public static PairedEstimate Estimate(IReadOnlyList<PairedBlock> blocks, double budget, double alpha)
    {
        if (budget <= 0 || !double.IsFinite(budget)) throw new ArgumentOutOfRangeException(nameof(budget), budget, "A budget is a ratio above 0.");
        if (alpha is <= 0 or >= 0.5) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must be in (0, 0.5).");
        var d = new double[blocks.Count];
        for (int i = 0; i < d.Length; i++)
        {
            var b = blocks[i];
            if (!(b.BaseSeconds > 0 && b.HeadSeconds > 0) || !double.IsFinite(b.BaseSeconds) || !double.IsFinite(b.HeadSeconds))
                throw new ArgumentException($"Block {i + 1}: seconds must be finite and positive (base {b.BaseSeconds}, head {b.HeadSeconds}).", nameof(blocks));
            d[i] = Math.Log(b.Ratio);
        }
        if (d.Length == 0) return new PairedEstimate(double.NaN, 0, double.PositiveInfinity, budget, alpha, 0, PairedOutcome.Undecided);

        var walsh = WalshAverages(d);
        double centre = Median(walsh);
        int c = LowerCriticalCount(d.Length, alpha);
        double lower = c >= 1 ? Math.Exp(walsh[c - 1]) : 0;
        double upper = c >= 1 ? Math.Exp(walsh[walsh.Length - c]) : double.PositiveInfinity;
        var outcome = lower > budget ? PairedOutcome.Fail : upper <= budget ? PairedOutcome.Pass : PairedOutcome.Undecided;
        return new PairedEstimate(Math.Exp(centre), lower, upper, budget, alpha, d.Length, outcome);
    }

    /// <summary>All (dᵢ + dⱼ)/2 for i ≤ j, sorted: n(n+1)/2 of them.</summary>
    internal static double[] WalshAverages(IReadOnlyList<double> d)
    {
        var averages = new double[d.Count * (d.Count + 1) / 2];
        int k = 0;
        for (int i = 0;
             // Stryker disable once Equality : with i == d.Count the inner loop runs no iteration, so <= adds nothing
             i < d.Count; i++)
        for (int j = i; j < d.Count; j++)
            averages[k++] = (d[i] + d[j]) / 2;
        Array.Sort(averages);
        return averages;
    }

    /// <summary>
    /// The largest C with P(T⁺ ≤ C − 1) ≤ α for the signed-rank statistic of n pairs under the null (exact, by counting the
    /// 2ⁿ sign assignments of ranks 1..n): the C-th smallest and C-th largest Walsh averages then bound the centre at 1 − α
    /// each. 0 when even C = 1 is too likely (n too small for α), so no bound exists.
    /// </summary>
    internal static int LowerCriticalCount(int n, double alpha)
    {
        // Stryker disable once Arithmetic : a longer or shorter table (n(n-1)/2 or 2n(n+1) entries) changes none of the cumulative probabilities the loop reads before α < 0.5 stops it
        int max = n * (n + 1) / 2;
        var counts = new double[max + 1];
        counts[0] = 1;
        for (int rank = 1; rank <= n; rank++)
            for (int sum = max; sum >= rank; sum--) counts[sum] += counts[sum - rank];
        double total = Math.Pow(2, n), cumulative = 0;
        int c = 0;
        for (int t = 0;
             // Stryker disable once Equality : the loop always breaks before max (the cumulative probability reaches 1 > α there)
             t <= max; t++)
        {
            cumulative += counts[t] / total;
            if (cumulative > alpha) break;
            c = t + 1;
        }
        return c;
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
