using System.Collections.Concurrent;
using PerfTests.Harness.Data.Formats;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Data;

/// <summary>Finds (or generates) the data set a workload names and prepares it as the workload says.</summary>
public static class DataCatalog
{
    // Raw sets and checksums already computed in this process (a gate run trains several backends and two workloads on
    // MNIST), keyed by what was computed and the files' paths and modification times.
    private static readonly ConcurrentDictionary<string, Lazy<object>> Computed = new();

    /// <summary>
    /// Loads the workload's data for a profile: the real set when found (--data, $PERFTESTS_DATA, the cache,
    /// Debian's Fashion-MNIST for MNIST), else a generated stand-in written in the canonical format and read back
    /// through the same reader. <paramref name="log"/> receives one plain line per decision (what was found, what is missing).
    /// </summary>
    public static WorkloadData Load(WorkloadSpec workload, RunProfile profile, DataOptions options, Action<string>? log = null)
    {
        var spec = DatasetSpecs.For(workload.Dataset);
        var schedule = workload.ScheduleFor(profile);
        var located = DataLocator.Find(workload.Dataset, options);
        DataProvenance provenance;
        if (located is not null)
        {
            var checksum = Cached("sha256", located, () => DataFiles.CombinedSha256(ChecksumFiles(located)));
            provenance = new DataProvenance(located.Name, located.Path, checksum);
            log?.Invoke($"data: {located.Name} from {located.Path}");
        }
        else
        {
            var missing = $"no real {spec.SetName} data set found. {DataLocator.WhatToPlace(workload.Dataset, options)}";
            if (!options.AllowGenerated) throw new DataUnavailableException($"{workload.Name}: {missing}");
            var (train, test) = GeneratedSize(workload, profile);
            located = SyntheticDatasets.Ensure(spec, train, test, options.CacheDirectory);
            provenance = new DataProvenance(located.Name,
                $"PerfTests generator v{SyntheticDatasets.GeneratorVersion}: {located.Path}", DataProvenance.GeneratedChecksum);
            log?.Invoke($"data: {missing}");
            log?.Invoke($"data: training on GENERATED {located.Name} ({located.Path}); its numbers are not comparable to real-data ones");
        }

        var raw = Cached("raw", located, () => spec.ReadRaw(located));
        return spec.PrepareRaw(raw, located, workload, schedule, provenance);
    }

    /// <summary>The generated stand-in's size: what the profile uses, or the real set's size for a full run.</summary>
    public static (int Train, int Test) GeneratedSize(WorkloadSpec workload, RunProfile profile) =>
        DatasetSpecs.For(workload.Dataset).GeneratedSize(workload.ScheduleFor(profile), workload.Preparation);

    private static IEnumerable<string> ChecksumFiles(LocatedDataset located) =>
        located.Files.SelectMany(f => Directory.Exists(f) ? Directory.EnumerateFiles(f, "*.txt", SearchOption.AllDirectories) : [f]);

    private static T Cached<T>(string what, LocatedDataset located, Func<T> compute) where T : class
    {
        var stamps = located.Files.Select(f => $"{f}@{(File.Exists(f) ? File.GetLastWriteTimeUtc(f).Ticks : Directory.GetLastWriteTimeUtc(f).Ticks)}");
        var key = $"{what}|{string.Join('|', stamps)}";
        var lazy = Computed.GetOrAdd(key, _ => new Lazy<object>(compute));
        try
        {
            return (T)lazy.Value;
        }
        catch
        {
            Computed.TryRemove(key, out _);
            throw;
        }
    }
}
