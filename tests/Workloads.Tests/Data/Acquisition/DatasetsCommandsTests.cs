using PerfTests.Harness.Cli;
using PerfTests.Harness.Data;
using PerfTests.Harness.Data.Acquisition;
using Spectre.Console.Cli;

namespace PerfTests.Workloads.Tests.Data.Acquisition;

/// <summary>The datasets verbs end to end, with $PERFTESTS_DATASETS_MIRROR pointing at a loopback server.</summary>
[Trait("Category", "Unit")]
[Collection(nameof(EnvironmentVariableTests))]
public sealed class DatasetsCommandsTests : IDisposable
{
    private static readonly byte[] Corpus = "Supposing that Truth is a woman--what then?"u8.ToArray();

    private readonly Dictionary<string, string?> saved = new[]
    {
        DataOptions.CacheDirectoryVariable, DataOptions.DataDirectoryVariable, DatasetAcquirer.OfflineVariable, DownloadCatalog.MirrorVariable,
    }.ToDictionary(name => name, Environment.GetEnvironmentVariable);

    private readonly string cache = Path.Combine(Path.GetTempPath(), "perftests-cli-" + Guid.NewGuid().ToString("N"));
    private readonly LoopbackServer mirror = new(request => request.Path == "/nietzsche/nietzsche.txt"
        ? LoopbackResponse.HonouringRange(Corpus, request)
        : LoopbackResponse.NotFound);

    public DatasetsCommandsTests()
    {
        Environment.SetEnvironmentVariable(DownloadCatalog.MirrorVariable, mirror.BaseUri.ToString());
        Environment.SetEnvironmentVariable(DatasetAcquirer.OfflineVariable, null);
        Environment.SetEnvironmentVariable(DataOptions.DataDirectoryVariable, null);
    }

    public void Dispose()
    {
        mirror.Dispose();
        foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
        if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true);
    }

    private static int Run(params string[] args)
    {
        var app = new CommandApp();
        app.Configure(config => config.AddBranch("datasets", datasets =>
        {
            datasets.AddCommand<DatasetsListCommand>("list");
            datasets.AddCommand<DatasetsFetchCommand>("fetch");
            datasets.AddCommand<DatasetsVerifyCommand>("verify");
        }));
        return app.Run(args);
    }

    [Fact]
    public void Fetch_downloads_into_the_cache_option_and_verify_then_passes()
    {
        Run("datasets", "fetch", "nietzsche", "--cache", cache).Should().Be(0);

        File.ReadAllBytes(Path.Combine(cache, "datasets", "nietzsche", "nietzsche.txt")).Should().Equal(Corpus);
        Run("datasets", "verify", "nietzsche", "--cache", cache).Should().Be(0);
        Run("datasets", "list", "--cache", cache).Should().Be(0);
    }

    [Fact]
    public void Fetch_offline_fails_and_downloads_nothing()
    {
        Environment.SetEnvironmentVariable(DatasetAcquirer.OfflineVariable, "1");

        Run("datasets", "fetch", "nietzsche", "--cache", cache).Should().Be(1);

        mirror.Requests.Should().BeEmpty();
        Directory.Exists(Path.Combine(cache, "datasets", "nietzsche")).Should().BeFalse();
    }

    [Fact]
    public void Verify_fails_for_a_named_missing_set_and_for_a_corrupt_one()
    {
        Run("datasets", "verify", "cifar10", "--cache", cache).Should().Be(1);
        Run("datasets", "verify", "--cache", cache).Should().Be(0);

        var directory = Path.Combine(cache, "datasets", "cifar10");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "cifar-10-binary.tar.gz"), "not an archive");
        Run("datasets", "verify", "--cache", cache).Should().Be(1);
    }

    [Fact]
    public void An_unknown_set_is_refused()
    {
        Run("datasets", "fetch", "mnsit", "--cache", cache).Should().NotBe(0);
        mirror.Requests.Should().BeEmpty();
    }
}
