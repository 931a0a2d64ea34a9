using PerfTests.Harness.Backends;
using PerfTests.Harness.Devices;

namespace PerfTests.Workloads.Tests.Devices;

/// <summary>
/// Device keys from nvidia-smi output as each card's driver prints it for
/// <c>--query-gpu=index,name,memory.total,driver_version,uuid --format=csv,noheader,nounits</c>.
/// </summary>
[Trait("Category", "Unit")]
public sealed class NvidiaSmiTests
{
    [Theory]
    [InlineData("0, Tesla K80, 11441, 470.82.01, GPU-6f4f3b52-2ce0-4b2c-8f43-64a5e8b3a7c1", "k80", 11441, "470.82.01")]
    [InlineData("0, GeForce GTX TITAN X, 12212, 384.90, GPU-1a2b3c4d-0000-1111-2222-333344445555", "titan-x", 12212, "384.90")]
    [InlineData("0, NVIDIA GeForce GTX 1080 Ti, 11264, 470.199.02, GPU-0f0e0d0c-aaaa-bbbb-cccc-ddddeeeeffff", "gtx-1080-ti", 11264, "470.199.02")]
    [InlineData("0, GeForce GTX 1080 Ti, 11178, 384.90, GPU-9f8e7d6c-1234-5678-9abc-def012345678", "gtx-1080-ti", 11178, "384.90")]
    [InlineData("0, Tesla T4, 15360, 535.104.05, GPU-2b3c4d5e-6f70-8192-a3b4-c5d6e7f80912", "t4", 15360, "535.104.05")]
    [InlineData("0, NVIDIA A100-SXM4-40GB, 40960, 525.85.12, GPU-3c4d5e6f-7081-92a3-b4c5-d6e7f8091a2b", "a100-40gb", 40960, "525.85.12")]
    [InlineData("0, NVIDIA A100 80GB PCIe, 81920, 535.54.03, GPU-4d5e6f70-8192-a3b4-c5d6-e7f8091a2b3c", "a100-80gb", 81920, "535.54.03")]
    [InlineData("0, NVIDIA H100 80GB HBM3, 81559, 550.54.15, GPU-5e6f7081-92a3-b4c5-d6e7-f8091a2b3c4d", "h100-80gb", 81559, "550.54.15")]
    [InlineData("0, NVIDIA H100 PCIe, 81559, 535.129.03, GPU-6f708192-a3b4-c5d6-e7f8-091a2b3c4d5e", "h100-80gb", 81559, "535.129.03")]
    // Read from a real H200 with this query on 2026-12-04.
    [InlineData("0, NVIDIA H200, 143771, 580.159.04, GPU-0d3da9e9-25da-6088-0d66-9eaff227a047", "h200-141gb", 143771, "580.159.04")]
    [InlineData("0, TITAN X (Pascal), 12189, 390.48, GPU-8192a3b4-c5d6-e7f8-091a-2b3c4d5e6f70", "titan-x-pascal", 12189, "390.48")]
    [InlineData("0, Tesla V100-SXM2-16GB, 16160, 450.80.02, GPU-92a3b4c5-d6e7-f809-1a2b-3c4d5e6f7081", "v100-16gb", 16160, "450.80.02")]
    public void Recorded_output_gives_the_stable_key(string line, string key, long memoryMiB, string driver)
    {
        var gpu = NvidiaSmi.Parse(line + "\n").Should().ContainSingle().Subject;

        gpu.Key.ToString().Should().Be(key);
        gpu.MemoryMiB.Should().Be(memoryMiB);
        gpu.Driver.Should().Be(driver);
        gpu.Kind.Should().Be(DeviceKind.Cuda);
        gpu.Index.Should().Be(0);
    }

    private const string EightK80s = """
        0, Tesla K80, 11441, 470.82.01, GPU-aaaaaaaa-0000-0000-0000-000000000000
        1, Tesla K80, 11441, 470.82.01, GPU-bbbbbbbb-0000-0000-0000-000000000000
        2, Tesla T4, 15360, 470.82.01, GPU-cccccccc-0000-0000-0000-000000000000
        """;

    [Fact]
    public void Every_gpu_is_listed_in_nvidia_smi_order()
    {
        NvidiaSmi.Parse(EightK80s).Select(g => (g.Index, g.Key.ToString())).Should().Equal((0, "k80"), (1, "k80"), (2, "t4"));
    }

    [Fact]
    public void Cuda_visible_devices_selects_and_renumbers_as_cuda_does()
    {
        NvidiaSmi.Parse(EightK80s, "2,0").Select(g => (g.Index, g.Key.ToString())).Should().Equal((0, "t4"), (1, "k80"));
        NvidiaSmi.Parse(EightK80s, "GPU-bbbb").Select(g => (g.Index, g.Key.ToString())).Should().Equal((0, "k80"));
        NvidiaSmi.Parse(EightK80s, "1,7,2").Should().ContainSingle("CUDA ignores everything after the first unknown entry");
        NvidiaSmi.Parse(EightK80s, "").Should().HaveCount(3);
    }

    [Fact]
    public void Unexpected_output_is_an_error_quoting_the_line()
    {
        var act = () => NvidiaSmi.Parse("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.");

        act.Should().Throw<FormatException>().WithMessage("*couldn't communicate*");
    }

    [Theory]
    [InlineData("AMD EPYC 7763 64-Core Processor", 2, "cpu-amd-epyc-7763-2t")]
    [InlineData("Intel(R) Xeon(R) Processor", 2, "cpu-intel-xeon-2t")]
    [InlineData("Intel(R) Core(TM) i9-9900K CPU @ 3.60GHz", 16, "cpu-intel-core-i9-9900k-16t")]
    public void Cpu_keys_drop_marketing_noise(string model, int threads, string key)
    {
        DeviceKeys.ForCpu(model, threads).ToString().Should().Be(key);
    }
}
