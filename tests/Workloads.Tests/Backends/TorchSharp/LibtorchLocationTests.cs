using PerfTests.Harness.Backends.TorchSharp;

namespace PerfTests.Workloads.Tests.Backends.TorchSharp;

[Trait("Category", "Unit")]
[Collection(LibtorchCollection.Name)]
public sealed class LibtorchLocationTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void LoadedFolder_FindsLibtorchCpuAmongTheMappings()
    {
        const string maps = """
            7f00a0000000-7f00a0200000 r--p 00000000 08:01 123 /usr/lib/x86_64-linux-gnu/libc.so.6
            7f00b0000000-7f00b8000000 r-xp 00000000 08:01 456 /opt/torch/.venv/lib/python3.12/site-packages/torch/lib/libtorch_cpu.so
            7f00c0000000-7f00c0100000 rw-p 00000000 00:00 0
            """;
        LibtorchLocation.LoadedFolder(maps).Should().Be("/opt/torch/.venv/lib/python3.12/site-packages/torch/lib");
        LibtorchLocation.LoadedFolder("7f00a0000000-7f00a0200000 r--p 00000000 08:01 123 /usr/lib/libtorch_cpu.so.bak").Should().BeNull();
    }

    [Fact]
    public void Describe_LibtorchFromThisBuild_ReadsAsTheVersionTorchSharpWasBuiltFor()
    {
        var app = _temp.Folder("app");
        LibtorchLocation.Describe("0.107.0", "2.10.0.0", Path.Combine(app, "runtimes", "linux-x64", "native"), app)
            .Should().Be("TorchSharp 0.107.0 (libtorch 2.10.0.0)");
        LibtorchLocation.Describe("0.107.0", "2.10.0.0", null, app).Should().Be("TorchSharp 0.107.0 (libtorch 2.10.0.0)");
    }

    [Fact]
    public void Describe_LibtorchOfAPyTorchWheel_NamesItsFolderAndVersion()
    {
        var lib = _temp.Folder("site-packages", "torch", "lib");
        File.WriteAllText(Path.Combine(_temp.Path, "site-packages", "torch", "version.py"),
            "from typing import Optional\n__all__ = ['__version__']\n__version__ = '2.11.0+cu130'\ncuda: Optional[str] = '13.0'\n");
        LibtorchLocation.Describe("0.107.0", "2.10.0.0", lib, _temp.Folder("app"))
            .Should().Be($"TorchSharp 0.107.0 (built for libtorch 2.10.0.0; loaded libtorch 2.11.0+cu130 from {lib})");
    }

    [Fact]
    public void Describe_LibtorchArchiveWithBuildVersion_UsesIt()
    {
        var lib = _temp.Folder("libtorch", "lib");
        File.WriteAllText(Path.Combine(_temp.Path, "libtorch", "build-version"), "2.10.0+cu128\n");
        LibtorchLocation.Describe("0.107.0", "2.10.0.0", lib, _temp.Folder("app")).Should().Contain("loaded libtorch 2.10.0+cu128 from");
        var bare = _temp.Folder("bare", "lib");
        LibtorchLocation.Describe("0.107.0", "2.10.0.0", bare, _temp.Folder("app")).Should().Contain("loaded libtorch of unknown version from");
    }

    [Fact]
    public void Probe_InThisBuild_ReportsTheBundledLibtorch()
    {
        // The test process loads the libtorch that the TorchSharp-cpu package put beside it.
        new TorchSharpBackend().Probe().Version.Should().StartWith("TorchSharp ").And.NotContain("loaded libtorch");
    }
}
