using System.Diagnostics;
using PerfTests.Harness.Gate;

namespace PerfTests.Workloads.Tests.Gate;

[Trait("Category", "Unit")]
public sealed class HarnessBuildTests
{
    private static void Git(string repository, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = repository, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.WaitForExit();
        process.ExitCode.Should().Be(0, $"git {string.Join(' ', arguments)}: {process.StandardError.ReadToEnd()}");
    }

    /// <summary>A repository whose src/Harness is a one-line console program named perftests that prints <paramref name="message"/>.</summary>
    private static void CommitProgram(string repository, string message)
    {
        var project = Directory.CreateDirectory(Path.Combine(repository, "src", "Harness")).FullName;
        File.WriteAllText(Path.Combine(project, "Harness.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <AssemblyName>perftests</AssemblyName>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "Program.cs"), $"System.Console.WriteLine(\"{message}\");\n");
        Git(repository, "add", "-A");
        Git(repository, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", message);
    }

    [Fact]
    public void Base_GitRef_BuildsThatCommitOutOfTree_AndRemovesTheWorktreeAfterwards()
    {
        using var folder = new TempFolder();
        var repository = folder.Folder("repo");
        Git(repository, "init", "-q");
        CommitProgram(repository, "base commit");
        Git(repository, "tag", "base");
        CommitProgram(repository, "head commit");
        var log = new List<string>();

        string worktree;
        using (var build = HarnessBuild.Base("base", repository, log.Add))
        {
            worktree = Path.GetDirectoryName(build.Dll)!;
            worktree.Should().NotStartWith(repository, "the base is built out of tree");
            HarnessBuild.Run("dotnet", $"exec \"{build.Dll}\"", folder.Path, "running the base").Trim().Should().Be("base commit");
            build.Description.Should().Contain("(base)");
        }

        Directory.Exists(worktree).Should().BeFalse("the temporary worktree is removed");
        File.ReadAllText(Path.Combine(repository, "src", "Harness", "Program.cs")).Should().Contain("head commit", "the checkout itself is untouched");
    }

    [Fact]
    public void Base_NeitherAFolderNorACommit_IsRefusedSayingSo()
    {
        using var folder = new TempFolder();
        var repository = folder.Folder("repo");
        Git(repository, "init", "-q");
        CommitProgram(repository, "only commit");

        var act = () => HarnessBuild.Base("no-such-branch", repository, _ => { });

        act.Should().Throw<InvalidOperationException>().WithMessage("--base no-such-branch: neither a folder nor a commit of*");
    }

    [Fact]
    public void Base_FolderWithoutABuild_IsRefusedSayingWhatIsMissing()
    {
        using var folder = new TempFolder();

        var act = () => HarnessBuild.Base(folder.Path, folder.Path, _ => { });

        act.Should().Throw<InvalidOperationException>().WithMessage("*holds no perftests.dll*");
    }
}
