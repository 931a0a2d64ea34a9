namespace PerfTests.Harness.Baselines;

public enum ConclusionKind { Pass, Fail, Report }

/// <summary>One finding of a comparison: what was checked, the outcome and a message a person can act on.</summary>
public sealed record Conclusion(string Check, ConclusionKind Kind, string Message);

/// <summary>The gate's decision for one run: the CLI prints it, the tests assert on it; one place computes it.</summary>
public sealed record Verdict(string Case, IReadOnlyList<Conclusion> Conclusions)
{
    public bool Passed => Conclusions.All(c => c.Kind != ConclusionKind.Fail);

    public IEnumerable<Conclusion> Failures => Conclusions.Where(c => c.Kind == ConclusionKind.Fail);

    public override string ToString() =>
        $"{Case}: {(Passed ? "passed" : "FAILED")}\n" + string.Join('\n', Conclusions.Select(c => $"  [{c.Kind.ToString().ToLowerInvariant()}] {c.Check}: {c.Message}"));
}
