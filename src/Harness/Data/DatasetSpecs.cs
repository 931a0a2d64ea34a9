using PerfTests.Harness.Data.Sets;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Data;

/// <summary>The registered data sets: the one list the locator, the generator, the loader and the download catalog read.</summary>
public static class DatasetSpecs
{
    public static IReadOnlyList<DatasetSpec> All { get; } = Checked([new MnistSpec(), new Cifar10Spec(), new ImdbSpec(), new NietzscheSpec()]);

    public static DatasetSpec For(DatasetId dataset) =>
        All.FirstOrDefault(s => s.Id == dataset)
        ?? throw new ArgumentOutOfRangeException(nameof(dataset), dataset, $"No data set spec is registered for {dataset} (see {nameof(DatasetSpecs)}.{nameof(All)}).");

    /// <summary>The list, once each id and set name is known to be listed once and each set to have its download entry.</summary>
    public static IReadOnlyList<DatasetSpec> Checked(IReadOnlyList<DatasetSpec> specs)
    {
        if (specs.GroupBy(s => s.Id).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"Data set {twice.Key} has {twice.Count()} specs.", nameof(specs));
        var names = specs.SelectMany(s => s.SetNames).ToList();
        if (names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } shared)
            throw new ArgumentException($"Set '{shared.Key}' is named by more than one spec.", nameof(specs));
        foreach (var spec in specs)
        {
            var downloadable = spec.Downloads.Select(d => d.Name).ToList();
            if (!downloadable.SequenceEqual(spec.SetNames))
                throw new ArgumentException($"{spec.GetType().Name} names the sets {string.Join(", ", spec.SetNames)} but has download entries for {string.Join(", ", downloadable)}; list one per set, in the same order.", nameof(specs));
        }
        return specs;
    }
}
