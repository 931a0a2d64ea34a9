using PerfTests.Harness.Data.Formats;

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

/// <summary>The data sets the harness can download, and where each lives under a cache folder.</summary>
public sealed class DownloadCatalog
{
    public const string DatasetsFolder = "datasets";

    /// <summary>A base URL laid out as <c>&lt;base&gt;/&lt;set&gt;/&lt;file&gt;</c>, tried before the public sources (an in-house mirror).</summary>
    public const string MirrorVariable = "PERFTESTS_DATASETS_MIRROR";

    public DownloadCatalog(IEnumerable<DownloadableDataset> sets)
    {
        Sets = sets.ToList();
        var duplicate = Sets.GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Data set '{duplicate.Key}' is listed twice.", nameof(sets));
    }

    public IReadOnlyList<DownloadableDataset> Sets { get; }

    public IEnumerable<string> Names => Sets.Select(s => s.Name);

    public DownloadableDataset Find(string name) =>
        Sets.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown data set '{name}': use one of {string.Join(", ", Names)}, or all.");

    /// <summary>The sets a selection names: one set, or every set for "all".</summary>
    public IReadOnlyList<DownloadableDataset> Select(string? nameOrAll) =>
        string.IsNullOrWhiteSpace(nameOrAll) || string.Equals(nameOrAll, "all", StringComparison.OrdinalIgnoreCase)
            ? Sets
            : [Find(nameOrAll)];

    /// <summary>This catalog with <c>&lt;mirror&gt;/&lt;set&gt;/&lt;file&gt;</c> put first in every file's sources.</summary>
    public DownloadCatalog WithMirror(Uri mirror)
    {
        var root = mirror.AbsoluteUri.EndsWith('/') ? mirror : new Uri(mirror.AbsoluteUri + "/");
        return new DownloadCatalog(Sets.Select(set => set with
        {
            Files = set.Files.Select(file => file with { Urls = [new Uri(root, $"{set.Name}/{file.Name}"), .. file.Urls] }).ToList(),
        }));
    }

    /// <summary><see cref="Default"/>, with $PERFTESTS_DATASETS_MIRROR first when it is set.</summary>
    public static DownloadCatalog FromEnvironment()
    {
        var mirror = Environment.GetEnvironmentVariable(MirrorVariable);
        if (string.IsNullOrWhiteSpace(mirror)) return Default;
        if (!Uri.TryCreate(mirror, UriKind.Absolute, out var uri))
            throw new ArgumentException($"${MirrorVariable} is not an absolute URL: '{mirror}'.");
        return Default.WithMirror(uri);
    }

    /// <summary><c>&lt;cache&gt;/datasets</c>: the folder holding one sub-folder per set.</summary>
    public static string DatasetsRoot(string cacheDirectory) => Path.Combine(cacheDirectory, DatasetsFolder);

    /// <summary><c>&lt;cache&gt;/datasets/&lt;set&gt;</c>.</summary>
    public static string SetDirectory(string cacheDirectory, string set) => Path.Combine(DatasetsRoot(cacheDirectory), set);

    /// <summary>
    /// The real sets. Sizes and SHA-256 sums come from tensorflow_datasets' url_checksums (mnist, fashion_mnist,
    /// cifar10, imdb_reviews) and Keras's get_file calls (imdb.npz; imdb_word_index.json has only an MD5 there).
    /// No published checksum was found for nietzsche.txt. Debian's dataset-fashion-mnist package ships the Fashion-MNIST
    /// files recompressed without the file name in the gzip header (hence 23-24 bytes shorter); their sums, taken from
    /// that package, are accepted as variants so that a copy of /usr/share/datasets/fashion-mnist verifies.
    /// </summary>
    public static DownloadCatalog Default { get; } = new(
    [
        new DownloadableDataset("mnist", "MNIST handwritten digits (IDX, gzip)", IdxFiles(
            ["https://storage.googleapis.com/cvdf-datasets/mnist/", "https://ossci-datasets.s3.amazonaws.com/mnist/", "https://yann.lecun.com/exdb/mnist/"],
            (Idx(0), 9_912_422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            (Idx(1), 28_881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            (Idx(2), 1_648_877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            (Idx(3), 4_542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"))),
        new DownloadableDataset("fashion-mnist", "Fashion-MNIST (IDX, gzip)", WithDebianVariants(IdxFiles(
            ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/", KerasDatasets],
            (Idx(0), 26_421_880, "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
            (Idx(1), 29_515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
            (Idx(2), 4_422_102, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
            (Idx(3), 5_148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5")),
            (Idx(0), 26_421_856, "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"),
            (Idx(1), 29_491, "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"),
            (Idx(2), 4_422_079, "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"),
            (Idx(3), 5_125, "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"))),
        new DownloadableDataset("cifar10", "CIFAR-10 (binary version)",
        [
            new(CifarBinary.ArchiveName, [new Uri("https://www.cs.toronto.edu/~kriz/" + CifarBinary.ArchiveName)],
                "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd", 170_052_171),
        ]),
        new DownloadableDataset("imdb", "IMDb reviews as Keras word indices",
        [
            new(DataLocator.ImdbArchive, [new Uri(KerasDatasets + DataLocator.ImdbArchive)],
                "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f", 17_464_789),
            new(DataLocator.ImdbWordIndex, [new Uri(KerasDatasets + DataLocator.ImdbWordIndex)],
                Sha256: null, Size: 1_641_221, Md5: "bfafd718b763782e994055a2d397834f"),
            new("aclImdb_v1.tar.gz", [new Uri("https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz")],
                "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe", 84_125_825, Optional: true),
        ]),
        new DownloadableDataset("nietzsche", "Nietzsche corpus (Keras text-generation example)",
        [
            new(DataLocator.TextFile, [new Uri("https://s3.amazonaws.com/text-datasets/" + DataLocator.TextFile)], Sha256: null, Size: null),
        ]),
    ]);

    private const string KerasDatasets = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/";

    /// <summary>The gzip name of MNIST-format file <paramref name="index"/>, as <see cref="DataLocator.MnistFiles"/> names it.</summary>
    private static string Idx(int index) => DataLocator.MnistFiles[index] + ".gz";

    private static List<DownloadableFile> WithDebianVariants(List<DownloadableFile> files, params (string Name, long Size, string Sha256)[] debian) =>
        files.Select(f => f with
        {
            Variants = debian.Where(d => d.Name == f.Name).Select(d => new FileVariant(d.Sha256, d.Size, "Debian package dataset-fashion-mnist")).ToList(),
        }).ToList();

    private static List<DownloadableFile> IdxFiles(string[] baseUrls, params (string Name, long Size, string Sha256)[] files) =>
        files.Select(f => new DownloadableFile(f.Name, baseUrls.Select(b => new Uri(new Uri(b), f.Name)).ToList(), f.Sha256, f.Size)).ToList();
}
