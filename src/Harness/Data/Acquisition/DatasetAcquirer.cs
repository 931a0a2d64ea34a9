using System.Text;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Data.Acquisition;

/// <summary>
/// Makes real data sets available on disk: checks what is there, moves corrupt files aside, downloads what is
/// missing (unless offline), and otherwise explains exactly which files to place where.
/// </summary>
public sealed class DatasetAcquirer
{
    public const string OfflineVariable = "PERFTESTS_OFFLINE";
    public const string CorruptSuffix = ".corrupt";

    private readonly FileDownloader downloader;

    /// <param name="catalog">Sets and their sources (tests pass loopback URLs); default <see cref="DownloadCatalog.FromEnvironment"/>.</param>
    /// <param name="http">Client for downloads; default <see cref="FileDownloader.CreateHttpClient"/>.</param>
    /// <param name="downloader">Download settings (retries, stall timeout); default one over <paramref name="http"/>.</param>
    public DatasetAcquirer(DownloadCatalog? catalog = null, HttpClient? http = null, FileDownloader? downloader = null)
    {
        Catalog = catalog ?? DownloadCatalog.FromEnvironment();
        this.downloader = downloader ?? new FileDownloader(http ?? SharedHttpClient.Value);
    }

    private static readonly Lazy<HttpClient> SharedHttpClient = new(FileDownloader.CreateHttpClient);

    public DownloadCatalog Catalog { get; }

    /// <summary>Receives a plain line when something on disk is changed besides the download itself (a corrupt file moved aside).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>True when <paramref name="offlineFlag"/> is set or $PERFTESTS_OFFLINE is 1 or true.</summary>
    /// <exception cref="ArgumentException">$PERFTESTS_OFFLINE holds anything but 0, 1, true, false or nothing.</exception>
    public static bool OfflineRequested(bool offlineFlag = false)
    {
        var value = Environment.GetEnvironmentVariable(OfflineVariable)?.Trim();
        bool? variable = value switch
        {
            null or "" => null,
            "1" => true,
            "0" => false,
            _ when value.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
            _ when value.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
            // "maybe" or "yes" silently meaning online would download where the user asked for no network.
            _ => throw new ArgumentException($"${OfflineVariable}='{value}' is not one of 0, 1, true, false."),
        };
        return offlineFlag || variable == true;
    }

    /// <summary>
    /// Returns <c>&lt;cache&gt;/datasets/&lt;set&gt;</c> once every required file of the set is there and checks out,
    /// downloading what is missing or corrupt unless <paramref name="offline"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown set name.</exception>
    /// <exception cref="DatasetUnavailableException">Files are missing and cannot be downloaded; the message says what to place where.</exception>
    /// <exception cref="DownloadVerificationException">A download did not match its reference size or checksum.</exception>
    public async Task<string> EnsureAsync(string set, string cacheDirectory, bool offline,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var dataset = Catalog.Find(set);
        var directory = CacheLayout.SetDirectory(cacheDirectory, dataset.Name);
        await EnsureInAsync(dataset, directory, offline, includeOptional: false, progress, cancellationToken);
        return directory;
    }

    /// <summary>
    /// For the run path: the folder a workload's set is read from. A complete, intact copy under
    /// <see cref="DataOptions.DataDirectory"/> (<c>&lt;DIR&gt;/&lt;set&gt;</c>) is used as it is and never changed; otherwise
    /// the set is ensured in the cache (<see cref="DataOptions.CacheDirectory"/>/datasets/&lt;set&gt;) as
    /// <see cref="EnsureAsync(string, string, bool, IProgress{DownloadProgress}?, CancellationToken)"/> does.
    /// </summary>
    public async Task<string> EnsureAsync(DatasetId dataset, DataOptions options, bool offline,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var set = Catalog.Find(DatasetSpecs.For(dataset).SetName);
        if (options.DataDirectory is { } data)
        {
            var report = await CheckAsync(set, Path.Combine(data, set.Name), cancellationToken);
            if (report.Required.All(f => f.Usable)) return report.Directory;
            if (report.State != SetState.Missing)
                Log?.Invoke($"{report.Directory} is {report.StateText}; using the cache instead");
        }
        return await EnsureAsync(set.Name, options.CacheDirectory, offline, progress, cancellationToken);
    }

