using PerfTests.Harness.Baselines;
using PerfTests.Harness.Workloads;
using static PerfTests.Workloads.Tests.Baselines.Fixtures;

namespace PerfTests.Workloads.Tests.Baselines;

/// <summary>
/// Which entry the gate compares a run with: this device's own, or, for the metric alone, another device's (the path every
/// machine without its own baseline takes). Also the loader's errors for files and folders that are not what it expects.
/// </summary>
[Trait("Category", "Unit")]
public sealed class BaselineLookupTests : IDisposable
{
    private const string Hint = "perftests baselines accept r.json";
    private readonly TempFolder _root = new();
    private readonly string _directory;

    public BaselineLookupTests() => _directory = EmptyBaselines(_root);

    [Fact]
    public void FindMetricReference_DeviceWithoutItsOwnEntry_GetsTheFirstOtherDeviceByKeyAndIsJudgedOnIt()
    {
        // Accepted in reverse order: "first" means first by device key, not by when a file was written.
        BaselineUpdater.Accept(_directory, [Result(metric: 0.80, device: "cpu-zen-2t")]);
        BaselineUpdater.Accept(_directory, [Result(metric: 0.85, device: "cpu-epyc-2t")]);
        var store = BaselineStore.Load(_directory);

        store.Find("mlp_mnist", "torchsharp", "h100-80gb", RunProfile.Ci).Should().BeNull();
        var reference = store.FindMetricReference("mlp_mnist", "torchsharp", RunProfile.Ci, excludeDevice: "h100-80gb");

        reference.Should().NotBeNull();
        reference!.Value.Device.Should().Be("cpu-epyc-2t");
        reference.Value.Entry.Metric.Value.Should().Be(0.85);
        var verdict = Comparison.Compare(Result(metric: 0.70, device: "h100-80gb"), null, reference, Hint);
        verdict.Conclusions.Single(c => c.Check == Comparison.MetricCheck).Message.Should().Contain("baseline from cpu-epyc-2t");
        verdict.Passed.Should().BeFalse("accuracy does not depend on the device, so a drop is a regression anywhere");
    }

    [Fact]
    public void FindMetricReference_NeverReturnsTheExcludedDevicesOwnEntry()
    {
        BaselineUpdater.Accept(_directory, [Result(metric: 0.85, device: "cpu-epyc-2t"), Result(metric: 0.80, device: "cpu-zen-2t")]);
        var store = BaselineStore.Load(_directory);

        store.FindMetricReference("mlp_mnist", "torchsharp", RunProfile.Ci, excludeDevice: "cpu-epyc-2t")!.Value.Device.Should().Be("cpu-zen-2t");
        store.FindMetricReference("mlp_mnist", "torchsharp", RunProfile.Ci, excludeDevice: "cpu-zen-2t")!.Value.Device.Should().Be("cpu-epyc-2t");
    }

    [Fact]
    public void FindMetricReference_OnlyTheSameWorkloadBackendAndProfile()
    {
        BaselineUpdater.Accept(_directory, [Result(device: "cpu-epyc-2t") with { Profile = RunProfile.Smoke },
            Result(device: "cpu-epyc-2t", workload: "cnn_mnist"), Result(device: "cpu-epyc-2t") with { Backend = "managed" }]);
        var store = BaselineStore.Load(_directory);

        store.FindMetricReference("mlp_mnist", "torchsharp", RunProfile.Ci, "h100-80gb").Should().BeNull();
        store.FindMetricReference("mlp_mnist", "managed", RunProfile.Ci, "h100-80gb")!.Value.Entry.Backend.Should().Be("managed");
        store.FindMetricReference("mlp_mnist", "torchsharp", RunProfile.Smoke, "h100-80gb")!.Value.Entry.Profile.Should().Be(RunProfile.Smoke);
        store.FindMetricReference("cnn_mnist", "torchsharp", RunProfile.Ci, "h100-80gb")!.Value.Entry.Workload.Should().Be("cnn_mnist");
    }

