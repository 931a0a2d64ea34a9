using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Data;

/// <summary>Finds (or generates) the data set a workload names and prepares it as the workload says.</summary>
public static class DataCatalog
{
    /// <summary>
    /// Loads the workload's data for a profile: the real set when found (--data, $PERFTESTS_DATA, the cache,
    /// Debian's Fashion-MNIST for MNIST), else a generated stand-in written in the canonical format and read back
    /// through the same reader. <paramref name="log"/> receives one plain line per decision (what was found, what is missing).
    /// </summary>
    public static WorkloadData Load(WorkloadSpec workload, RunProfile profile, DataOptions options, int seed, Action<string>? log = null)
        => throw new NotImplementedException("Data layer under construction.");
}
