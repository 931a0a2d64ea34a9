using System.Runtime.InteropServices;
using PerfTests.Harness.Devices;

namespace PerfTests.Harness.Measurements;

/// <summary>Reads where a run happens: device, CPU, OS, runtime, commit.</summary>
public static class EnvironmentCapture
{
    public static RunEnvironment Capture(DeviceInfo device, int threads) => new(
        device.Key.ToString(),
        device.Name,
        DeviceDetector.CpuModel(),
        Environment.ProcessorCount,
        threads,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        Commit(),
        DateTimeOffset.UtcNow);

    /// <summary>$GITHUB_SHA, else HEAD of the git checkout above the working directory; null outside one.</summary>
    public static string? Commit(string? startDirectory = null)
    {
        var sha = Environment.GetEnvironmentVariable("GITHUB_SHA");
        if (!string.IsNullOrWhiteSpace(sha)) return sha;
        for (var dir = new DirectoryInfo(startDirectory ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var git = Path.Combine(dir.FullName, ".git");
            if (File.Exists(git))
            {
                // A worktree: ".git" is a file "gitdir: <path>".
                var pointer = File.ReadAllText(git).Trim();
                if (!pointer.StartsWith("gitdir:", StringComparison.Ordinal)) return null;
                git = Path.GetFullPath(Path.Combine(dir.FullName, pointer["gitdir:".Length..].Trim()));
            }
            if (!Directory.Exists(git)) continue;
            return ResolveHead(git);
        }
        return null;
    }

    private static string? ResolveHead(string gitDirectory)
    {
        var headFile = Path.Combine(gitDirectory, "HEAD");
        if (!File.Exists(headFile)) return null;
        var head = File.ReadAllText(headFile).Trim();
        if (!head.StartsWith("ref:", StringComparison.Ordinal)) return head;
        var reference = head["ref:".Length..].Trim();
        var common = Path.Combine(gitDirectory, "commondir");
        var roots = new List<string> { gitDirectory };
        if (File.Exists(common)) roots.Add(Path.GetFullPath(Path.Combine(gitDirectory, File.ReadAllText(common).Trim())));
        foreach (var root in roots)
        {
            var loose = Path.Combine(root, reference);
            if (File.Exists(loose)) return File.ReadAllText(loose).Trim();
            var packed = Path.Combine(root, "packed-refs");
            if (!File.Exists(packed)) continue;
            foreach (var line in File.ReadLines(packed))
                if (line.EndsWith(" " + reference, StringComparison.Ordinal)) return line[..line.IndexOf(' ')];
        }
        return null;
    }
}
