using PerfTests.Harness.Devices;
using PerfTests.Harness.Backends;
using PerfTests.Harness.Baselines;
using PerfTests.Harness.Gate;
using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Gate;

[Trait("Category", "Unit")]
public sealed class GateMatrixTests
{
    private static readonly BaselineStore Committed = BaselineStore.Load(BaselineStore.DefaultDirectory(AppContext.BaseDirectory));

    [Fact]
    public void Cases_Gpu_EveryBackendAndWorkloadOnEveryGpuInBaselines()
    {
        var cases = GateMatrix.Cases(Committed, DeviceKind.Cuda);

        cases.Select(c => c.Device.ToString()).Distinct().Should().BeEquivalentTo("gtx-1080-ti", "h200-141gb", "k80", "titan-x");
        cases.Should().HaveCount(BackendRegistry.Names.Count * WorkloadCatalog.All.Count * 4).And.OnlyContain(c => c.Device.Kind == DeviceKind.Cuda);
    }

    [Fact]
    public void Cases_ThisMachinesGpuWithoutABaseline_IsAddedOnce()
    {
        var cases = GateMatrix.Cases(Committed, DeviceKind.Cuda, [DeviceKey.Parse("h100-80gb"), DeviceKey.Parse("h100-80gb"), DeviceKey.Parse("k80")]);

        cases.Select(c => c.Device.ToString()).Distinct().Should().BeEquivalentTo("gtx-1080-ti", "h100-80gb", "h200-141gb", "k80", "titan-x");
        cases.Count(c => c.Device.ToString() == "h100-80gb").Should().Be(BackendRegistry.Names.Count * WorkloadCatalog.All.Count);
        cases.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Cases_Cpu_IncludesThisMachinesCpuAndNoGpu()
    {
        var cases = GateMatrix.Cases(Committed, DeviceKind.Cpu, GateMatrix.ThisMachineKeys(DeviceKind.Cpu));

        cases.Select(c => c.Device).Should().Contain(GateMatrix.ThisMachineCpuKey()).And.OnlyContain(k => k.Kind == DeviceKind.Cpu && k.Threads > 0);
    }

    [Fact]
    public void ParseOfToString_RoundTrips()
    {
        foreach (var gateCase in GateMatrix.Cases(Committed, DeviceKind.Cuda, [DeviceKey.Parse("h100-80gb")]).Concat(GateMatrix.Cases(Committed, DeviceKind.Cpu)))
            GateCase.Parse(gateCase.ToString()).Should().Be(gateCase);
    }
}

[Trait("Category", "Unit")]
public sealed class GateDataHintTests
{
    [Fact]
    public void DataHint_StandInWithAPackage_IsTheSetsOwnInstallHint() =>
        GateRunner.DataHint("fashion-mnist").Should().Be(new PerfTests.Harness.Data.Sets.MnistSpec().InstallHint).And.Contain("apt-get install dataset-fashion-mnist");

    [Theory]
    [InlineData("mnist")]
    [InlineData("cifar10")]
    public void DataHint_RealSet_SaysWhereToPlaceItOrHowToFetchIt(string set) =>
        GateRunner.DataHint(set).Should().Contain($"Place the {set} files").And.Contain($"datasets fetch {set}");

    [Fact]
    public void DataHint_GeneratedStandIn_SaysNoRealSetIsNeeded() =>
        GateRunner.DataHint("generated-imdb-v2").Should().Contain("Generated stand-ins need no real set");
}
