using System.Diagnostics;
using System.Text.Json.Nodes;
using PerfTests.Harness.Baselines;
using PerfTests.Harness.Data;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Workloads;
using static PerfTests.Workloads.Tests.Baselines.Fixtures;

namespace PerfTests.Workloads.Tests.Baselines;

/// <summary>Bad input to baselines accept and to the baseline loader: refused with the file and the place named, nothing lost.</summary>
[Trait("Category", "Unit")]
public sealed class BaselineInputTests : IDisposable
{
    private readonly TempFolder _root = new();
    private readonly string _directory;
    private readonly string _results;

    public BaselineInputTests()
    {
        _directory = _root.Folder("repo", "baselines");
        _results = _root.Folder("results");
        var committed = BaselineStore.DefaultDirectory(AppContext.BaseDirectory);
        foreach (var file in Directory.EnumerateFiles(committed, "*.json")) File.Copy(file, Path.Combine(_directory, Path.GetFileName(file)));
    }

    [Theory]
    [InlineData("../../../outside")]
    [InlineData("../outside")]
    [InlineData("/tmp/outside")]
    [InlineData("sub/dir")]
    public void Accept_DeviceThatIsAPath_IsRefusedAndNothingIsWrittenOutside(string device)
    {
        var before = EverythingUnder(_root.Path);

        var act = () => BaselineUpdater.Accept(_directory, [Result(device: device)]);

        act.Should().Throw<InvalidDataException>().WithMessage($"*device: '{device}' is not a device key*");
        EverythingUnder(_root.Path).Should().Equal(before);
        File.Exists("/tmp/outside.json").Should().BeFalse();
    }

