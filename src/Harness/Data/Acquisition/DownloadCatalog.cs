namespace PerfTests.Harness.Data.Acquisition;

/// <summary>The data sets the harness can download, and their sources (where they go is <see cref="CacheLayout"/>).</summary>
public sealed class DownloadCatalog
{
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

    /// <summary>The download entries of every registered data set (<see cref="DatasetSpecs.All"/>), in registration order.</summary>
    public static DownloadCatalog Default { get; } = new(DatasetSpecs.All.SelectMany(spec => spec.Downloads));
}
