using PerfTests.Build;
using PerfTests.Harness.Backends.TorchSharp;

namespace PerfTests.Workloads.Tests.Build;

[Trait("Category", "Unit")]
[Collection(LibtorchCollection.Name)]
public sealed class ElfVersionNeedPatcherTests : IDisposable
{
    private const string Version = "GLIBCXX_3.4.32";
    private const string SystemLibstdcxx = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
    private readonly string _directory = Directory.CreateTempSubdirectory("elf-patch-").FullName;

    private static string? PristineLibrary()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                   ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        return File.Exists(path) ? path : null;
    }

    private string CopyOfPristine()
    {
        var pristine = PristineLibrary();
        Skip.If(pristine is null, "needs TorchSharp 0.107.0's libLibTorchSharp.so in the NuGet cache (dotnet restore)");
        var copy = Path.Combine(_directory, "libLibTorchSharp.so");
        File.Copy(pristine!, copy);
        return copy;
    }

    [SkippableFact]
    public void MarkWeak_PristineLibrary_SetsOnlyTheWeakFlag()
    {
        var copy = CopyOfPristine();
        var before = File.ReadAllBytes(copy);
        ElfVersionNeedPatcher.Inspect(copy, Version).Should().Be(VersionNeedState.Required);

        ElfVersionNeedPatcher.MarkWeak(copy, Version).Should().Be(1);

        ElfVersionNeedPatcher.Inspect(copy, Version).Should().Be(VersionNeedState.AlreadyWeak);
        var after = File.ReadAllBytes(copy);
        after.Length.Should().Be(before.Length);
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToList();
        changed.Should().ContainSingle("only the low byte of vna_flags changes");
        (after[changed[0]] & ElfVersionNeedPatcher.VerFlagWeak).Should().Be(ElfVersionNeedPatcher.VerFlagWeak);
    }

    [SkippableFact]
    public void MarkWeak_Twice_SecondIsNoOp()
    {
        var copy = CopyOfPristine();
        ElfVersionNeedPatcher.MarkWeak(copy, Version);
        var once = File.ReadAllBytes(copy);
        var stamp = File.GetLastWriteTimeUtc(copy);

        ElfVersionNeedPatcher.MarkWeak(copy, Version).Should().Be(0);

        File.ReadAllBytes(copy).Should().Equal(once);
        File.GetLastWriteTimeUtc(copy).Should().Be(stamp, "an already-patched file is not rewritten");
    }

    [SkippableFact]
    public void MarkWeak_VersionTheLibraryDoesNotNeed_ChangesNothing()
    {
        var copy = CopyOfPristine();
        ElfVersionNeedPatcher.MarkWeak(copy, "GLIBCXX_9.9.99").Should().Be(0);
        ElfVersionNeedPatcher.Inspect(copy, "GLIBCXX_9.9.99").Should().Be(VersionNeedState.Absent);
    }

    [SkippableFact]
    public void Inspect_TruncatedLibrary_ThrowsNamingTheFile()
    {
        var copy = CopyOfPristine();
        var bytes = File.ReadAllBytes(copy);
        File.WriteAllBytes(copy, bytes.AsSpan(0, 4096).ToArray());

        var act = () => ElfVersionNeedPatcher.Inspect(copy, Version);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{copy}*");
    }

    [Fact]
    public void Inspect_NotAnElfFile_ThrowsNamingTheFile()
    {
        var path = Path.Combine(_directory, "not-elf.so");
        File.WriteAllText(path, "this is text, not a shared library, and long enough to pass the size check ....");

        var act = () => ElfVersionNeedPatcher.Inspect(path, Version);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*not an ELF file*");
    }

    [SkippableFact]
    public void BuildOutput_LibraryIsPatchedOnlyWhereTheSystemLacksTheVersion()
    {
        var output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists(output), "needs the linux-x64 TorchSharp runtime in the test output");
        Skip.IfNot(File.Exists(SystemLibstdcxx), $"needs {SystemLibstdcxx} to decide whether the patch applies");

        var expected = ElfVersionNeedPatcher.DefinesVersion(SystemLibstdcxx, Version)
            ? VersionNeedState.Required
            : VersionNeedState.AlreadyWeak;
        ElfVersionNeedPatcher.Inspect(output, Version).Should().Be(expected);
    }

    [Fact]
    public void TorchSharp_LoadsAndComputes()
    {
        var availability = new TorchSharpBackend().Probe();

        availability.Reason.Should().BeNull();
        availability.IsAvailable.Should().BeTrue();
        availability.Version.Should().Contain("libtorch");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
