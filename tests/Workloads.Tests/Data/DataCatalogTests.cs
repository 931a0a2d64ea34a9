using PerfTests.Harness.Data;
using PerfTests.Harness.Data.Formats;
using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Data;

[Trait("Category", "Unit")]
public sealed class DataCatalogTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private DataOptions Options(string? data = null, bool allowGenerated = true) =>
        new(data, _temp.Folder("cache"), allowGenerated, SystemDirectories: []);

    [Theory]
    [MemberData(nameof(Workloads))]
    public void Every_workload_gets_generated_data_shaped_as_its_input_when_no_real_set_exists(string name)
    {
        var workload = WorkloadCatalog.Get(name);
        var messages = new List<string>();

        var data = DataCatalog.Load(workload, RunProfile.Smoke, Options(), messages.Add);

        data.Provenance.IsGenerated.Should().BeTrue();
        data.Provenance.Name.Should().StartWith("generated-");
        messages.Should().Contain(m => m.Contains("GENERATED")).And.Contain(m => m.Contains("datasets fetch"));
        data.Train.Count.Should().Be(workload.Smoke.TrainSamples);
        data.Train.SampleSize.Should().Be(workload.Input.SampleSize);
        data.Train.Kind.Should().Be(workload.Input.Kind);
        data.Validation.Count.Should().BeGreaterThan(0);
        data.Train.Labels.Should().OnlyContain(l => l >= 0 && l < data.Classes);
        if (data.Train.Tokens is { } tokens)
            tokens.Should().OnlyContain(t => t >= 0 && t < Math.Max(workload.Preparation.NumWords, data.DataDimension));
    }

    public static TheoryData<string> Workloads() => new(WorkloadCatalog.All.Select(w => w.Name));

    [Fact]
    public void Generated_sets_are_identical_every_time()
    {
        var first = SyntheticDatasets.Ensure(DatasetSpecs.For(DatasetId.Imdb), 50, 20, _temp.Folder("a"));
        var second = SyntheticDatasets.Ensure(DatasetSpecs.For(DatasetId.Imdb), 50, 20, _temp.Folder("b"));

        File.ReadAllBytes(first.Files[0]).Should().Equal(File.ReadAllBytes(second.Files[0]));
    }

    [Fact]
    public void A_real_set_under_the_data_folder_wins_and_is_checksummed()
    {
        var folder = _temp.Folder("data", "mnist");
        DatasetSpecs.For(DatasetId.Mnist).WriteGenerated(folder, 300, 100);

        var data = DataCatalog.Load(WorkloadCatalog.MlpMnist, RunProfile.Smoke, Options(_temp.Folder("data")));

        data.Provenance.Name.Should().Be("mnist");
        data.Provenance.Source.Should().Be(folder);
        data.Provenance.Checksum.Should().MatchRegex("^[0-9a-f]{64}$");
        data.Train.Features.Should().OnlyContain(v => v >= 0 && v <= 1);
    }

    [Fact]
    public void Fashion_mnist_in_a_distribution_folder_stands_in_for_mnist()
    {
        var system = _temp.Folder("usr-share-datasets");
        DatasetSpecs.For(DatasetId.Mnist).WriteGenerated(_temp.Folder("usr-share-datasets", "fashion-mnist"), 300, 100);
        var options = Options() with { SystemDirectories = [system] };

        var data = DataCatalog.Load(WorkloadCatalog.CnnMnist, RunProfile.Smoke, options);

        data.Provenance.Name.Should().Be("fashion-mnist");
        data.Provenance.IsGenerated.Should().BeFalse();
    }

    [Fact]
    public void An_incomplete_folder_is_not_mistaken_for_the_set()
    {
        var folder = _temp.Folder("data", "mnist");
        IdxFile.Write(Path.Combine(folder, "train-images-idx3-ubyte.gz"), [1, 28, 28], new byte[784]);

        DataLocator.Find(DatasetId.Mnist, Options(_temp.Folder("data"))).Should().BeNull();
    }

    [Fact]
    public void Real_data_only_says_which_files_to_place_where()
    {
        var act = () => DataCatalog.Load(WorkloadCatalog.CnnCifar10, RunProfile.Smoke, Options(allowGenerated: false));

        act.Should().Throw<DataUnavailableException>()
            .Where(e => e.Message.Contains("cifar-10-binary.tar.gz") && e.Message.Contains(Path.Combine(_temp.Path, "cache", "datasets", "cifar10"))
                        && e.Message.Contains("datasets fetch cifar10"));
    }

    [Fact]
    public void A_corrupt_real_set_is_an_error_naming_the_file_not_a_silent_fallback()
    {
        var folder = _temp.Folder("data", "nietzsche");
        File.WriteAllBytes(Path.Combine(folder, "nietzsche.txt"), [0xff, 0xfe, 0xfd, 0x80]);

        var act = () => DataCatalog.Load(WorkloadCatalog.LstmTextgen, RunProfile.Smoke, Options(_temp.Folder("data")));

        act.Should().Throw<DataFormatException>().Where(e => e.Message.Contains(Path.Combine(folder, "nietzsche.txt")));
    }

    [Fact]
    public void The_character_workload_learns_its_vocabulary_from_the_corpus()
    {
        var data = DataCatalog.Load(WorkloadCatalog.LstmTextgen, RunProfile.Smoke, Options());

        data.Alphabet.Should().NotBeNull();
        data.DataDimension.Should().Be(data.Alphabet!.Length).And.Be(data.Classes);
        data.Alphabet!.ToCharArray().Should().BeInAscendingOrder();
    }
}
