using PerfTests.Harness.Backends;
using PerfTests.Harness.Baselines;
using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Baselines;

[Trait("Category", "Unit")]
public sealed class GateMatrixTests
{
    private static readonly BaselineStore Committed = BaselineStore.Load(BaselineStore.DefaultDirectory(AppContext.BaseDirectory));

    [Fact]
    public void Cases_Gpu_EveryBackendAndWorkloadOnEveryGpuInBaselines()
    {
        var cases = GateMatrix.Cases(Committed, "gpu");

        cases.Select(c => c.DeviceKey).Distinct().Should().BeEquivalentTo("gtx-1080-ti", "k80", "titan-x");
        cases.Should().HaveCount(BackendRegistry.Names.Count * WorkloadCatalog.All.Count * 3).And.OnlyContain(c => c.DeviceKind == "gpu");
    }

    [Fact]
    public void Cases_ThisMachinesGpuWithoutABaseline_IsAddedOnce()
    {
        var cases = GateMatrix.Cases(Committed, "gpu", ["h100-80gb", "h100-80gb", "k80"]);

        cases.Select(c => c.DeviceKey).Distinct().Should().BeEquivalentTo("gtx-1080-ti", "h100-80gb", "k80", "titan-x");
        cases.Count(c => c.DeviceKey == "h100-80gb").Should().Be(BackendRegistry.Names.Count * WorkloadCatalog.All.Count);
        cases.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Cases_Cpu_IncludesThisMachinesCpuAndNoGpu()
    {
        var cases = GateMatrix.Cases(Committed, "cpu", GateMatrix.ThisMachineKeys("cpu"));

        cases.Select(c => c.DeviceKey).Should().Contain(GateMatrix.ThisMachineCpuKey()).And.OnlyContain(k => k.StartsWith("cpu-"));
    }

    [Fact]
    public void ParseOfToString_RoundTrips()
    {
        foreach (var gateCase in GateMatrix.Cases(Committed, "gpu", ["h100-80gb"]).Concat(GateMatrix.Cases(Committed, "cpu")))
            GateCase.Parse(gateCase.ToString()).Should().Be(gateCase);
    }
}
