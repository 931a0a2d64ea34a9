namespace PerfTests.Harness.Measurements;

/// <summary>
/// Paths built from names that come out of files (device keys, workload names): the name must be one plain file name,
/// and the path must stay inside the folder, whatever the name holds.
/// </summary>
public static class ContainedPath
{
    public static string Combine(string folder, string fileName)
    {
        if (fileName.Length == 0 || fileName is "." or ".." || fileName.IndexOfAny(['/', '\\', '\0']) >= 0)
            throw new InvalidDataException($"'{fileName}' is not a plain file name; refusing to write it into {folder}.");
        var root = Path.GetFullPath(folder);
        var path = Path.GetFullPath(Path.Combine(root, fileName));
        if (!string.Equals(Path.GetDirectoryName(path), Path.TrimEndingDirectorySeparator(root), StringComparison.Ordinal))
            throw new InvalidDataException($"'{fileName}' would leave {folder}; refusing to write it.");
        return path;
    }
}
