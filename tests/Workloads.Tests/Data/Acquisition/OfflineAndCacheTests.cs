using PerfTests.Harness.Cli;
using PerfTests.Harness.Data;
using PerfTests.Harness.Data.Acquisition;
using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Data.Acquisition;

[Trait("Category", "Unit")]
public sealed class OfflineTests : IDisposable
{
    private readonly AcquisitionFixture fixture = new(size: 50_000);

    public void Dispose() => fixture.Dispose();

    [Fact]
    public async Task Offline_lists_every_missing_file_with_its_urls_and_the_directory_and_downloads_nothing()
    {
        using var server = new LoopbackServer(request => LoopbackResponse.HonouringRange(fixture.Content, request));
        var second = new DownloadableFile("second.bin", [server.Url("second.bin"), server.Url("mirror/second.bin")], null, null);
        var acquirer = AcquisitionFixture.Acquirer(AcquisitionFixture.Catalog(fixture.File([server.Url("data.bin")]), second));

        var act = () => acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: true);

        var error = (await act.Should().ThrowAsync<DatasetUnavailableException>()).Which;
        error.Set.Should().Be(AcquisitionFixture.SetName);
        error.Directory.Should().Be(fixture.SetDirectory);
        error.Message.Should().Contain(fixture.SetDirectory)
            .And.Contain("offline")
            .And.Contain(AcquisitionFixture.FileName).And.Contain(server.Url("data.bin").ToString()).And.Contain(fixture.Sha256)
            .And.Contain("second.bin").And.Contain(server.Url("mirror/second.bin").ToString()).And.Contain("no reference checksum");
        server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Offline_lists_only_the_files_still_missing()
    {
        Directory.CreateDirectory(fixture.SetDirectory);
        File.WriteAllBytes(fixture.TargetPath, fixture.Content);
        var second = new DownloadableFile("second.bin", [new Uri("http://127.0.0.1:9/second.bin")], null, null);
        var acquirer = AcquisitionFixture.Acquirer(AcquisitionFixture.Catalog(fixture.File([new Uri("http://127.0.0.1:9/data.bin")]), second));

        var act = () => acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: true);

        var message = (await act.Should().ThrowAsync<DatasetUnavailableException>()).Which.Message;
        message.Should().Contain("second.bin").And.NotContain("  " + AcquisitionFixture.FileName);
    }

    [Fact]
    public async Task An_unreachable_source_gives_the_same_placement_instructions_with_the_reason()
    {
        var url = LoopbackServer.UnreachableUrl("data.bin");
        var acquirer = AcquisitionFixture.Acquirer(AcquisitionFixture.Catalog(fixture.File([url])));

        var act = () => acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: false);

        var error = (await act.Should().ThrowAsync<DatasetUnavailableException>()).Which;
        error.Message.Should().Contain("unreachable").And.Contain(fixture.SetDirectory).And.Contain(AcquisitionFixture.FileName).And.Contain(url.ToString());
        error.InnerException.Should().BeOfType<FileDownloadException>();
        File.Exists(fixture.TargetPath).Should().BeFalse();
    }

    [Fact]
    public async Task Every_source_answering_404_is_named_in_the_error()
    {
        using var server = new LoopbackServer(_ => LoopbackResponse.NotFound);
        var acquirer = AcquisitionFixture.Acquirer(AcquisitionFixture.Catalog(fixture.File([server.Url("a/data.bin"), server.Url("b/data.bin")])));

        var act = () => acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: false);

        var message = (await act.Should().ThrowAsync<DatasetUnavailableException>()).Which.Message;
        message.Should().Contain($"{server.Url("a/data.bin")}: HTTP 404").And.Contain($"{server.Url("b/data.bin")}: HTTP 404");
    }

    [Fact]
    public async Task An_unknown_set_is_an_argument_error_naming_the_known_ones()
    {
        var acquirer = AcquisitionFixture.Acquirer(AcquisitionFixture.Catalog(fixture.File([new Uri("http://127.0.0.1:9/x")])));

        var act = () => acquirer.EnsureAsync("nope", fixture.CacheDirectory, offline: true);

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain(AcquisitionFixture.SetName);
    }
}

/// <summary>Changes process environment variables, so it must not run beside other tests that read them.</summary>
[CollectionDefinition(nameof(EnvironmentVariableTests), DisableParallelization = true)]
public sealed class EnvironmentVariableTests;

[Trait("Category", "Unit")]
[Collection(nameof(EnvironmentVariableTests))]
public sealed class CacheLocationTests : IDisposable
{
    private readonly Dictionary<string, string?> saved = new[]
    {
        DataOptions.CacheDirectoryVariable, DataOptions.DataDirectoryVariable, DatasetAcquirer.OfflineVariable, DownloadCatalog.MirrorVariable,
    }.ToDictionary(name => name, Environment.GetEnvironmentVariable);

    private readonly AcquisitionFixture fixture = new(size: 20_000);

    public void Dispose()
    {
        foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
        fixture.Dispose();
    }

