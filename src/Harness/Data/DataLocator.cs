using PerfTests.Harness.Data.Acquisition;
using PerfTests.Harness.Data.Formats;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Data;

/// <summary>A real data set found on disk: which set it is and the files to read.</summary>
/// <param name="Name">"mnist", "fashion-mnist", "cifar10", "imdb", "nietzsche".</param>
/// <param name="Path">The set's folder (or archive) that readers take.</param>
/// <param name="Files">Every file the reader will read, for the checksum.</param>
public sealed record LocatedDataset(string Name, DatasetId Dataset, string Path, IReadOnlyList<string> Files);

/// <summary>
/// The one place that knows where real data sets may be and what their files are called. For each set it
/// looks in order: --data / $PERFTESTS_DATA (a subfolder named after the set, or the folder itself),
/// the cache's datasets/&lt;set&gt;/, then distribution folders (Debian's /usr/share/datasets). MNIST falls back to
/// Fashion-MNIST, which has MNIST's exact format and shape.
/// </summary>
public static class DataLocator
{
    public static readonly string[] MnistFiles =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];
    public const string ImdbArchive = "imdb.npz";
    public const string ImdbWordIndex = "imdb_word_index.json";
    public const string ImdbFolder = "aclImdb";
    public const string TextFile = "nietzsche.txt";

    /// <summary>The seed's own set for a data set ("mnist", not its stand-in): what is fetched, and what generated data is named after.</summary>
    public static string SetName(DatasetId dataset) => SetNames(dataset)[0];

    /// <summary>The set names tried for a data set, preferred first.</summary>
    public static IReadOnlyList<string> SetNames(DatasetId dataset) => dataset switch
    {
        DatasetId.Mnist => ["mnist", "fashion-mnist"],
        DatasetId.Cifar10 => ["cifar10"],
        DatasetId.Imdb => ["imdb"],
        DatasetId.Nietzsche => ["nietzsche"],
        _ => throw new ArgumentOutOfRangeException(nameof(dataset)),
    };

    /// <summary>Folders searched for <paramref name="setName"/>, in order.</summary>
    public static IEnumerable<string> CandidateFolders(string setName, DataOptions options)
    {
        if (options.DataDirectory is { } data)
        {
            yield return System.IO.Path.Combine(data, setName);
            yield return data;
        }
        yield return DownloadCatalog.SetDirectory(options.CacheDirectory, setName);
        foreach (var system in options.EffectiveSystemDirectories) yield return System.IO.Path.Combine(system, setName);
    }

    public static LocatedDataset? Find(DatasetId dataset, DataOptions options)
    {
        foreach (var name in SetNames(dataset))
        {
            foreach (var folder in CandidateFolders(name, options))
            {
                if (!Directory.Exists(folder)) continue;
                var found = Probe(dataset, name, folder);
                if (found is not null) return found;
            }
        }
        return null;
    }

    /// <summary>The set in <paramref name="folder"/>, if its files are there (a folder of another set is not mistaken for it).</summary>
    public static LocatedDataset? Probe(DatasetId dataset, string name, string folder)
    {
        switch (dataset)
        {
            case DatasetId.Mnist:
                var files = MnistFiles.Select(f => FirstExisting(folder, f + ".gz", f)).ToList();
                return files.All(f => f is not null) ? new LocatedDataset(name, dataset, folder, files!) : null;
            case DatasetId.Cifar10:
                var archive = System.IO.Path.Combine(folder, CifarBinary.ArchiveName);
                if (File.Exists(archive)) return new LocatedDataset(name, dataset, archive, [archive]);
                var extracted = System.IO.Path.Combine(folder, CifarBinary.FolderName);
                var batches = CifarBinary.AllBatches.Select(b => System.IO.Path.Combine(extracted, b)).ToList();
                return batches.All(File.Exists) ? new LocatedDataset(name, dataset, extracted, batches) : null;
            case DatasetId.Imdb:
                var npz = System.IO.Path.Combine(folder, ImdbArchive);
                if (File.Exists(npz)) return new LocatedDataset(name, dataset, npz, [npz]);
                var acl = System.IO.Path.Combine(folder, ImdbFolder);
                if (Directory.Exists(System.IO.Path.Combine(acl, "train", "pos")))
                    return new LocatedDataset(name, dataset, acl, [acl]);
                return null;
            case DatasetId.Nietzsche:
                var text = System.IO.Path.Combine(folder, TextFile);
                return File.Exists(text) ? new LocatedDataset(name, dataset, text, [text]) : null;
            default:
                throw new ArgumentOutOfRangeException(nameof(dataset));
        }
    }

    /// <summary>What to place where, for messages when a real set is required but missing.</summary>
    public static string WhatToPlace(DatasetId dataset, DataOptions options)
    {
        var name = SetName(dataset);
        var files = dataset switch
        {
            DatasetId.Mnist => string.Join(", ", MnistFiles.Select(f => f + ".gz")),
            DatasetId.Cifar10 => $"{CifarBinary.ArchiveName} (or its extracted {CifarBinary.FolderName}/)",
            DatasetId.Imdb => $"{ImdbArchive} (Keras's; or the extracted {ImdbFolder}/ folder)",
            DatasetId.Nietzsche => TextFile,
            _ => "",
        };
        var cache = DownloadCatalog.SetDirectory(options.CacheDirectory, name);
        var extra = dataset == DatasetId.Mnist ? " On Debian/Ubuntu, `apt-get install dataset-fashion-mnist` provides Fashion-MNIST in MNIST's format." : "";
        return $"Place {files} in {cache} (or in <DIR>/{name}/ with --data DIR or ${DataOptions.DataDirectoryVariable}), " +
               $"or run: dotnet run --project src/Harness -- datasets fetch {name}.{extra}";
    }

    private static string? FirstExisting(string folder, params string[] names) =>
        names.Select(n => System.IO.Path.Combine(folder, n)).FirstOrDefault(File.Exists);
}
