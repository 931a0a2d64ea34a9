using System.IO.Compression;
using System.Security.Cryptography;

namespace PerfTests.Harness.Data.Formats;

public static class DataFiles
{
    /// <summary>Opens a file, decompressing when it starts with the gzip magic (whatever its name says).</summary>
    public static Stream OpenMaybeGzip(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> magic = stackalloc byte[2];
        int read = file.Read(magic);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b
            ? new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16)
            : file;
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>One checksum for a set of files: SHA-256 over "name sha256" lines, in name order.</summary>
    public static string CombinedSha256(IEnumerable<string> paths)
    {
        var lines = paths.OrderBy(Path.GetFileName, StringComparer.Ordinal)
            .Select(p => $"{Path.GetFileName(p)} {Sha256(p)}\n");
        return Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Concat(lines))));
    }
}
