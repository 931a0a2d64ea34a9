namespace PerfTests.Workloads.Tests.Measurements;

/// <summary>
/// Allocation counters read the whole process (every thread counts, as a training step's workers must): tests that assert
/// on them run alone, after the parallel tests, so another test's allocations cannot land in their figures.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCountersCollection
{
    public const string Name = "allocation counters (process-wide)";
}
