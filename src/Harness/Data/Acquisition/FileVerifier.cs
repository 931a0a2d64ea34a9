using System.Security.Cryptography;

namespace PerfTests.Harness.Data.Acquisition;

public enum FileState
{
    /// <summary>Not there (a leftover <c>.part</c> does not count).</summary>
    Missing,
    /// <summary>Matches the reference size and checksum.</summary>
    Verified,
    /// <summary>There, but no reference checksum exists to check it against.</summary>
    Unverified,
    /// <summary>Size or checksum differs from the reference.</summary>
    Corrupt,
}

/// <summary>What checking one file on disk found.</summary>
public sealed record FileCheck(DownloadableFile File, string Path, FileState State, long? ActualSize, string? ActualSha256, string Detail)
{
    /// <summary>True where the file may be read: verified, or present without a reference to check.</summary>
    public bool Usable => State is FileState.Verified or FileState.Unverified;
}

/// <summary>Checks files against the catalog's reference size and checksum.</summary>
public static class FileVerifier
{
    public static async Task<FileCheck> CheckAsync(DownloadableFile file, string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path)) return new FileCheck(file, path, FileState.Missing, null, null, "missing");
        long size = new FileInfo(path).Length;
        var variants = file.AcceptedVariants;
        if (file.Size is { } expectedSize && size != expectedSize && variants.All(v => v.Size != size))
            return new FileCheck(file, path, FileState.Corrupt, size, null, $"size {size:N0} bytes, expected {expectedSize:N0}");

        var (sha256, md5) = await HashAsync(path, withMd5: file.Sha256 is null && file.Md5 is not null, cancellationToken);
        if (variants.FirstOrDefault(v => v.Size == size && string.Equals(v.Sha256, sha256, StringComparison.OrdinalIgnoreCase)) is { } variant)
            return new FileCheck(file, path, FileState.Verified, size, sha256, $"sha256 ok (the copy from {variant.Origin})");
        if (file.Size is { } expected && size != expected)
            return new FileCheck(file, path, FileState.Corrupt, size, sha256, $"size {size:N0} bytes, expected {expected:N0}");
        if (file.Sha256 is { } expectedSha)
            return string.Equals(sha256, expectedSha, StringComparison.OrdinalIgnoreCase)
                ? new FileCheck(file, path, FileState.Verified, size, sha256, "sha256 ok")
                : new FileCheck(file, path, FileState.Corrupt, size, sha256, $"sha256 {sha256}, expected {expectedSha}");
        if (file.Md5 is { } expectedMd5)
            return string.Equals(md5, expectedMd5, StringComparison.OrdinalIgnoreCase)
                ? new FileCheck(file, path, FileState.Verified, size, sha256, $"md5 ok (no reference sha256; sha256 is {sha256})")
                : new FileCheck(file, path, FileState.Corrupt, size, sha256, $"md5 {md5}, expected {expectedMd5} (sha256 is {sha256})");
        return new FileCheck(file, path, FileState.Unverified, size, sha256, $"no reference checksum; sha256 is {sha256}");
    }

    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken = default) =>
        (await HashAsync(path, withMd5: false, cancellationToken)).Sha256;

    private static async Task<(string Sha256, string? Md5)> HashAsync(string path, bool withMd5, CancellationToken cancellationToken)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var md5 = withMd5 ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
        var buffer = new byte[1 << 20];
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true);
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            sha.AppendData(buffer, 0, read);
            md5?.AppendData(buffer, 0, read);
        }
        return (Convert.ToHexStringLower(sha.GetHashAndReset()), md5 is null ? null : Convert.ToHexStringLower(md5.GetHashAndReset()));
    }
}