    /// <summary>
    /// As <see cref="EnsureAsync(string, string, bool, IProgress{DownloadProgress}?, CancellationToken)"/>, optionally with the
    /// set's optional files (e.g. IMDb's raw review archive), and returns the state of every file of the set, as
    /// <see cref="CheckAsync"/> would: each file is hashed once, by the check or the download that verified it.
    /// </summary>
    public async Task<SetReport> FetchAsync(string set, string cacheDirectory, bool offline, bool includeOptional,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var dataset = Catalog.Find(set);
        var directory = CacheLayout.SetDirectory(cacheDirectory, dataset.Name);
        var ensured = (await EnsureInAsync(dataset, directory, offline, includeOptional, progress, cancellationToken)).ToDictionary(c => c.File);
        var checks = new List<FileCheck>();
        foreach (var file in dataset.Files)
            checks.Add(ensured.TryGetValue(file, out var check) ? check : await FileVerifier.CheckAsync(file, Path.Combine(directory, file.Name), cancellationToken));
        return new SetReport(dataset, directory, checks);
    }

    /// <summary>Checks every file of a set (optional ones included) in <paramref name="setDirectory"/>, changing nothing.</summary>
    public static async Task<SetReport> CheckAsync(DownloadableDataset set, string setDirectory, CancellationToken cancellationToken = default)
    {
        var checks = new List<FileCheck>();
        foreach (var file in set.Files)
            checks.Add(await FileVerifier.CheckAsync(file, Path.Combine(setDirectory, file.Name), cancellationToken));
        return new SetReport(set, setDirectory, checks);
    }

    /// <summary>
    /// The folder a set is read from: <c>&lt;root&gt;/&lt;set&gt;</c> under the first of <paramref name="roots"/> holding any of
    /// its required files, else under the last root (where a fetch would put it).
    /// </summary>
    public static string Locate(DownloadableDataset set, IReadOnlyList<string> roots)
    {
        foreach (var root in roots)
        {
            var directory = Path.Combine(root, set.Name);
            if (set.RequiredFiles.Any(f => File.Exists(Path.Combine(directory, f.Name)))) return directory;
        }
        return Path.Combine(roots[^1], set.Name);
    }

    /// <summary>Makes every file to fetch usable in <paramref name="directory"/>; returns the check of each (from disk or from its download).</summary>
    private async Task<List<FileCheck>> EnsureInAsync(DownloadableDataset set, string directory, bool offline, bool includeOptional,
        IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var checks = new List<FileCheck>();
        var needed = new List<DownloadableFile>();
        foreach (var file in set.FilesToFetch(includeOptional))
        {
            var check = await FileVerifier.CheckAsync(file, Path.Combine(directory, file.Name), cancellationToken);
            if (check.Usable)
            {
                checks.Add(check);
                continue;
            }
            if (check.State == FileState.Corrupt)
            {
                var aside = check.Path + CorruptSuffix;
                File.Move(check.Path, aside, overwrite: true);
                Log?.Invoke($"{check.Path} is corrupt ({check.Detail}); moved aside to {aside}");
            }
            needed.Add(file);
        }
        if (needed.Count == 0) return checks;

        if (offline)
            throw new DatasetUnavailableException(set.Name, directory,
                ManualPlacementMessage(set, directory, needed, $"downloading is off (--offline or {OfflineVariable}=1)"));

        for (int i = 0; i < needed.Count; i++)
        {
            try
            {
                checks.Add(await downloader.DownloadAsync(needed[i], directory, progress, cancellationToken));
            }
            catch (FileDownloadException e)
            {
                throw new DatasetUnavailableException(set.Name, directory,
                    ManualPlacementMessage(set, directory, needed.Skip(i), "it could not be downloaded:" + Environment.NewLine + e.Message), e);
            }
        }
        return checks;
    }

    /// <summary>
    /// "Data set X is not available in DIR: REASON. Place these files in DIR/ ..." with each file's size, checksum and URLs,
    /// so that someone on a machine without internet can copy them over by hand.
    /// </summary>
    public static string ManualPlacementMessage(DownloadableDataset set, string directory, IEnumerable<DownloadableFile> files, string reason)
    {
        var text = new StringBuilder();
        text.AppendLine($"Data set '{set.Name}' is not available in {directory}: {reason}");
        text.AppendLine($"Place these files in {directory}{Path.DirectorySeparatorChar} (download them on a machine with internet access):");
        foreach (var file in files)
        {
            var facts = new List<string>();
            if (file.Size is { } size) facts.Add($"{size:N0} bytes");
            facts.Add(file.Sha256 is { } sha ? $"sha256 {sha}" : file.Md5 is { } md5 ? $"md5 {md5}" : "no reference checksum");
            text.AppendLine($"  {file.Name} ({string.Join(", ", facts)})");
            foreach (var url in file.Urls) text.AppendLine($"      {url}");
        }
        text.Append($"Then check them with: perftests datasets verify {set.Name}");
        return text.ToString();
    }
}
