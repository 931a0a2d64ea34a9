using System.Text.Json;
using System.Text.Json.Nodes;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Reports;
using static PerfTests.Workloads.Tests.Baselines.Fixtures;

namespace PerfTests.Workloads.Tests.Measurements;

/// <summary>Result files with values no run can produce are refused on read, naming the file and the field.</summary>
[Trait("Category", "Unit")]
public sealed class ResultRulesTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, string, string> ImpossibleValues => new()
    {
        { "/epochs/2/validationAccuracy", "\"NaN\"", "*epochs[2].validationAccuracy is NaN, not a finite number*" },
        { "/epochs/2/validationAccuracy", "5.0", "*epochs[2].validationAccuracy is 5, outside [0, 1]*" },
        { "/epochs/1/seconds", "1e400", "*epochs[1].seconds is Infinity, not a finite number*" },
        { "/epochs/0/trainLoss", "-0.5", "*epochs[0].trainLoss is -0.5, must not be negative*" },
        { "/epochs/1/trainSecondsSamples/3", "-1", "*epochs[1].trainSecondsSamples[3] is -1, must be positive*" },
        { "/trainSamples", "-10", "*trainSamples: -10, must be at least 1*" },
        { "/validationSamples", "-1", "*validationSamples: -1, must not be negative*" },
        { "/workload", "\"resnet_imagenet\"", "*workload: unknown workload 'resnet_imagenet'*" },
        { "/backend", "\"Managed\"", "*backend: unknown backend 'Managed'*" },
        { "/device", "\"../../x\"", "*device: '../../x' is not a device key*" },
        { "/metricKind", "\"training_loss\"", "*metricKind: TrainingLoss, but mlp_mnist measures ValidationAccuracy*" },
    };

    [Theory]
    [MemberData(nameof(ImpossibleValues))]
    public void Read_ImpossibleValue_NamesTheFileAndTheField(string pointer, string json, string message)
    {
        var path = WriteResult("result.json", pointer, json);

        var act = () => ResultFiles.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"{path}: {message}");
    }

    [Fact]
    public void Read_ValidResult_ReadsBack()
    {
        var path = WriteResult("result.json", "/seed", "7");

        ResultFiles.Read(path).Seed.Should().Be(7);
    }

    [Fact]
    public void ReportGenerate_OneImpossibleResult_FailsNamingItAndWritesNoReport()
    {
        var results = _temp.Folder("results");
        File.Copy(WriteResult("good.json", "/seed", "42"), Path.Combine(results, "good.json"));
        var bad = Path.Combine(results, "bad.json");
        File.Copy(WriteResult("bad.json", "/epochs/2/validationAccuracy", "Infinity"), bad);
        File.WriteAllText(bad, File.ReadAllText(bad).Replace("Infinity", "1e400"));
        var markdown = _temp.File("report.md");
        var json = _temp.File("report.json");

        var act = () => ReportGenerator.Generate(new ReportOptions(results, Markdown: markdown, Json: json));

        act.Should().Throw<InvalidDataException>().WithMessage($"{bad}: epochs[2].validationAccuracy is Infinity*");
        File.Exists(markdown).Should().BeFalse();
        File.Exists(json).Should().BeFalse();
    }

    [Fact]
    public void Write_RunsDifferingOnlyInSeedEpochsOrStretch_GoToSeparateFiles()
    {
        var folder = _temp.Folder("out");
        var standard = Result(epochs: 4);
        var written = new[]
        {
            ResultFiles.Write(standard, folder),
            ResultFiles.Write(standard with { Seed = 7 }, folder),
            ResultFiles.Write(Result(epochs: 2), folder),
            ResultFiles.Write(standard with { SampleLimit = 640 }, folder),
        };

        written.Should().OnlyHaveUniqueItems();
        Path.GetFileName(written[0]).Should().Be("mlp_mnist.torchsharp.cpu-test-2t.ci.json", "the profile's own schedule (ci: 4 epochs) and seed keep the plain name");
        Path.GetFileName(written[1]).Should().Be("mlp_mnist.torchsharp.cpu-test-2t.ci.seed7.json");
        Path.GetFileName(written[2]).Should().Be("mlp_mnist.torchsharp.cpu-test-2t.ci.2epochs.json");
        Path.GetFileName(written[3]).Should().Be("mlp_mnist.torchsharp.cpu-test-2t.ci.640samples.json");
        Directory.EnumerateFiles(folder).Should().HaveCount(4);
    }

    private string WriteResult(string name, string pointer, string json)
    {
        var node = JsonNode.Parse(JsonSerializer.Serialize(Result(), ResultFiles.JsonOptions))!;
        var parts = pointer.Trim('/').Split('/');
        var parent = parts[..^1].Aggregate(node, (n, part) => int.TryParse(part, out var i) ? n[i]! : n[part]!);
        const string placeholder = "__value__";
        if (parent is JsonArray array) array[int.Parse(parts[^1])] = placeholder;
        else parent.AsObject()[parts[^1]] = placeholder;
        var path = _temp.File(name);
        File.WriteAllText(path, node.ToJsonString(ResultFiles.JsonOptions).Replace($"\"{placeholder}\"", json));
        return path;
    }
}