    [Fact]
    public void FindAndFindMetricReference_SkipHistoricalRows()
    {
        var committed = BaselineStore.Load(BaselineStore.DefaultDirectory(AppContext.BaseDirectory));
        var seedRow = committed.FileFor("k80")!.Entries.First(e => e.Historical is not null);

        committed.FindMetricReference(seedRow.Workload, seedRow.Backend, seedRow.Profile, "cpu-nowhere-2t").Should().BeNull("the 2017 rows are never asserted");
        committed.Find(seedRow.Workload, seedRow.Backend, "k80", seedRow.Profile).Should().BeNull();
    }

    [Fact]
    public void Find_TheExactEntryOfThatDevice()
    {
        BaselineUpdater.Accept(_directory, [
            Result(metric: 0.81, device: "cpu-epyc-2t"),
            Result(metric: 0.82, device: "cpu-epyc-2t", workload: "cnn_mnist"),
            Result(metric: 0.83, device: "cpu-epyc-2t") with { Backend = "managed" },
            Result(metric: 0.84, device: "cpu-epyc-2t") with { Profile = RunProfile.Smoke },
            Result(metric: 0.85, device: "cpu-zen-2t"),
        ]);
        var store = BaselineStore.Load(_directory);

        store.Find("mlp_mnist", "torchsharp", "cpu-epyc-2t", RunProfile.Ci)!.Metric.Value.Should().Be(0.81);
        store.Find("cnn_mnist", "torchsharp", "cpu-epyc-2t", RunProfile.Ci)!.Metric.Value.Should().Be(0.82);
        store.Find("mlp_mnist", "managed", "cpu-epyc-2t", RunProfile.Ci)!.Metric.Value.Should().Be(0.83);
        store.Find("mlp_mnist", "torchsharp", "cpu-epyc-2t", RunProfile.Smoke)!.Metric.Value.Should().Be(0.84);
        store.Find("mlp_mnist", "torchsharp", "cpu-zen-2t", RunProfile.Ci)!.Metric.Value.Should().Be(0.85);
        store.Find("mlp_mnist", "torchsharp", "cpu-zen-2t", RunProfile.Full).Should().BeNull();
        store.FileFor("cpu-nowhere-2t").Should().BeNull();
        store.Devices.Select(d => (d.Key, d.Kind)).Should().Equal(("cpu-epyc-2t", "cpu"), ("cpu-zen-2t", "cpu"));
    }

    [Fact]
    public void Load_ReadsFilesInKeyOrder()
    {
        foreach (var device in new[] { "t4", "cpu-zen-2t", "a100-40gb", "cpu-epyc-2t" }) BaselineUpdater.Accept(_directory, [Result(device: device)]);

        BaselineStore.Load(_directory).Files.Select(f => f.Device.Key).Should().Equal("a100-40gb", "cpu-epyc-2t", "cpu-zen-2t", "t4");
    }

    [Fact]
    public void Load_FolderThatDoesNotExist_NamesIt()
    {
        var missing = Path.Combine(_root.Path, "nowhere");

        var act = () => BaselineStore.Load(missing);

        act.Should().Throw<DirectoryNotFoundException>().WithMessage($"Baselines folder {missing} does not exist.");
    }

    [Fact]
    public void PathFor_KeyThatIsNotADeviceKey_IsRefusedNamingTheFolder()
    {
        BaselineStore.PathFor(_directory, "cpu-epyc-2t").Should().Be(Path.Combine(_directory, "cpu-epyc-2t.json"));

        var act = () => BaselineStore.PathFor(_directory, "../etc/passwd");

        act.Should().Throw<InvalidDataException>().WithMessage($"{_directory}: *No baseline file is named after it.");
    }

    [SkippableFact]
    public void DefaultDirectory_IsBaselinesBesideTheSolutionAbove_OrAnErrorSayingWhatWasLookedFor()
    {
        Skip.If(Environment.GetEnvironmentVariable(BaselineStore.DirectoryVariable) is { Length: > 0 },
            $"needs ${BaselineStore.DirectoryVariable} unset: it overrides the search");
        var repository = _root.Folder("repo");
        File.WriteAllText(Path.Combine(repository, "PerfTests.sln"), "");
        var nested = _root.Folder("repo", "tests", "bin");

        BaselineStore.DefaultDirectory(nested).Should().Be(Path.Combine(repository, "baselines"));
        var lonely = _root.Folder("elsewhere");
        var act = () => BaselineStore.DefaultDirectory(lonely);
        act.Should().Throw<DirectoryNotFoundException>()
            .WithMessage($"No baselines folder: PerfTests.sln not found above {lonely} and $PERFTESTS_BASELINES is not set.");
    }

