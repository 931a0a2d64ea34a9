using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Data;

/// <summary>A real data set found on disk: which set it is and the files to read.</summary>
/// <param name="Name">"mnist", "fashion-mnist", "cifar10", "imdb", "nietzsche".</param>
/// <param name="Path">The set's folder (or archive) that readers take.</param>
/// <param name="Files">Every file the reader will read, for the checksum.</param>
public sealed record LocatedDataset(string Name, DatasetId Dataset, string Path, IReadOnlyList<string> Files);

/// <summary>
/// The one place that knows where real data sets may be. For each set a data set's spec names (<see cref="DatasetSpec.SetNames"/>,
/// so MNIST falls back to Fashion-MNIST) it looks in order: --data / $PERFTESTS_DATA (a subfolder named after the set, or the
/// folder itself), the cache's datasets/&lt;set&gt;/, then distribution folders (Debian's /usr/share/datasets); the spec says
/// whether a folder holds the set's files.
/// </summary>
public static class DataLocator
{
    /// <summary>The seed's own set for a data set ("mnist", not its stand-in): what is fetched, and what generated data is named after.</summary>
    public static string SetName(DatasetId dataset) => DatasetSpecs.For(dataset).SetName;

    /// <summary>Folders searched for <paramref name="setName"/>, in order.</summary>
    public static IEnumerable<string> CandidateFolders(string setName, DataOptions options)
    {
        if (options.DataDirectory is { } data)
        {
            yield return System.IO.Path.Combine(data, setName);
            yield return data;
        }
        yield return CacheLayout.SetDirectory(options.CacheDirectory, setName);
        foreach (var system in options.EffectiveSystemDirectories) yield return System.IO.Path.Combine(system, setName);
    }

    public static LocatedDataset? Find(DatasetId dataset, DataOptions options)
    {
        var spec = DatasetSpecs.For(dataset);
        foreach (var name in spec.SetNames)
        {
            foreach (var folder in CandidateFolders(name, options))
            {
                if (!Directory.Exists(folder)) continue;
                var found = spec.Probe(name, folder);
                if (found is not null) return found;
            }
        }
        return null;
    }

    /// <summary>What to place where, for messages when a real set is required but missing.</summary>
    public static string WhatToPlace(DatasetId dataset, DataOptions options)
    {
        var spec = DatasetSpecs.For(dataset);
        var name = spec.SetName;
        var cache = CacheLayout.SetDirectory(options.CacheDirectory, name);
        var hint = spec.InstallHint is { } install ? " " + install : "";
        return $"Place {spec.FilesToPlace} in {cache} (or in <DIR>/{name}/ with --data DIR or ${DataOptions.DataDirectoryVariable}), " +
               $"or run: dotnet run --project src/Harness -- datasets fetch {name}.{hint}";
    }
}
