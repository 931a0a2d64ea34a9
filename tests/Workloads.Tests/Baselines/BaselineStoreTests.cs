using PerfTests.Harness.Baselines;
using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Baselines;

[Trait("Category", "Unit")]
public sealed class BaselineStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("baselines-").FullName;

    private static string Committed => BaselineStore.DefaultDirectory(AppContext.BaseDirectory);

    public BaselineStoreTests() => File.Copy(Path.Combine(Committed, BaselineStore.SchemaFileName), Path.Combine(_directory, BaselineStore.SchemaFileName));

    [Fact]
    public void Load_CommittedBaselines_AllMatchTheSchema()
    {
        var store = BaselineStore.Load(Committed);

        store.Files.Should().NotBeEmpty();
        store.Files.Select(f => f.Device.Key).Should().Contain(["k80", "titan-x", "gtx-1080-ti"]);
    }

    [Fact]
    public void Load_CommittedSeedRows_AreHistoricalAndNeverFound()
    {
        var store = BaselineStore.Load(Committed);

        var seed = store.Files.Where(f => f.Device.Kind == "gpu").SelectMany(f => f.Entries).Where(e => e.Backend is "theano" or "tensorflow" or "cntk").ToList();
        seed.Should().HaveCount(48).And.OnlyContain(e => e.Historical != null && e.Metric.Tolerance == null);
        store.Find("mlp_mnist", "tensorflow", "gtx-1080-ti", RunProfile.Full).Should().BeNull("historical rows are never asserted");
        seed.Single(e => e.Workload == "bilstm_imdb" && e.Backend == "theano" && e.Timing!.SecondsPerEpoch == 310.3).Should().NotBeNull();
    }

    [Fact]
    public void ReadFile_RoundTrip_IsByteIdentical()
    {
        foreach (var path in Directory.EnumerateFiles(Committed, "*.json").Where(p => !p.EndsWith(BaselineStore.SchemaFileName)))
        {
            var file = BaselineStore.ReadFile(path, BaselineStore.LoadSchema(Committed));
            BaselineUpdater.Serialize(file).Should().Be(File.ReadAllText(path), $"{path} must be in the canonical form the updater writes");
        }
    }

    [Fact]
    public void Load_NotJson_NamesTheFile()
    {
        var path = Write("cpu-x-2t.json", "{ \"format\": 1, ");

        var act = () => BaselineStore.Load(_directory);

        act.Should().Throw<InvalidDataException>().WithMessage($"{path}: not valid JSON*");
    }

    [Fact]
    public void Load_SchemaViolation_NamesTheFileAndTheLocation()
    {
        var path = Write("cpu-x-2t.json", """
            { "format": 1, "device": { "key": "cpu-x-2t", "kind": "cpu", "name": "x" },
              "entries": [ { "workload": "mlp_mnist", "backend": "torchsharp", "profile": "ci",
                             "metric": { "kind": "validation_accuracy", "value": "high", "tolerance": 0.03 } } ] }
            """);

        var act = () => BaselineStore.Load(_directory);

        act.Should().Throw<InvalidDataException>().WithMessage($"{path}: does not match baseline.schema.json*/entries/0/metric/value*");
    }

    [Fact]
    public void Load_FileNameNotTheDeviceKey_Throws()
    {
        Write("cpu-y-2t.json", """{ "format": 1, "device": { "key": "cpu-x-2t", "kind": "cpu", "name": "x" }, "entries": [] }""");

        var act = () => BaselineStore.Load(_directory);

        act.Should().Throw<InvalidDataException>().WithMessage("*must be named cpu-x-2t.json*");
    }

    [Fact]
    public void Load_DuplicateEntry_Throws()
    {
        var entry = """{ "workload": "mlp_mnist", "backend": "torchsharp", "profile": "ci", "metric": { "kind": "validation_accuracy", "value": 0.8, "tolerance": 0.03 } }""";
        Write("cpu-x-2t.json", $$"""{ "format": 1, "device": { "key": "cpu-x-2t", "kind": "cpu", "name": "x" }, "entries": [ {{entry}}, {{entry}} ] }""");

        var act = () => BaselineStore.Load(_directory);

        act.Should().Throw<InvalidDataException>().WithMessage("*mlp_mnist/torchsharp/ci appears 2 times*");
    }

    [Fact]
    public void Load_MissingSchema_Throws()
    {
        File.Delete(Path.Combine(_directory, BaselineStore.SchemaFileName));

        var act = () => BaselineStore.Load(_directory);

        act.Should().Throw<FileNotFoundException>().WithMessage("*baseline.schema.json*");
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