    [Fact]
    public void The_cache_comes_from_the_option_first_then_PERFTESTS_CACHE()
    {
        var fromEnvironment = Path.Combine(fixture.CacheDirectory, "from-env");
        var fromOption = Path.Combine(fixture.CacheDirectory, "from-option");
        Environment.SetEnvironmentVariable(DataOptions.CacheDirectoryVariable, fromEnvironment);

        new DatasetsFetchSettings { Set = "mnist" }.CacheDirectory.Should().Be(fromEnvironment);
        new DatasetsFetchSettings { Set = "mnist", Cache = fromOption }.CacheDirectory.Should().Be(fromOption);
        CacheLayout.SetDirectory(fromOption, "mnist").Should().Be(Path.Combine(fromOption, "datasets", "mnist"));
    }

    [Fact]
    public async Task A_set_is_fetched_into_the_cache_the_environment_names()
    {
        Environment.SetEnvironmentVariable(DataOptions.CacheDirectoryVariable, fixture.CacheDirectory);
        using var server = new LoopbackServer(request => LoopbackResponse.HonouringRange(fixture.Content, request));
        var acquirer = AcquisitionFixture.Acquirer(AcquisitionFixture.Catalog(fixture.File([server.Url("data.bin")])));

        var directory = await acquirer.EnsureAsync(AcquisitionFixture.SetName, DataOptions.DefaultCacheDirectory(), offline: false);

        directory.Should().Be(fixture.SetDirectory);
        File.ReadAllBytes(fixture.TargetPath).Should().Equal(fixture.Content);
    }

    [Theory]
    [InlineData(null, false, false)]
    [InlineData("", false, false)]
    [InlineData("0", false, false)]
    [InlineData("1", false, true)]
    [InlineData("true", false, true)]
    [InlineData(null, true, true)]
    public void Offline_is_the_flag_or_PERFTESTS_OFFLINE(string? variable, bool flag, bool expected)
    {
        Environment.SetEnvironmentVariable(DatasetAcquirer.OfflineVariable, variable);
        DatasetAcquirer.OfflineRequested(flag).Should().Be(expected);
    }

    [Fact]
    public void A_mirror_from_the_environment_is_tried_first_with_the_set_layout()
    {
        Environment.SetEnvironmentVariable(DownloadCatalog.MirrorVariable, "http://mirror.example/perftests");

        var file = DownloadCatalog.FromEnvironment().Find("cifar10").Files[0];

        file.Urls[0].Should().Be(new Uri("http://mirror.example/perftests/cifar10/cifar-10-binary.tar.gz"));
        file.Urls.Skip(1).Should().Equal(DownloadCatalog.Default.Find("cifar10").Files[0].Urls);
    }

    [Fact]
    public void A_data_folder_holding_a_set_is_looked_at_before_the_cache()
    {
        var data = Path.Combine(fixture.CacheDirectory, "data");
        var cache = Path.Combine(fixture.CacheDirectory, "cache");
        Directory.CreateDirectory(Path.Combine(data, "nietzsche"));
        File.WriteAllText(Path.Combine(data, "nietzsche", "nietzsche.txt"), "text");
        var settings = new DatasetsVerifySettings { Cache = cache, Data = data };

        settings.Roots.Should().Equal(data, Path.Combine(cache, "datasets"));
        DatasetAcquirer.Locate(DownloadCatalog.Default.Find("nietzsche"), settings.Roots).Should().Be(Path.Combine(data, "nietzsche"));
        DatasetAcquirer.Locate(DownloadCatalog.Default.Find("mnist"), settings.Roots).Should().Be(Path.Combine(cache, "datasets", "mnist"));
    }
}

[Trait("Category", "Unit")]
public sealed class RunPathTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "perftests-runpath-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    private static DownloadCatalog NietzscheCatalog(Uri source) =>
        new([new DownloadableDataset("nietzsche", "test corpus", [new DownloadableFile("nietzsche.txt", [source], null, null)])]);

    [Fact]
    public async Task A_complete_set_in_the_data_folder_is_used_without_downloading()
    {
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(Path.Combine(data, "nietzsche"));
        File.WriteAllText(Path.Combine(data, "nietzsche", "nietzsche.txt"), "thus spoke");
        using var server = new LoopbackServer(_ => LoopbackResponse.NotFound);
        var acquirer = AcquisitionFixture.Acquirer(NietzscheCatalog(server.Url("nietzsche.txt")));

        var directory = await acquirer.EnsureAsync(DatasetId.Nietzsche, new DataOptions(data, Path.Combine(root, "cache")), offline: false);

        directory.Should().Be(Path.Combine(data, "nietzsche"));
        server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Without_the_set_in_the_data_folder_it_is_fetched_into_the_cache()
    {
        var text = "thus spoke"u8.ToArray();
        using var server = new LoopbackServer(request => LoopbackResponse.HonouringRange(text, request));
        var acquirer = AcquisitionFixture.Acquirer(NietzscheCatalog(server.Url("nietzsche.txt")));
        var cache = Path.Combine(root, "cache");

        var directory = await acquirer.EnsureAsync(DatasetId.Nietzsche, new DataOptions(Path.Combine(root, "empty"), cache), offline: false);

        directory.Should().Be(Path.Combine(cache, "datasets", "nietzsche"));
        File.ReadAllBytes(Path.Combine(directory, "nietzsche.txt")).Should().Equal(text);
    }
}
