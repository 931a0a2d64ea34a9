namespace PerfTests.Workloads.Tests;

/// <summary>
/// libtorch's thread count is one setting for the whole process. Tests that set it (through
/// <c>SessionOptions.Threads</c>) and compare numbers closely run one after another, so one cannot change
/// the reduction order under another.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TorchSharpThreadsCollection
{
    public const string Name = "libtorch thread count";
}
