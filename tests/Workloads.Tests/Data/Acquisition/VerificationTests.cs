using System.Security.Cryptography;
using PerfTests.Harness.Data.Acquisition;

namespace PerfTests.Workloads.Tests.Data.Acquisition;

[Trait("Category", "Unit")]
public sealed class VerificationTests : IDisposable
{
    private readonly AcquisitionFixture fixture = new(size: 10_000);

    public VerificationTests()
    {
        Directory.CreateDirectory(fixture.SetDirectory);
        File.WriteAllBytes(fixture.TargetPath, fixture.Content);
    }

    public void Dispose() => fixture.Dispose();

    private static readonly Uri NoSource = new("http://127.0.0.1:9/unused");

    [Fact]
    public async Task A_file_without_reference_checksum_reports_its_sha256()
    {
        var check = await FileVerifier.CheckAsync(fixture.File([NoSource], withReference: false), fixture.TargetPath);

        check.State.Should().Be(FileState.Unverified);
        check.Usable.Should().BeTrue();
        check.Detail.Should().Be($"no reference checksum; sha256 is {fixture.Sha256}");
    }

    [Fact]
    public async Task A_wrong_sha256_is_corrupt_and_names_both_hashes()
    {
        var expected = new string('f', 64);
        var check = await FileVerifier.CheckAsync(fixture.File([NoSource], sha256: expected), fixture.TargetPath);

        check.State.Should().Be(FileState.Corrupt);
        check.Detail.Should().Contain(expected).And.Contain(fixture.Sha256);
    }

    [Fact]
    public async Task An_md5_reference_is_checked_when_there_is_no_sha256()
    {
        var md5 = Convert.ToHexStringLower(MD5.HashData(fixture.Content));
        var good = new DownloadableFile(AcquisitionFixture.FileName, [NoSource], null, fixture.Content.Length, Md5: md5);
        var bad = good with { Md5 = new string('0', 32) };

        (await FileVerifier.CheckAsync(good, fixture.TargetPath)).State.Should().Be(FileState.Verified);
        (await FileVerifier.CheckAsync(bad, fixture.TargetPath)).State.Should().Be(FileState.Corrupt);
    }

    [Fact]
    public async Task A_known_repackaged_copy_is_accepted_under_its_own_size_and_checksum()
    {
        var reference = fixture.File([NoSource], sha256: new string('a', 64), size: fixture.Content.Length + 24) with
        {
            Variants = [new FileVariant(fixture.Sha256, fixture.Content.Length, "a distribution")],
        };

        var check = await FileVerifier.CheckAsync(reference, fixture.TargetPath);

        check.State.Should().Be(FileState.Verified);
        check.Detail.Should().Contain("a distribution");
    }

    [Fact]
    public async Task A_set_report_summarises_its_files()
    {
        var second = new DownloadableFile("second.bin", [NoSource], null, 5);
        var optional = new DownloadableFile("extra.bin", [NoSource], null, null, Optional: true);
        var set = new DownloadableDataset(AcquisitionFixture.SetName, "test", [fixture.File([NoSource]), second, optional]);

        var incomplete = await DatasetAcquirer.CheckAsync(set, fixture.SetDirectory);
        incomplete.State.Should().Be(SetState.Incomplete);
        incomplete.StateText.Should().Be("incomplete (1 of 2 files)");

        File.WriteAllBytes(Path.Combine(fixture.SetDirectory, "second.bin"), new byte[5]);
        var present = await DatasetAcquirer.CheckAsync(set, fixture.SetDirectory);
        present.State.Should().Be(SetState.PresentUnverified);
        present.BytesOnDisk.Should().Be(fixture.Content.Length + 5);

        File.WriteAllBytes(Path.Combine(fixture.SetDirectory, "second.bin"), new byte[6]);
        var corrupt = await DatasetAcquirer.CheckAsync(set, fixture.SetDirectory);
        corrupt.State.Should().Be(SetState.Corrupt);
        corrupt.StateText.Should().Contain("second.bin");
    }
}

[Trait("Category", "Unit")]
public sealed class DownloadCatalogTests
{
    [Fact]
    public void The_default_catalog_uses_the_agreed_set_and_file_names()
    {
        var catalog = DownloadCatalog.Default;
        string[] idx = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

        catalog.Names.Should().Equal("mnist", "fashion-mnist", "cifar10", "imdb", "nietzsche");
        catalog.Find("mnist").Files.Select(f => f.Name).Should().Equal(idx);
        catalog.Find("fashion-mnist").Files.Select(f => f.Name).Should().Equal(idx);
        catalog.Find("cifar10").RequiredFiles.Select(f => f.Name).Should().Equal("cifar-10-binary.tar.gz");
        catalog.Find("imdb").RequiredFiles.Select(f => f.Name).Should().Equal("imdb.npz", "imdb_word_index.json");
        catalog.Find("nietzsche").RequiredFiles.Select(f => f.Name).Should().Equal("nietzsche.txt");
    }

    [Fact]
    public void Every_file_has_absolute_http_sources_ending_in_its_name_and_well_formed_checksums()
    {
        foreach (var file in DownloadCatalog.Default.Sets.SelectMany(s => s.Files))
        {
            file.Urls.Should().NotBeEmpty();
            file.Urls.Should().OnlyContain(u => u.IsAbsoluteUri && (u.Scheme == "https" || u.Scheme == "http") && u.AbsolutePath.EndsWith("/" + file.Name));
            if (file.Sha256 is not null) file.Sha256.Should().MatchRegex("^[0-9a-f]{64}$");
            if (file.Md5 is not null) file.Md5.Should().MatchRegex("^[0-9a-f]{32}$");
            file.AcceptedVariants.Should().NotContain(v => v.Sha256.Length != 64 || v.Size <= 0);
        }
    }

    [Fact]
    public void The_mnist_primary_source_is_google_storage_with_two_mirrors()
    {
        var urls = DownloadCatalog.Default.Find("mnist").Files[0].Urls.Select(u => u.Host);

        urls.Should().Equal("storage.googleapis.com", "ossci-datasets.s3.amazonaws.com", "yann.lecun.com");
    }

    [Fact]
    public void Selecting_all_gives_every_set_and_an_unknown_name_is_refused()
    {
        DownloadCatalog.Default.Select("all").Should().HaveCount(5);
        DownloadCatalog.Default.Select(null).Should().HaveCount(5);
        DownloadCatalog.Default.Select("CIFAR10").Should().ContainSingle().Which.Name.Should().Be("cifar10");
        var act = () => DownloadCatalog.Default.Select("mnsit");
        act.Should().Throw<ArgumentException>().WithMessage("*mnsit*fashion-mnist*");
    }
}
