namespace PerfTests.Harness.Data.Acquisition;

/// <summary>One file of a data set, under its canonical name, with where to get it and how to know it is intact.</summary>
/// <param name="Name">Canonical file name inside the set's folder.</param>
/// <param name="Urls">Sources, tried in order (primary first, then mirrors).</param>
/// <param name="Sha256">Reference SHA-256 (lower-case hex), or null where no published reference was found.</param>
/// <param name="Size">Reference size in bytes, or null where unknown.</param>
/// <param name="Md5">Reference MD5 where that is all the publisher gives (Keras's imdb_word_index.json); checked only without a SHA-256.</param>
/// <param name="Optional">Not needed by any workload; fetched only on request.</param>
/// <param name="Variants">Other byte-exact copies of the same data that are also accepted (a distribution's repackaging).</param>
public sealed record DownloadableFile(
    string Name,
    IReadOnlyList<Uri> Urls,
    string? Sha256,
    long? Size,
    string? Md5 = null,
    bool Optional = false,
    IReadOnlyList<FileVariant>? Variants = null)
{
    public IReadOnlyList<FileVariant> AcceptedVariants => Variants ?? [];
}

/// <summary>A repackaged copy of a file whose bytes differ from the reference but whose data is the same.</summary>
/// <param name="Origin">Where this copy comes from, shown when a file matches it.</param>
public sealed record FileVariant(string Sha256, long Size, string Origin);

/// <summary>A data set as it lives on disk: <c>&lt;root&gt;/&lt;Name&gt;/&lt;file&gt;</c>.</summary>
public sealed record DownloadableDataset(string Name, string Title, IReadOnlyList<DownloadableFile> Files)
{
    public IEnumerable<DownloadableFile> RequiredFiles => Files.Where(f => !f.Optional);

    public IEnumerable<DownloadableFile> FilesToFetch(bool includeOptional) => includeOptional ? Files : RequiredFiles;
}

/// <summary>Base URLs that several sets download from.</summary>
public static class DownloadSources
{
    public const string KerasDatasets = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/";
}
