using PerfTests.Harness.Backends.TorchSharp;

namespace PerfTests.Workloads.Tests.Backends.TorchSharp;

[Trait("Category", "Unit")]
[Collection(LibtorchCollection.Name)]
public sealed class NativeHeapTests
{
    [Fact]
    public void Probe_SetsTheHeapThresholdsOnceBeforeLibtorchAllocates()
    {
        new TorchSharpBackend().Probe().IsAvailable.Should().BeTrue();

        // This machine's C library is glibc, so both thresholds are set; elsewhere the reason says why not.
        if (OperatingSystem.IsLinux() && File.Exists("/usr/lib/x86_64-linux-gnu/libc.so.6"))
            NativeHeap.Settings.Should().Be("glibc malloc: mmap threshold 32 MiB, no trimming");
        else
            NativeHeap.Settings.Should().StartWith("left to the C library");
        var first = NativeHeap.Settings;
        NativeHeap.KeepLargeBlocksInTheHeap();
        NativeHeap.Settings.Should().Be(first, "it runs once per process");
    }
}
