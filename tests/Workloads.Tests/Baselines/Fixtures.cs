using PerfTests.Harness.Devices;
using PerfTests.Harness.Baselines;
using PerfTests.Harness.Data;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Workloads;
using PerfTests.Harness.Training;

namespace PerfTests.Workloads.Tests.Baselines;

/// <summary>Made-up results and baselines with round numbers, for the gate's pure logic.</summary>
internal static class Fixtures
{
    public static readonly DataProvenance FashionMnist = new("fashion-mnist", "/usr/share/datasets/fashion-mnist", new string('a', 64));

    public static RunResult Result(double metric = 0.85, double secondsPerEpoch = 10, int epochs = 3, string device = "cpu-test-2t",
        MetricKind kind = MetricKind.ValidationAccuracy, DataProvenance? data = null, double spread = 0.02, string workload = "mlp_mnist")
    {
        var measurements = Enumerable.Range(1, epochs).Select(e => new EpochMeasurement(
            e, e == 1 ? EpochStage.Warmup : EpochStage.Actual,
            TrainLoss: kind == MetricKind.TrainingLoss ? metric : 0.4,
            ValidationLoss: 0.5,
            ValidationAccuracy: kind == MetricKind.ValidationAccuracy ? metric : 0.3,
            Seconds: secondsPerEpoch * 1.1,
            TrainSeconds: secondsPerEpoch)
        {
            TrainSecondsSamples = Enumerable.Range(0, 10).Select(i => secondsPerEpoch * (1 + spread * (i % 5 - 2))).ToList(),
            Counters = new EpochCounters(Steps: 94, AllocatedBytes: 94 * 4_096, 1, 0, 0, PeakResidentBytes: 1_000_000_000),
        }).ToList();
        return new RunResult
        {
            Workload = workload,
            Backend = "torchsharp",
            BackendVersion = "TorchSharp 0.107.0 (libtorch 2.10.0)",
            Device = device,
            Profile = RunProfile.Ci,
            Seed = 42,
            Data = data ?? FashionMnist,
            TrainSamples = 12_000,
            ValidationSamples = 2_000,
            ParameterCount = 669_706,
            MetricKind = kind,
            Epochs = measurements,
            Environment = new RunEnvironment(device, "Test CPU", "Test CPU", 2, 2, "Linux", ".NET 10", "abc123", new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero)),
            Counters = new RunCounters(RunCounters.ScopeRun, null, null, null),
        };
    }

    /// <summary>An empty baselines folder under <paramref name="root"/> holding only the committed schema, for accept and load to work on.</summary>
    public static string EmptyBaselines(TempFolder root)
    {
        var directory = root.Folder("baselines");
        var committed = BaselineStore.DefaultDirectory(AppContext.BaseDirectory);
        File.Copy(Path.Combine(committed, BaselineStore.SchemaFileName), Path.Combine(directory, BaselineStore.SchemaFileName));
        return directory;
    }

    /// <summary>An entry as the baseline files write it, for comparing two entries whole.</summary>
    public static string Serialized(BaselineEntry entry) => System.Text.Json.JsonSerializer.Serialize(entry, BaselineStore.JsonOptions);

    public static BaselineEntry Entry(double metric = 0.85, double secondsPerEpoch = 10, double tolerance = 0.03, double budget = 1.5,
        MetricKind kind = MetricKind.ValidationAccuracy, DataProvenance? data = null, string workload = "mlp_mnist")
    {
        var reference = Result(metric, secondsPerEpoch, kind: kind, data: data, workload: workload);
        return BaselineUpdater.ToEntry(reference, null, DeviceKind.Cpu) with
        {
            Metric = new MetricBaseline(kind, metric, tolerance),
            Timing = new TimingBaseline(reference.TimingSamples, budget, secondsPerEpoch * 1.1),
        };
    }
}
