namespace PerfTests.Harness.Data.Acquisition;

public enum SetState
{
    /// <summary>Every required file is there and matches its reference.</summary>
    Present,
    /// <summary>Every required file is there, but some have no reference checksum to check.</summary>
    PresentUnverified,
    /// <summary>No required file is there.</summary>
    Missing,
    /// <summary>Some required files are there, none corrupt.</summary>
    Incomplete,
    /// <summary>At least one file fails its size or checksum check.</summary>
    Corrupt,
}

/// <summary>What is on disk for one set in one folder, file by file.</summary>
public sealed record SetReport(DownloadableDataset Set, string Directory, IReadOnlyList<FileCheck> Files)
{
    public IEnumerable<FileCheck> Required => Files.Where(f => !f.File.Optional);

    public SetState State =>
        Files.Any(f => f.State == FileState.Corrupt) ? SetState.Corrupt
        : Required.All(f => f.State == FileState.Verified) ? SetState.Present
        : Required.All(f => f.Usable) ? SetState.PresentUnverified
        : Required.Any(f => f.Usable) ? SetState.Incomplete
        : SetState.Missing;

    /// <summary>True where an interrupted download left <c>.part</c> files that a fetch would resume.</summary>
    public bool HasPartialDownloads => Files.Any(f => f.State == FileState.Missing && File.Exists(f.Path + FileDownloader.PartialSuffix));

    public long BytesOnDisk => Files.Where(f => f.State != FileState.Missing).Sum(f => f.ActualSize ?? 0);

    /// <summary>Reference size of the required files, or null when some size is unknown.</summary>
    public long? ExpectedBytes => Required.All(f => f.File.Size is not null) ? Required.Sum(f => f.File.Size!.Value) : null;

    public string StateText => State switch
    {
        SetState.Present => "present",
        SetState.PresentUnverified => "present (no reference checksum)",
        SetState.Missing => HasPartialDownloads ? "missing (partial download)" : "missing",
        SetState.Incomplete => $"incomplete ({Required.Count(f => f.Usable)} of {Required.Count()} files)",
        SetState.Corrupt => "corrupt: " + string.Join(", ", Files.Where(f => f.State == FileState.Corrupt).Select(f => f.File.Name)),
        _ => State.ToString(),
    };
}
