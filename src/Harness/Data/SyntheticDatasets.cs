namespace PerfTests.Harness.Data;

/// <summary>
/// Learnable stand-ins for the real sets, written in the real sets' file formats (and then read back by the real
/// readers), for tests and for machines without the real data. Each has a little label noise or ambiguity, so
/// accuracy stays below 1 and a regression can show. Output depends only on the sizes and
/// <see cref="GeneratorVersion"/>, never on the run's seed: the same profile always trains on the same data.
/// </summary>
public static class SyntheticDatasets
{
    /// <summary>Bump when any generator's output changes, so cached files are regenerated.</summary>
    public const int GeneratorVersion = 2;

    /// <summary>The seed every generator draws from (its test split from the next one), whatever the run's seed.</summary>
    internal const int GeneratorSeed = 2017;

    /// <summary>"generated-imdb-v2": the version is part of the name, so a baseline measured on an older generator's data is not comparable.</summary>
    public static string GeneratedName(DatasetSpec spec) => $"generated-{spec.SetName}-v{GeneratorVersion}";

    /// <summary>
    /// The generated set of the given size, written on first use to
    /// &lt;cache&gt;/generated/&lt;set&gt;-v&lt;version&gt;-&lt;train&gt;x&lt;test&gt;/ (atomically: concurrent runs may race).
    /// For the text corpus, <paramref name="train"/> is its length in characters and <paramref name="test"/> is 0.
    /// </summary>
    public static LocatedDataset Ensure(DatasetSpec spec, int train, int test, string cacheDirectory)
    {
        var folder = CacheLayout.GeneratedDirectory(cacheDirectory, spec.SetName, GeneratorVersion, train, test);
        var found = spec.Probe(GeneratedName(spec), folder);
        if (found is not null) return found;

        var staging = folder + $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        Directory.CreateDirectory(staging);
        try
        {
            spec.WriteGenerated(staging, train, test);
            try
            {
                Directory.Move(staging, folder);
            }
            catch (IOException) when (Directory.Exists(folder))
            {
                // Another process generated the same set first; its files are identical.
            }
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        return spec.Probe(GeneratedName(spec), folder)
            ?? throw new IOException($"Generated data set in {folder} is incomplete; delete the folder and run again.");
    }
}
