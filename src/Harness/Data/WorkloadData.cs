using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Data;

/// <summary>
/// Samples of one split, laid out as the workload's <see cref="InputSpec"/> says: either
/// <see cref="Features"/> (Count × SampleSize floats) or <see cref="Tokens"/> (Count × SampleSize ints),
/// and one class index per sample in <see cref="Labels"/>.
/// </summary>
public sealed class DataSplit
{
    public DataSplit(int count, int sampleSize, float[]? features, int[]? tokens, int[] labels)
    {
        if ((features is null) == (tokens is null))
            throw new ArgumentException("A split holds either features or tokens.");
        long expected = (long)count * sampleSize;
        if ((features?.LongLength ?? tokens!.LongLength) != expected)
            throw new ArgumentException($"Split of {count} samples × {sampleSize} needs {expected} values, got {features?.LongLength ?? tokens!.LongLength}.");
        if (labels.Length != count)
            throw new ArgumentException($"Split of {count} samples has {labels.Length} labels.");
        Count = count;
        SampleSize = sampleSize;
        Features = features;
        Tokens = tokens;
        Labels = labels;
    }

    public int Count { get; }
    public int SampleSize { get; }
    public float[]? Features { get; }
    public int[]? Tokens { get; }
    public int[] Labels { get; }

    public InputKind Kind => Features is not null ? InputKind.Features : InputKind.Tokens;

    /// <summary>The first <paramref name="count"/> samples (all of them when the split holds fewer).</summary>
    public DataSplit Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 0);
        if (count >= Count) return this;
        return new DataSplit(count, SampleSize, Features?[..(count * SampleSize)], Tokens?[..(count * SampleSize)], Labels[..count]);
    }
}

/// <summary>
/// Where a run's data came from, recorded in every result so that a number measured on generated
/// data can never pass for one measured on the real set.
/// </summary>
/// <param name="Name">The data set actually used: "mnist", "fashion-mnist", "cifar10", "imdb", "nietzsche", or "generated-…".</param>
/// <param name="Source">Files or folder read, or the generator and its seed.</param>
/// <param name="Checksum">SHA-256 of the files read (hex, combined in name order), or "generated".</param>
public sealed record DataProvenance(string Name, string Source, string Checksum)
{
    public bool IsGenerated => Checksum == GeneratedChecksum;
    public const string GeneratedChecksum = "generated";
}

/// <summary>A workload's data, ready for a trainer.</summary>
/// <param name="Classes">Output classes (2 for the binary IMDb workloads).</param>
/// <param name="DataDimension">What <see cref="LayerSpec.FromData"/> resolves to (the character vocabulary), else 0.</param>
/// <param name="Alphabet">For character workloads: the characters, index = token id.</param>
public sealed record WorkloadData(
    DataSplit Train,
    DataSplit Validation,
    int Classes,
    int DataDimension,
    DataProvenance Provenance,
    string? Alphabet = null)
{
    /// <summary>At most <paramref name="samples"/> samples of each split: the same model and batches on a shorter epoch.</summary>
    public WorkloadData Take(int samples) => this with { Train = Train.Take(samples), Validation = Validation.Take(samples) };
}

/// <summary>Where to look for real data sets, and where to cache downloaded and generated ones.</summary>
/// <param name="DataDirectory">--data DIR or $PERFTESTS_DATA: a folder holding real sets, one subfolder per set (README, "Data").</param>
/// <param name="CacheDirectory">$PERFTESTS_CACHE, else $XDG_CACHE_HOME/perftests: downloaded sets under datasets/, generated stand-ins under generated/.</param>
/// <param name="AllowGenerated">When false, a missing real set is an error instead of a generated stand-in.</param>
/// <param name="SystemDirectories">Folders where distributions install data sets (Debian: /usr/share/datasets).</param>
public sealed record DataOptions(string? DataDirectory, string CacheDirectory, bool AllowGenerated = true, IReadOnlyList<string>? SystemDirectories = null)
{
    public const string DataDirectoryVariable = "PERFTESTS_DATA";
    public const string CacheDirectoryVariable = "PERFTESTS_CACHE";
    public static IReadOnlyList<string> DefaultSystemDirectories { get; } = ["/usr/share/datasets"];

    public IReadOnlyList<string> EffectiveSystemDirectories => SystemDirectories ?? DefaultSystemDirectories;

    /// <summary>Options from the environment: $PERFTESTS_DATA, and $PERFTESTS_CACHE or $XDG_CACHE_HOME/perftests.</summary>
    public static DataOptions FromEnvironment(string? dataDirectory = null)
    {
        var data = dataDirectory ?? Environment.GetEnvironmentVariable(DataDirectoryVariable);
        return new DataOptions(string.IsNullOrWhiteSpace(data) ? null : data, DefaultCacheDirectory());
    }

    public static string DefaultCacheDirectory()
    {
        var explicitCache = Environment.GetEnvironmentVariable(CacheDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(explicitCache)) return explicitCache;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrWhiteSpace(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "perftests");
    }
}
