using PerfTests.Harness.Backends;
using PerfTests.Workloads.Tests.Backends.Fake;

namespace PerfTests.Workloads.Tests.Backends;

/// <summary>The backends the conformance suite checks: every registered one, plus the test-only ones below (one line each).</summary>
internal static class ConformanceBackends
{
    private static readonly IReadOnlyList<IBackend> TestOnly =
    [
        new FakeBackend(),
    ];

    public static IReadOnlyList<IBackend> All { get; } = [.. BackendRegistry.All, .. TestOnly];

    public static IBackend Get(string name) => All.Single(b => b.Name == name);

    /// <summary>The float64 reference: the first registered backend that computes in float64, or null (with the reason) when none can run here.</summary>
    public static (IBackend? Backend, string Reason) Reference()
    {
        var candidates = BackendRegistry.All.Where(b => b.Traits.SupportsFloat64).ToList();
        if (candidates.Count == 0) return (null, "no registered backend computes in float64 (BackendTraits.SupportsFloat64)");
        var available = candidates.FirstOrDefault(b => b.Probe().IsAvailable);
        return available is null
            ? (null, $"the float64 reference backend is not available here: {candidates[0].Probe().Reason}")
            : (available, "");
    }
}
