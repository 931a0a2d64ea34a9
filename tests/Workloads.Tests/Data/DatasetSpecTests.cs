using System.Security.Cryptography;
using System.Text;
using PerfTests.Harness.Data;
using PerfTests.Harness.Data.Acquisition;
using PerfTests.Harness.Data.Sets;
using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Data;

[Trait("Category", "Unit")]
public sealed class DatasetSpecTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Datasets() => new(DatasetSpecs.All.Select(s => s.SetName));

    [Fact]
    public void Every_workloads_data_set_has_a_registered_spec()
    {
        foreach (var workload in WorkloadCatalog.All)
            DatasetSpecs.For(workload.Dataset).Id.Should().Be(workload.Dataset);
    }

    [Fact]
    public void A_data_set_without_a_spec_is_named_in_the_error()
    {
        var act = () => DatasetSpecs.For(new DatasetId("svhn"));

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("No data set spec is registered for svhn*");
    }

    [Fact]
    public void The_download_catalog_is_the_specs_download_entries_in_registration_order()
    {
        DownloadCatalog.Default.Names.Should().Equal(DatasetSpecs.All.SelectMany(s => s.SetNames));
        DownloadCatalog.Default.Names.Should().Equal("mnist", "fashion-mnist", "cifar10", "imdb", "nietzsche");
    }

    [Fact]
    public void The_registry_refuses_a_second_spec_for_an_id_a_shared_set_name_and_a_set_without_downloads()
    {
        var twice = () => DatasetSpecs.Checked([new NietzscheSpec(), new NietzscheSpec()]);
        twice.Should().Throw<ArgumentException>().WithMessage("Data set nietzsche has 2 specs.*");

        var shared = () => DatasetSpecs.Checked([new MnistSpec(), new StandInSpec(DatasetId.Cifar10, ["fashion-mnist"])]);
        shared.Should().Throw<ArgumentException>().WithMessage("Set 'fashion-mnist' is named by more than one spec.*");

        var undownloadable = () => DatasetSpecs.Checked([new StandInSpec(DatasetId.Cifar10, ["cifar10-copy"])]);
        undownloadable.Should().Throw<ArgumentException>().WithMessage("StandInSpec names the sets cifar10, cifar10-copy but has download entries for cifar10*");
    }

    [Fact]
    public void Generated_sets_are_named_after_the_seed_set_and_the_generator_version_as_baselines_record_them()
    {
        DatasetSpecs.All.Select(SyntheticDatasets.GeneratedName).Should()
            .Equal("generated-mnist-v2", "generated-cifar10-v2", "generated-imdb-v2", "generated-nietzsche-v2");
    }

    /// <summary>
    /// What each generator writes, read back through the real reader, for a small size. Baselines measured on generated data
    /// name it generated-&lt;set&gt;-v2; if one of these changes, bump <see cref="SyntheticDatasets.GeneratorVersion"/> with it.
    /// (The files themselves are compressed, and the compressor's bytes may differ between runtimes; what is read is what counts.)
    /// </summary>
    [Theory]
    [InlineData("mnist", 7, 3, "7x3", "f9a9bb395c9a496cbd8592d87eb60be07f1bd96c201ba9af17bbcf82f15b5743")]
    [InlineData("cifar10", 7, 3, "7x3", "6bbd2da54d1f849fa2740084d32603f09bd7ae8fc9e95bcf1a845df651e722f4")]
    [InlineData("imdb", 7, 3, "7x3", "de77a0c08441d5784dfc2cda62e8210814f01d05649f76280927a0c44d327d33")]
    [InlineData("nietzsche", 1234, 0, "1234x0", "88ebf8e8a76524b3a3d2f07d843614f3bea309c04e6c2afc166dd510bb85a4ba")]
    public void Each_generator_writes_the_same_data_as_version_2_did(string dataset, int train, int test, string size, string sha256)
    {
        var spec = DatasetSpecs.For(new DatasetId(dataset));

        var located = SyntheticDatasets.Ensure(spec, train, test, _temp.Path);

        Path.GetRelativePath(_temp.Path, located.Path).Should().StartWith(Path.Combine("generated", $"{spec.SetName}-v2-{size}"));
        located.Name.Should().Be($"generated-{spec.SetName}-v2");
        ContentSha256(spec.ReadRaw(located)).Should().Be(sha256);
    }

    [Theory]
    [MemberData(nameof(Datasets))]
    public void A_spec_finds_its_own_generated_files_and_no_other_specs(string dataset)
    {
        var spec = DatasetSpecs.For(new DatasetId(dataset));
        var folder = _temp.Folder(spec.SetName);
        spec.WriteGenerated(folder, 5, 2);

        spec.Probe(spec.SetName, folder).Should().NotBeNull().And.Match<LocatedDataset>(l => l.Dataset == spec.Id && l.Name == spec.SetName);
        foreach (var other in DatasetSpecs.All.Where(s => s != spec))
            other.Probe(other.SetName, folder).Should().BeNull($"{spec.SetName}'s files are not {other.SetName}'s");
    }

    [Theory]
    [MemberData(nameof(Datasets))]
    public void The_place_these_files_message_names_the_files_the_cache_folder_and_the_fetch_command(string dataset)
    {
        var spec = DatasetSpecs.For(new DatasetId(dataset));
        var cache = _temp.Folder("cache");

        var message = DataLocator.WhatToPlace(spec.Id, new DataOptions(null, cache));

        message.Should().StartWith($"Place {spec.FilesToPlace} in {Path.Combine(cache, "datasets", spec.SetName)} (or in <DIR>/{spec.SetName}/ with --data DIR or $PERFTESTS_DATA)")
            .And.Contain($"datasets fetch {spec.SetName}.");
        foreach (var file in spec.Downloads[0].RequiredFiles.Where(f => f.Name != ImdbSpec.WordIndex))
            message.Should().Contain(file.Name);
    }

    private static string ContentSha256(object raw)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Ints(IEnumerable<int> values)
        {
            foreach (var v in values) hash.AppendData(BitConverter.GetBytes(v));
        }
        switch (raw)
        {
            case ImageSet images:
                hash.AppendData(images.TrainPixels);
                Ints(images.TrainLabels);
                hash.AppendData(images.TestPixels);
                Ints(images.TestLabels);
                break;
            case ReviewSet reviews:
                foreach (var review in reviews.Train.Concat(reviews.Test)) Ints([review.Length, .. review]);
                Ints(reviews.TrainLabels.Concat(reviews.TestLabels));
                break;
            case string text:
                hash.AppendData(Encoding.UTF8.GetBytes(text));
                break;
            default:
                throw new ArgumentException($"Unexpected raw set {raw.GetType().Name}.");
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>A spec that borrows CIFAR-10's files under other set names, to try the registry's checks.</summary>
    private sealed class StandInSpec(DatasetId id, IReadOnlyList<string> substitutes) : ImageDatasetSpec
    {
        private readonly Cifar10Spec _cifar = new();
        public override DatasetId Id => id;
        public override IReadOnlyList<string> Substitutes => substitutes;
        public override (int Train, int Test) RealSize => _cifar.RealSize;
        public override string FilesToPlace => _cifar.FilesToPlace;
        public override IReadOnlyList<DownloadableDataset> Downloads => _cifar.Downloads;
        public override LocatedDataset? Probe(string name, string folder) => _cifar.Probe(name, folder);
        public override ImageSet Read(LocatedDataset located) => _cifar.Read(located);
        public override void WriteGenerated(string folder, int train, int test) => _cifar.WriteGenerated(folder, train, test);
    }
}
