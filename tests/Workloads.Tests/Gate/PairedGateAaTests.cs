using PerfTests.Harness.Baselines;
using PerfTests.Harness.Gate;

namespace PerfTests.Workloads.Tests.Gate;

/// <summary>
/// The paired gate end to end: two builds of the same commit (this build and a copy of it in another folder), each side a
/// separate process, on the smoke profile. An A/A comparison must never fail; a false alarm here is a broken gate.
/// </summary>
[Trait("Category", "Unit")]
public sealed class PairedGateAaTests
{
    [Fact]
    public void Compare_TwoBuildsOfTheSameCommit_DoesNotFail()
    {
        var head = HarnessBuild.Head();
        using var folder = new TempFolder();
        var copy = folder.Folder("base");
        foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(head.Dll)!, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(Path.GetDirectoryName(head.Dll)!, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        using var baseBuild = HarnessBuild.Base(copy, copy, _ => { });
        var log = new List<string>();
        var runner = new ProcessBlockRunner(baseBuild, head, new PairedCase("mlp_mnist", "managed", "smoke", Seed: 42, Epochs: 2, Threads: 2), log.Add);

        var result = PairedComparer.Compare("mlp_mnist/managed/smoke", runner.Run, new PairedSettings(GatePolicy.PairedBudget, MinBlocks: 8, MaxBlocks: 8), log: log.Add);

        result.Failed.Should().BeFalse(string.Join('\n', log));
        result.Attempts[0].Blocks.Should().HaveCount(8);
        log.Should().Contain(l => l.Contains(copy)).And.Contain(l => l.Contains(Path.GetDirectoryName(head.Dll)!), "each side ran from its own folder");
    }
}
