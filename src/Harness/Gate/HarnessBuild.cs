using System.Diagnostics;

namespace PerfTests.Harness.Gate;

/// <summary>
/// A built Harness (its perftests.dll, run as `dotnet perftests.dll …`) that the paired gate starts as separate processes:
/// the head (this checkout's build) or a base (another commit's, built out of tree in a git worktree, or a folder given).
/// Each side's process loads only its own folder's assemblies and native libraries.
/// </summary>
public sealed class HarnessBuild : IDisposable
{
    private readonly Action? _cleanup;

    private HarnessBuild(string dll, string description, Action? cleanup)
    {
        Dll = dll;
        Description = description;
        _cleanup = cleanup;
    }

    public string Dll { get; }

    /// <summary>"HEAD build at …" or "base 1a2b3c4d (main) built in …".</summary>
    public string Description { get; }

    public const string DllName = "perftests.dll";

    /// <summary>The build this code runs from, if it can be started as a process; else the Release build of the checkout around it.</summary>
    public static HarnessBuild Head()
    {
        var here = Path.GetDirectoryName(typeof(HarnessBuild).Assembly.Location)!;
        if (File.Exists(Path.Combine(here, "perftests.runtimeconfig.json"))) return new HarnessBuild(Path.Combine(here, DllName), $"head build at {here}", null);
        for (var dir = new DirectoryInfo(here); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "PerfTests.sln"))) continue;
            var built = FindDll(Path.Combine(dir.FullName, "src", "Harness"));
            if (built is not null) return new HarnessBuild(built, $"head build at {Path.GetDirectoryName(built)}", null);
            throw new InvalidOperationException($"No Release build of src/Harness under {dir.FullName}: run dotnet build PerfTests.sln -c Release first.");
        }
        throw new InvalidOperationException($"Cannot find a runnable Harness build from {here}.");
    }

    /// <summary>
    /// A folder holding a build (perftests.dll directly, or a checkout with src/Harness built in Release), or a git ref of the
    /// repository at <paramref name="repository"/>, which is checked out into a temporary worktree and built there.
    /// </summary>
    public static HarnessBuild Base(string baseSpec, string repository, Action<string> log)
    {
        if (Directory.Exists(baseSpec))
        {
            var dll = File.Exists(Path.Combine(baseSpec, DllName)) ? Path.Combine(baseSpec, DllName) : FindDll(Path.Combine(baseSpec, "src", "Harness"));
            return dll is not null
                ? new HarnessBuild(Path.GetFullPath(dll), $"base build at {Path.GetDirectoryName(Path.GetFullPath(dll))}", null)
                : throw new InvalidOperationException($"--base {baseSpec}: a folder, but it holds no {DllName} nor a Release build of src/Harness.");
        }

        var commit = Git(repository, $"rev-parse --verify --quiet {baseSpec}^{{commit}}", $"--base {baseSpec}: neither a folder nor a commit of {repository}").Trim();
        var worktree = Path.Combine(Path.GetTempPath(), $"perftests-base-{commit[..12]}-{Environment.ProcessId}");
        void Remove()
        {
            try { Git(repository, $"worktree remove --force \"{worktree}\"", "removing the base worktree"); }
            catch (InvalidOperationException) { if (Directory.Exists(worktree)) Directory.Delete(worktree, recursive: true); }
        }
        Git(repository, $"worktree add --detach \"{worktree}\" {commit}", $"checking out {baseSpec} ({commit[..8]})");
        try
        {
            log($"building base {baseSpec} ({commit[..8]}) in {worktree}");
            var project = Path.Combine(worktree, "src", "Harness", "Harness.csproj");
            Run("dotnet", $"build \"{project}\" -c Release -nologo -v:q", worktree, $"building base {baseSpec} ({commit[..8]})");
            var dll = FindDll(Path.Combine(worktree, "src", "Harness"))
                ?? throw new InvalidOperationException($"building base {baseSpec}: no {DllName} under {worktree}/src/Harness/bin/Release.");
            return new HarnessBuild(dll, $"base {commit[..8]} ({baseSpec}) built in {worktree}", Remove);
        }
        catch
        {
            Remove();
            throw;
        }
    }

    private static string? FindDll(string projectFolder)
    {
        var release = Path.Combine(projectFolder, "bin", "Release");
        if (!Directory.Exists(release)) return null;
        return Directory.EnumerateFiles(release, DllName, SearchOption.AllDirectories)
            .Where(f => File.Exists(Path.Combine(Path.GetDirectoryName(f)!, "perftests.runtimeconfig.json")))
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .FirstOrDefault();
    }

    private static string Git(string repository, string arguments, string what) => Run("git", $"-C \"{repository}\" {arguments}", repository, what);

    /// <param name="cancellationToken">Kills the process (and its children) when cancelled, then throws <see cref="OperationCanceledException"/>.</param>
    internal static string Run(string program, string arguments, string workingDirectory, string what, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{what}: could not start {program}.");
        using var kill = cancellationToken.Register(() =>
        {
            try { process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { } // it had already exited
        });
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        cancellationToken.ThrowIfCancellationRequested();
        if (process.ExitCode != 0)
        {
            var detail = (stderr.Result + "\n" + stdout).Trim();
            throw new InvalidOperationException($"{what}: {program} exited with {process.ExitCode}: {Tail(detail)}");
        }
        return stdout;
    }

    private static string Tail(string text) => text.Length <= 1500 ? text : "…" + text[^1500..];

    public void Dispose() => _cleanup?.Invoke();
}
