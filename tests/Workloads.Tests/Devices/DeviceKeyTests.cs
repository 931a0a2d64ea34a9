using PerfTests.Harness.Devices;

namespace PerfTests.Workloads.Tests.Devices;

[Trait("Category", "Unit")]
public sealed class DeviceKeyTests
{
    [Theory]
    [InlineData("cpu-amd-epyc-2t", DeviceKind.Cpu, "amd-epyc", null, 2)]
    [InlineData("cpu-intel-xeon-64t", DeviceKind.Cpu, "intel-xeon", null, 64)]
    [InlineData("h100-80gb", DeviceKind.Cuda, "h100", 80, 0)]
    [InlineData("gtx-1080-ti", DeviceKind.Cuda, "gtx-1080-ti", null, 0)]
    [InlineData("k80", DeviceKind.Cuda, "k80", null, 0)]
    public void Parse_ValidKey_GivesItsPartsAndFormatsBackTheSame(string text, DeviceKind kind, string model, int? memoryGb, int threads)
    {
        var key = DeviceKey.Parse(text);

        key.Kind.Should().Be(kind);
        key.Model.Should().Be(model);
        key.MemoryGb.Should().Be(memoryGb);
        key.Threads.Should().Be(threads);
        key.ToString().Should().Be(text);
        key.Should().Be(DeviceKey.Parse(text), "keys are values");
    }

    [Theory]
    [InlineData("../../../../tmp/x")]
    [InlineData("cpu-amd-epyc-2t/../x")]
    [InlineData("CPU-AMD-EPYC-2T")]
    [InlineData("cpu amd epyc 2t")]
    [InlineData("cpu-amd-epyc")]
    [InlineData("cpu-amd-epyc-0t")]
    [InlineData("cpu--2t")]
    [InlineData("-k80")]
    [InlineData("")]
    public void TryParse_NotAKey_IsRefusedSayingWhatAKeyIs(string text)
    {
        DeviceKey.TryParse(text, out _, out var error).Should().BeFalse();
        error.Should().Contain("device key");
        var act = () => DeviceKey.Parse(text);
        act.Should().Throw<FormatException>();
    }

    [Fact]
    public void TryParse_LongerThan64Characters_IsRefused() =>
        DeviceKey.TryParse("cpu-" + new string('a', 60) + "-2t", out _, out _).Should().BeFalse();

    [Fact]
    public void Cpu_And_Gpu_BuildTheKeysTheDetectorsUse()
    {
        DeviceKey.Cpu("amd-epyc", 2).ToString().Should().Be("cpu-amd-epyc-2t");
        DeviceKey.Gpu("a100", 40).ToString().Should().Be("a100-40gb");
        DeviceKey.Gpu("titan-x", null).KindName.Should().Be("gpu");
        DeviceKey.Cpu("amd-epyc", 2).KindName.Should().Be("cpu");
    }
}
