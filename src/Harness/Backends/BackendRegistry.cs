namespace PerfTests.Harness.Backends;

/// <summary>The one list of backends. Adding a backend adds a line here and a folder beside this file.</summary>
public static class BackendRegistry
{
    private static readonly Lazy<IReadOnlyList<IBackend>> Backends = new(() =>
    [
        new TorchSharp.TorchSharpBackend(),
        new Managed.ManagedBackend(),
    ]);

    public static IReadOnlyList<IBackend> All => Backends.Value;

    public static IReadOnlyList<string> Names => All.Select(b => b.Name).ToList();

    /// <summary>Resolves a name, or throws listing the known ones (a misspelling must fail, never skip).</summary>
    public static IBackend Get(string name) =>
        All.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown backend '{name}'. Known: {string.Join(", ", Names)}.");

    public static IReadOnlyList<IBackend> Select(IEnumerable<string> names)
    {
        var list = names.ToList();
        if (list.Count == 0 || list.Any(n => string.Equals(n, "all", StringComparison.OrdinalIgnoreCase))) return All;
        return list.Select(Get).Distinct().ToList();
    }
}
