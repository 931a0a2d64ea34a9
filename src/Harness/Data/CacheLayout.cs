namespace PerfTests.Harness.Data;

/// <summary>
/// Where sets live under the cache folder (<see cref="DataOptions.CacheDirectory"/>): downloaded real sets in
/// <c>datasets/&lt;set&gt;/</c>, generated stand-ins in <c>generated/&lt;set&gt;-v&lt;version&gt;-&lt;train&gt;x&lt;test&gt;/</c>.
/// The locator reads these folders and the acquirer and generator write them.
/// </summary>
public static class CacheLayout
{
    public const string DatasetsFolder = "datasets";
    public const string GeneratedFolder = "generated";

    /// <summary><c>&lt;cache&gt;/datasets</c>: the folder holding one sub-folder per real set.</summary>
    public static string DatasetsRoot(string cacheDirectory) => Path.Combine(cacheDirectory, DatasetsFolder);

    /// <summary><c>&lt;cache&gt;/datasets/&lt;set&gt;</c>.</summary>
    public static string SetDirectory(string cacheDirectory, string set) => Path.Combine(DatasetsRoot(cacheDirectory), set);

    /// <summary><c>&lt;cache&gt;/generated/&lt;set&gt;-v&lt;version&gt;-&lt;train&gt;x&lt;test&gt;</c>.</summary>
    public static string GeneratedDirectory(string cacheDirectory, string set, int generatorVersion, int train, int test) =>
        Path.Combine(cacheDirectory, GeneratedFolder, $"{set}-v{generatorVersion}-{train}x{test}");
}
