namespace PerfTests.Harness.Data.Acquisition;

/// <summary>
/// A data set is not on disk and cannot be downloaded (offline, or no source reachable). The message says which
/// files to place in which folder, and where each can be downloaded by hand.
/// </summary>
public sealed class DatasetUnavailableException(string set, string directory, string message, Exception? inner = null)
    : IOException(message, inner)
{
    public string Set { get; } = set;
    public string Directory { get; } = directory;
}

/// <summary>
/// Bytes were downloaded but are not the file the catalog describes (wrong checksum, or wrong size: a truncated or
/// padded download). The bad bytes are never moved into place.
/// </summary>
public sealed class DownloadVerificationException(
    string fileName, Uri sourceUrl, string? expectedSha256, string? actualSha256, long? expectedSize, long actualSize, string message)
    : IOException(message)
{
    public string FileName { get; } = fileName;
    public Uri SourceUrl { get; } = sourceUrl;
    public string? ExpectedSha256 { get; } = expectedSha256;
    public string? ActualSha256 { get; } = actualSha256;
    public long? ExpectedSize { get; } = expectedSize;
    public long ActualSize { get; } = actualSize;
}
