using System.Collections.Concurrent;
using PerfTests.Harness.Data.Formats;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Data;

/// <summary>Finds (or generates) the data set a workload names and prepares it as the workload says.</summary>
public static class DataCatalog
{
    /// <summary>Sizes of the real sets (train, test; characters for the corpus), which a generated stand-in for the full profile copies.</summary>
    public static (int Train, int Test) RealSize(DatasetId dataset) => dataset switch
    {
        DatasetId.Mnist => (60_000, 10_000),
        DatasetId.Cifar10 => (50_000, 10_000),
        DatasetId.Imdb => (25_000, 25_000),
        DatasetId.Nietzsche => (600_893, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(dataset)),
    };

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
            var missing = $"no real {DataLocator.SetName(workload.Dataset)} data set found. {DataLocator.WhatToPlace(workload.Dataset, options)}";
            if (!options.AllowGenerated) throw new DataUnavailableException($"{workload.Name}: {missing}");
            var (train, test) = GeneratedSize(workload, profile);
            located = SyntheticDatasets.Ensure(workload.Dataset, train, test, options.CacheDirectory);
            provenance = new DataProvenance(located.Name,
                $"PerfTests generator v{SyntheticDatasets.GeneratorVersion}: {located.Path}", DataProvenance.GeneratedChecksum);
            log?.Invoke($"data: {missing}");
            log?.Invoke($"data: training on GENERATED {located.Name} ({located.Path}); its numbers are not comparable to real-data ones");
        }

        switch (workload.Dataset)
        {
            case DatasetId.Mnist or DatasetId.Cifar10:
            {
                var images = Cached("raw", located, () => workload.Dataset == DatasetId.Mnist ? RawDatasets.ReadMnist(located) : RawDatasets.ReadCifar10(located));
                var (train, validation) = DataPreparer.Images(images, workload.Input, schedule);
                return new WorkloadData(train, validation, images.Classes, 0, provenance);
            }
            case DatasetId.Imdb:
            {
                var reviews = Cached("raw", located, () => RawDatasets.ReadImdb(located));
                var (train, validation) = DataPreparer.Reviews(reviews, workload.Preparation, schedule);
                return new WorkloadData(train, validation, 2, 0, provenance);
            }
            case DatasetId.Nietzsche:
            {
                var corpus = Cached("raw", located, () => RawDatasets.ReadText(located));
                var (train, validation, alphabet) = DataPreparer.Text(corpus, located.Path, workload.Preparation, schedule);
                return new WorkloadData(train, validation, alphabet.Length, alphabet.Length, provenance, alphabet);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(workload), workload.Dataset, "Unknown data set.");
        }
    }

    /// <summary>The generated stand-in's size: what the profile uses, or the real set's size for a full run.</summary>
    public static (int Train, int Test) GeneratedSize(WorkloadSpec workload, RunProfile profile)
    {
        var schedule = workload.ScheduleFor(profile);
        var real = RealSize(workload.Dataset);
        if (workload.Dataset != DatasetId.Nietzsche)
            return (schedule.TrainSamples ?? real.Train, schedule.ValidationSamples ?? real.Test);
        if (schedule.TrainSamples is null) return real;
        // Enough characters that the training part holds TrainSamples windows and the held-out tail ValidationSamples.
        var preparation = workload.Preparation;
        double windows = Math.Max(schedule.TrainSamples.Value / (1 - preparation.HeldOutFraction),
            (schedule.ValidationSamples ?? 0) / preparation.HeldOutFraction);
        return ((int)(windows * preparation.WindowStep) + 4 * preparation.SequenceLength, 0);
    }

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