    [Fact]
    public void Read_ResultWhoseDeviceIsAPath_NamesTheFileAndTheField()
    {
        var path = _root.File("evil.json");
        File.WriteAllText(path, ResultJson(Result()).Replace("\"device\": \"cpu-test-2t\"", "\"device\": \"../../../../tmp/x\""));

        var act = () => ResultFiles.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"{path}: device: '../../../../tmp/x' is not a device key*");
    }

    public static TheoryData<string, Func<RunResult, RunResult>, string> ResultsTheLoaderWouldReject => new()
    {
        { "unknown workload", r => r with { Workload = "mlp_mnist2" }, "*workload: unknown workload 'mlp_mnist2'*" },
        { "unknown backend", r => r with { Backend = "tensorflow" }, "*backend: unknown backend 'tensorflow'*" },
        { "upper-case device", r => r with { Device = "CPU-Test-2t" }, "*device: 'CPU-Test-2t' is not a device key*" },
        { "device with a space", r => r with { Device = "cpu test 2t" }, "*device: 'cpu test 2t' is not a device key*" },
        { "negative seconds", r => Result(secondsPerEpoch: -1), "*epochs[0].seconds is -1.1, must not be negative*" },
        { "zero timing samples", r => WithSamples(r, 0), "*epochs[0].trainSecondsSamples[0] is 0, must be positive*" },
        { "accuracy 5", r => Result(metric: 5.0), "*validationAccuracy is 5, outside [0, 1]*" },
        { "infinite loss", r => Result(metric: double.PositiveInfinity, kind: MetricKind.TrainingLoss, workload: "lstm_textgen"), "*trainLoss is Infinity, not a finite number*" },
    };

    [Theory]
    [MemberData(nameof(ResultsTheLoaderWouldReject))]
    public void Accept_ResultTheLoaderWouldReject_IsRefusedAndTheStoreStillLoads(string name, Func<RunResult, RunResult> spoil, string message)
    {
        BaselineUpdater.Accept(_directory, [Result()]);
        var before = EverythingUnder(_directory);

        var act = () => BaselineUpdater.Accept(_directory, [Result(workload: "cnn_mnist"), spoil(Result())]);

        act.Should().Throw<InvalidDataException>(name).WithMessage(message);
        EverythingUnder(_directory).Should().Equal(before, "nothing is accepted when one result is refused");
        BaselineStore.Load(_directory).Find("mlp_mnist", "torchsharp", "cpu-test-2t", RunProfile.Ci).Should().NotBeNull();
    }

    [Fact]
    public void Accept_EntryTheSchemaRejects_IsRefusedBeforeTheFileIsReplaced()
    {
        BaselineUpdater.Accept(_directory, [Result()]);
        var before = EverythingUnder(_directory);
        var odd = Result(metric: 0.9) with { Data = new DataProvenance("fashion-mnist", "/data", "not-a-sha-256") };

        var act = () => BaselineUpdater.Accept(_directory, [odd]);

        act.Should().Throw<InvalidDataException>()
            .WithMessage($"Refusing to write a baseline the gate would reject*{BaselineStore.PathFor(_directory, "cpu-test-2t")}: does not match*/entries/0/data/checksum*");
        EverythingUnder(_directory).Should().Equal(before);
    }

    [Fact]
    public void Accept_TooFewTimingSamples_RecordsTheMetricWithoutTiming()
    {
        var changes = BaselineUpdater.Accept(_directory, [WithSamples(Result(epochs: 2), GatePolicy.MinimumTimingSamples - 1)]);

        changes.Single().Summary.Should().Contain($"the gate needs {GatePolicy.MinimumTimingSamples}");
        var entry = BaselineStore.Load(_directory).Find("mlp_mnist", "torchsharp", "cpu-test-2t", RunProfile.Ci)!;
        entry.Timing.Should().BeNull();
        entry.Metric.Value.Should().Be(0.85);
    }

    [Fact]
    public void Accept_StaleTemporaryFileFromAKilledAccept_IsRemoved()
    {
        var stale = Path.Combine(_directory, ".cpu-test-2t.json.99999.tmp");
        File.WriteAllText(stale, "{ half written");

        BaselineUpdater.Accept(_directory, [Result()]);

        File.Exists(stale).Should().BeFalse();
        File.ReadAllText(Path.Combine(BaselineStore.DefaultDirectory(AppContext.BaseDirectory), ".gitignore")).Should().Contain(".*.tmp", "git add baselines/ must never pick up a temporary file")
            .And.Contain(BaselineLock.FileName);
    }

    [Fact]
    public async Task AcceptCommand_TwoProcessesAtOnce_KeepBothEntries()
    {
        var first = ResultFiles.Write(Result(workload: "mlp_mnist"), _root.Folder("first"));
        var second = ResultFiles.Write(Result(workload: "cnn_mnist"), _root.Folder("second"));

        // The first accept stops between writing its file and renaming it, the moment a second accept used to read the
        // old file and lose the first's entry. The second either waits for the lock (and says so) or, without one, finishes.
        using var slow = StartAccept(first, pauseBeforeCommitMilliseconds: 15_000);
        slow.StandardError.ReadLine().Should().StartWith("fault injection: pausing");
        using var fast = StartAccept(second, pauseBeforeCommitMilliseconds: 0);
        var fastOutput = fast.StandardOutput.ReadToEndAsync();
        var slowOutput = slow.StandardOutput.ReadToEndAsync();
        var fastWaits = fast.StandardError.ReadLineAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await Task.WhenAny(fastWaits, fast.WaitForExitAsync(timeout.Token));
        fast.HasExited.Should().BeFalse("the second accept must wait while the first holds the baseline");
        (await fastWaits).Should().Contain("waiting for it");
        await fast.WaitForExitAsync(timeout.Token);
        await slow.WaitForExitAsync(timeout.Token);

        slow.ExitCode.Should().Be(0, await slowOutput);
        fast.ExitCode.Should().Be(0, await fastOutput);
        var store = BaselineStore.Load(_directory);
        store.Find("mlp_mnist", "torchsharp", "cpu-test-2t", RunProfile.Ci).Should().NotBeNull();
        store.Find("cnn_mnist", "torchsharp", "cpu-test-2t", RunProfile.Ci).Should().NotBeNull();
    }

    public static TheoryData<string, string, object, string> FilesThatSwitchTheGateOff => new()
    {
        { "no timing samples", "/entries/0/timing/samples", new JsonArray(), "*/entries/0 (mlp_mnist/torchsharp/ci): timing/samples holds 0 samples; the gate needs at least 5*" },
        { "tolerance 1e308", "/entries/0/metric/tolerance", 1e308, "*does not match*/entries/0/metric/tolerance*" },
        { "accuracy tolerance 0.9", "/entries/0/metric/tolerance", 0.9, "*does not match*/entries/0/metric/tolerance*" },
        { "budget 1e308", "/entries/0/timing/budget", 1e308, "*does not match*/entries/0/timing/budget*" },
        { "no budget", "/entries/0/timing/budget", "null", "*timing/budget is null*" },
        { "accuracy 5", "/entries/0/metric/value", 5.0, "*does not match*/entries/0/metric/value*" },
        { "a date that is not one", "/entries/0/recorded/date", "yesterday", "/entries/0/recorded/date: *" },
        { "an integer out of range", "/entries/0/recorded/trainSamples", 3_000_000_000L, "/entries/0/recorded/trainSamples: *" },
        { "a registered backend misspelt", "/entries/0/backend", "torch_sharp", "*unknown backend 'torch_sharp'*" },
    };

    [Theory]
    [MemberData(nameof(FilesThatSwitchTheGateOff))]
    public void Load_BaselineThatWouldSwitchTheGateOff_NamesTheFileAndThePlace(string name, string pointer, object value, string message)
    {
        var path = WriteBaseline(node => Set(node, pointer, value switch
        {
            "null" => null,
            JsonNode n => n,
            double d => JsonValue.Create(d),
            long l => JsonValue.Create(l),
            string s => JsonValue.Create(s),
            _ => throw new ArgumentException(name),
        }));

        var act = () => BaselineStore.Load(_directory);

        act.Should().Throw<InvalidDataException>(name).WithMessage($"{path}: {message}");
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    public void Load_NumberBeyondDouble_IsAnErrorNamingTheFile(string number)
    {
        var path = WriteBaseline(_ => { });
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"tolerance\":0.03", $"\"tolerance\":{number}"));

        var act = () => BaselineStore.Load(_directory);

        act.Should().Throw<InvalidDataException>().WithMessage($"{path}: *");
    }

    [Fact]
    public void Load_BrokenSchemaFile_NamesTheSchemaAndThePlace()
    {
        var schema = Path.Combine(_directory, BaselineStore.SchemaFileName);
        File.WriteAllText(schema, "{\n  \"type\": \"object\",\n  \"properties\": { \"format\": { \"const\": 1 }\n");

        var act = () => BaselineStore.Load(_directory);

        act.Should().Throw<InvalidDataException>().WithMessage($"{schema}: the baseline schema is not valid JSON at line *");
    }

    private string WriteBaseline(Action<JsonNode> spoil)
    {
        var file = new BaselineFile { Device = new BaselineDevice("cpu-test-2t", "cpu", "Test CPU"), Entries = [Entry()] };
        var node = JsonNode.Parse(BaselineUpdater.Serialize(file))!;
        spoil(node);
        var path = BaselineStore.PathFor(_directory, "cpu-test-2t");
        File.WriteAllText(path, node.ToJsonString());
        return path;
    }

    private static void Set(JsonNode root, string pointer, JsonNode? value)
    {
        var parts = pointer.Trim('/').Split('/');
        var parent = parts[..^1].Aggregate(root, (node, part) => int.TryParse(part, out var i) ? node[i]! : node[part]!);
        parent.AsObject()[parts[^1]] = value;
    }

    private static RunResult WithSamples(RunResult result, int count) => result with
    {
        Epochs = result.Epochs.Select(e => e with { TrainSecondsSamples = Enumerable.Repeat(count == 0 ? 0.0 : 1.0, Math.Max(count, 1)).ToList() }).ToList(),
    };

    private static string ResultJson(RunResult result) => System.Text.Json.JsonSerializer.Serialize(result, ResultFiles.JsonOptions);

    private Process StartAccept(string resultFile, int pauseBeforeCommitMilliseconds)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "perftests.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { cli, "baselines", "accept", resultFile, "--baselines", _directory }) start.ArgumentList.Add(arg);
        start.Environment[AtomicFile.FaultPauseVariable] = pauseBeforeCommitMilliseconds.ToString();
        return Process.Start(start)!;
    }

    private static Dictionary<string, string> EverythingUnder(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != BaselineLock.FileName)
            .ToDictionary(f => f, File.ReadAllText);

    public void Dispose() => _root.Dispose();
}
