namespace PerfTests.Harness.Backends.TorchSharp;

/// <summary>
/// Which libtorch this process actually loaded. TorchSharp's <c>__version__</c> is the version it was built against; a
/// libtorch found on <c>LD_LIBRARY_PATH</c> (a CUDA libtorch from a PyTorch installation, say) can be another one, and a
/// result must say what it ran on.
/// </summary>
public static class LibtorchLocation
{
    public const string LibraryName = "libtorch_cpu.so";

    /// <summary>The folder the loaded <see cref="LibraryName"/> came from, read from a /proc/self/maps text; null if none.</summary>
    public static string? LoadedFolder(string maps)
    {
        foreach (var line in maps.Split('\n'))
        {
            int slash = line.IndexOf('/');
            if (slash < 0) continue;
            var path = line[slash..].Trim();
            if (path.EndsWith("/" + LibraryName, StringComparison.Ordinal)) return Path.GetDirectoryName(path);
        }
        return null;
    }

    /// <summary>
    /// The version a libtorch folder declares: PyTorch's wheel has <c>torch/version.py</c> beside <c>torch/lib</c>
    /// (<c>__version__ = '2.11.0+cu130'</c>); the libtorch archive a <c>build-version</c> file beside <c>lib</c>.
    /// </summary>
    public static string? DeclaredVersion(string libFolder)
    {
        var parent = Path.GetDirectoryName(libFolder.TrimEnd('/'));
        if (parent is null) return null;
        var versionPy = Path.Combine(parent, "version.py");
        if (File.Exists(versionPy))
        {
            foreach (var line in File.ReadLines(versionPy))
            {
                var trimmed = line.Trim();
                if (!trimmed.StartsWith("__version__", StringComparison.Ordinal)) continue;
                int open = trimmed.IndexOfAny(['\'', '"']);
                int close = open < 0 ? -1 : trimmed.IndexOf(trimmed[open], open + 1);
                if (close > open) return trimmed[(open + 1)..close];
            }
        }
        var buildVersion = Path.Combine(parent, "build-version");
        return File.Exists(buildVersion) ? File.ReadAllText(buildVersion).Trim() : null;
    }

    /// <summary>
    /// The backend version a result records. A libtorch loaded from this build's own output is the one TorchSharp was
    /// built for, and the version reads as before; one loaded from elsewhere is named with its folder and declared version.
    /// </summary>
    public static string Describe(string torchSharpVersion, string builtFor, string? loadedFolder, string applicationFolder)
    {
        var plain = $"TorchSharp {torchSharpVersion} (libtorch {builtFor})";
        if (loadedFolder is null || IsInside(loadedFolder, applicationFolder)) return plain;
        var declared = DeclaredVersion(loadedFolder);
        return $"TorchSharp {torchSharpVersion} (built for libtorch {builtFor}; loaded libtorch {declared ?? "of unknown version"} from {loadedFolder})";
    }

    /// <summary><see cref="Describe"/> for this process.</summary>
    public static string DescribeThisProcess(string torchSharpVersion, string builtFor)
    {
        string? folder = null;
        try { folder = LoadedFolder(File.ReadAllText("/proc/self/maps")); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return Describe(torchSharpVersion, builtFor, folder, AppContext.BaseDirectory);
    }

    private static bool IsInside(string folder, string root)
    {
        var full = Path.GetFullPath(folder).TrimEnd('/') + "/";
        return full.StartsWith(Path.GetFullPath(root).TrimEnd('/') + "/", StringComparison.Ordinal);
    }
}