    [SkippableFact]
    public void DefaultDirectory_BlankVariable_IsAsIfUnset()
    {
        // Only a blank value is set here: other tests reading the variable meanwhile must (and do) ignore it too.
        var saved = Environment.GetEnvironmentVariable(BaselineStore.DirectoryVariable);
        Skip.If(saved is { Length: > 0 }, $"needs ${BaselineStore.DirectoryVariable} unset: it overrides the search");
        var repository = _root.Folder("repo");
        File.WriteAllText(Path.Combine(repository, "PerfTests.sln"), "");
        try
        {
            Environment.SetEnvironmentVariable(BaselineStore.DirectoryVariable, "  ");
            BaselineStore.DefaultDirectory(repository).Should().Be(Path.Combine(repository, "baselines"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(BaselineStore.DirectoryVariable, saved);
        }
    }

    [Fact]
    public void LoadSchema_Missing_SaysTheSchemaIsMissing()
    {
        var schema = Path.Combine(_directory, BaselineStore.SchemaFileName);
        File.Delete(schema);

        var act = () => BaselineStore.LoadSchema(_directory);

        act.Should().Throw<FileNotFoundException>().WithMessage($"{schema}: the baseline schema is missing.");
    }

    [Fact]
    public void LoadSchema_JsonThatIsNotASchema_NamesTheSchemaFile()
    {
        var schema = Path.Combine(_directory, BaselineStore.SchemaFileName);
        File.WriteAllText(schema, """{ "type": 12 }""");

        var act = () => BaselineStore.LoadSchema(_directory);

        act.Should().Throw<InvalidDataException>().WithMessage($"{schema}: the baseline schema is not a valid JSON schema: *");
    }

    [Fact]
    public void Parse_LiteralNull_IsAnEmptyFile()
    {
        var act = () => BaselineStore.Parse("cpu-x-2t.json", "null", BaselineStore.LoadSchema(_directory));

        act.Should().Throw<InvalidDataException>().WithMessage("cpu-x-2t.json: empty file.");
    }

    [Fact]
    public void Parse_ManySchemaErrors_NamesEachPlaceOnceAndAtMostFive()
    {
        var entry = """{ "workload": "mlp_mnist", "backend": "torchsharp", "profile": "ci", "metric": { "kind": "validation_accuracy", "value": 0.8, "tolerance": 0.03 }, "extra": 1 }""";
        var text = $$"""{ "format": 2, "device": { "key": "cpu-x-2t", "kind": "cpu", "name": "x" }, "entries": [ {{entry}}, {{entry}}, {{entry}}, {{entry}}, {{entry}}, {{entry}}, {{entry}} ] }""";

        var act = () => BaselineStore.Parse("cpu-x-2t.json", text, BaselineStore.LoadSchema(_directory));

        var message = act.Should().Throw<InvalidDataException>().Which.Message;
        message.Should().StartWith("cpu-x-2t.json: does not match baseline.schema.json: ");
        var places = message["cpu-x-2t.json: does not match baseline.schema.json: ".Length..].Split("; ");
        places.Should().HaveCount(5).And.OnlyHaveUniqueItems();
        places.Should().Contain(p => p.StartsWith("/format: "));
    }

    [Fact]
    public void Parse_RootThatIsNotAnObject_NamesTheRootAsSlash()
    {
        var act = () => BaselineStore.Parse("cpu-x-2t.json", "[1, 2]", BaselineStore.LoadSchema(_directory));

        act.Should().Throw<InvalidDataException>().WithMessage("cpu-x-2t.json: does not match baseline.schema.json: /: *");
    }

    public void Dispose() => _root.Dispose();
}
