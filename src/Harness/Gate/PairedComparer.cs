using System.Diagnostics;
using PerfTests.Harness.Baselines;

namespace PerfTests.Harness.Gate;

/// <param name="Budget">Largest allowed head/base ratio (GatePolicy.PairedBudget by default).</param>
/// <param name="Alpha">One-sided error of each bound; the interval shown is 1 − 2α.</param>
/// <param name="MinBlocks">Blocks before the first look (the signed-rank bound needs 5 at α = 0.05, 7 at α = 0.01).</param>
/// <param name="MaxBlocks">Blocks after which an attempt stops undecided.</param>
/// <param name="CaseSeconds">Wall time after which an attempt stops undecided.</param>
/// <param name="Deadline">When the whole comparison (all cases) must stop adding blocks; null for none.</param>
public sealed record PairedSettings(double Budget, double Alpha = GatePolicy.PairedAlpha, int MinBlocks = GatePolicy.PairedMinBlocks,
    int MaxBlocks = GatePolicy.PairedMaxBlocks, double CaseSeconds = 600, DateTimeOffset? Deadline = null)
{
    public PairedSettings Validate()
    {
        if (!(Budget > 1 && Budget <= 10)) throw new ArgumentOutOfRangeException(nameof(Budget), Budget, "The paired budget is a ratio in (1, 10].");
        if (Alpha is <= 0 or >= 0.5) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "α must be in (0, 0.5).");
        if (MinBlocks < 2 || MaxBlocks < MinBlocks) throw new ArgumentOutOfRangeException(nameof(MinBlocks), $"Blocks: need 2 ≤ min ({MinBlocks}) ≤ max ({MaxBlocks}).");
        if (!(CaseSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(CaseSeconds), CaseSeconds, "The per-case time cap must be positive.");
        return this;
    }
}

/// <summary>One attempt: its blocks, the estimate after the last one, and why it stopped adding blocks.</summary>
public sealed record PairedAttempt(IReadOnlyList<PairedBlock> Blocks, PairedEstimate Estimate, string StoppedBecause)
{
    public string Pairs => string.Join(", ", Blocks.Select(b => $"{b.BaseSeconds:F3}→{b.HeadSeconds:F3} ({b.Ratio:F3})"));
}

/// <summary>A case's paired comparison: one attempt, or two when the first failed (a case fails only if both do).</summary>
public sealed record PairedComparisonResult(string Case, IReadOnlyList<PairedAttempt> Attempts)
{
    public bool Failed => Attempts.Count > 0 && Attempts.All(a => a.Estimate.Outcome == PairedOutcome.Fail);

    public Conclusion ToConclusion()
    {
        var attempts = string.Join(" | ", Attempts.Select((a, i) =>
            $"attempt {i + 1}: {a.Estimate} (stopped: {a.StoppedBecause}); pairs base→head s/epoch: {a.Pairs}"));
        if (Failed)
            return new Conclusion(PairedComparer.Check, ConclusionKind.Fail, $"slower than base beyond the budget in both attempts. {attempts}");
        if (Attempts[^1].Estimate.Outcome == PairedOutcome.Pass)
            return new Conclusion(PairedComparer.Check, ConclusionKind.Pass, attempts);
        return new Conclusion(PairedComparer.Check, ConclusionKind.Report,
            Attempts.Count > 1 ? $"first attempt over budget, the rerun was not: not failed. {attempts}" : $"undecided at the cap: not failed. {attempts}");
    }
}

/// <summary>
/// Sequential paired measurement: blocks are added until the interval clears the budget either way, or a cap is hit
/// (blocks, the case's time, the run's deadline; the result says which). A failed attempt is measured once more with fresh
/// blocks, and the case fails only if that fails too: a false alarm must happen twice in a row.
/// </summary>
public static class PairedComparer
{
    public const string Check = "paired";

    /// <param name="runBlock">Runs one block; the argument says whether head runs first (blocks alternate: AB, BA, AB, …).</param>
    /// <param name="clock">Seconds elapsed since an arbitrary origin (a Stopwatch by default; tests pass their own).</param>
    /// <param name="now">The current time, for <see cref="PairedSettings.Deadline"/>.</param>
    public static PairedComparisonResult Compare(string caseName, Func<bool, PairedBlock> runBlock, PairedSettings settings,
        Func<double>? clock = null, Func<DateTimeOffset>? now = null, Action<string>? log = null)
    {
        settings.Validate();
        var stopwatch = Stopwatch.StartNew();
        clock ??= () => stopwatch.Elapsed.TotalSeconds;
        now ??= () => DateTimeOffset.UtcNow;
        var first = Attempt(runBlock, settings, clock, now, log);
        if (first.Estimate.Outcome != PairedOutcome.Fail) return new PairedComparisonResult(caseName, [first]);
        log?.Invoke($"{caseName}: first attempt over budget ({first.Estimate}); measuring again with fresh blocks");
        return new PairedComparisonResult(caseName, [first, Attempt(runBlock, settings, clock, now, log)]);
    }

    private static PairedAttempt Attempt(Func<bool, PairedBlock> runBlock, PairedSettings settings, Func<double> clock, Func<DateTimeOffset> now, Action<string>? log)
    {
        var blocks = new List<PairedBlock>();
        double start = clock();
        while (true)
        {
            var block = runBlock(blocks.Count % 2 == 1);
            blocks.Add(block);
            log?.Invoke($"  block {blocks.Count}: base {block.BaseSeconds:F3} s, head {block.HeadSeconds:F3} s, ratio {block.Ratio:F3}");
            if (blocks.Count < settings.MinBlocks) continue;
            var estimate = PairedStatistics.Estimate(blocks, settings.Budget, settings.Alpha);
            if (estimate.Outcome != PairedOutcome.Undecided) return new PairedAttempt(blocks, estimate, "decided");
            if (blocks.Count >= settings.MaxBlocks) return new PairedAttempt(blocks, estimate, $"block cap ({settings.MaxBlocks})");
            if (clock() - start >= settings.CaseSeconds) return new PairedAttempt(blocks, estimate, $"case time cap ({settings.CaseSeconds:F0} s)");
            if (settings.Deadline is { } deadline && now() >= deadline) return new PairedAttempt(blocks, estimate, "total time cap");
        }
    }
}
