namespace PerfTests.Harness.Data.Acquisition;

/// <summary>How far one file's download has got.</summary>
/// <param name="File">Canonical file name.</param>
/// <param name="BytesReceived">Bytes in the partial file so far, including any resumed from an earlier attempt.</param>
/// <param name="TotalBytes">The file's full size when known (catalog or server), else null.</param>
/// <param name="BytesPerSecond">Average rate of this attempt.</param>
/// <param name="Remaining">Estimated time left, when the total and a rate are known.</param>
/// <param name="Completed">True on the last report for the file, once it is verified and in place.</param>
public sealed record DownloadProgress(
    string File,
    long BytesReceived,
    long? TotalBytes,
    double BytesPerSecond,
    TimeSpan? Remaining,
    bool Completed = false)
{
    public double? Fraction => TotalBytes is > 0 ? Math.Min(1.0, (double)BytesReceived / TotalBytes.Value) : null;
}
