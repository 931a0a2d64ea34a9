using PerfTests.Harness.Data;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Workloads;
using PerfTests.Harness.Training;

namespace PerfTests.Workloads.Tests.Reports;

/// <summary>
/// A fixed, realistic results set: two backends × two devices over three workloads, one per profile and kind of
/// data (mlp_mnist full on MNIST, cnn_cifar10 ci on CIFAR-10, lstm_textgen smoke on generated text, where the
/// managed backend did not run on the GPU).
/// </summary>
internal static class ReportFixtures
{
    public const string Cpu = "cpu-amd-epyc-7763-2t";
    public const string Gpu = "h100-80gb";

    private static readonly DataProvenance Mnist = new("mnist", "/data/mnist", "d1b3c5e7" + new string('0', 56));
    private static readonly DataProvenance Cifar10 = new("cifar10", "/data/cifar10", "a2c4e6f8" + new string('1', 56));
    private static readonly DataProvenance GeneratedText = new("generated-nietzsche", "TextGenerator(seed 42)", DataProvenance.GeneratedChecksum);

    public static IReadOnlyList<RunResult> All { get; } =
    [
        Run("mlp_mnist", "torchsharp", Cpu, RunProfile.Full, Mnist, 20, 0.9838, 0.90, 4.12),
        Run("mlp_mnist", "torchsharp", Gpu, RunProfile.Full, Mnist, 20, 0.9841, 0.90, 0.87),
        Run("mlp_mnist", "managed", Cpu, RunProfile.Full, Mnist, 20, 0.9829, 0.90, 9.64),
        Run("mlp_mnist", "managed", Gpu, RunProfile.Full, Mnist, 20, 0.9833, 0.90, 2.35),
        Run("cnn_cifar10", "torchsharp", Cpu, RunProfile.Ci, Cifar10, 3, 0.4712, 0.30, 96.4),
        Run("cnn_cifar10", "torchsharp", Gpu, RunProfile.Ci, Cifar10, 3, 0.4688, 0.30, 3.21),
        Run("cnn_cifar10", "managed", Cpu, RunProfile.Ci, Cifar10, 3, 0.4105, 0.30, 188.0),
        Run("cnn_cifar10", "managed", Gpu, RunProfile.Ci, Cifar10, 3, 0.4650, 0.30, 11.7),
        Run("lstm_textgen", "torchsharp", Cpu, RunProfile.Smoke, GeneratedText, 2, 2.9130, 3.4, 1.84),
        Run("lstm_textgen", "torchsharp", Gpu, RunProfile.Smoke, GeneratedText, 2, 2.9051, 3.4, 0.41),
        Run("lstm_textgen", "managed", Cpu, RunProfile.Smoke, GeneratedText, 2, 2.9377, 3.4, 5.02),
    ];

    /// <param name="final">The metric after the last epoch; earlier epochs approach it from <paramref name="start"/>.</param>
    /// <param name="seconds">Steady-state seconds per epoch; the warm-up epoch takes 30% longer.</param>
    public static RunResult Run(string workload, string backend, string device, RunProfile profile, DataProvenance data, int epochs,
        double final, double start, double seconds)
    {
        var spec = WorkloadCatalog.Get(workload);
        var kind = spec.Metric;
        bool gpu = device == Gpu;
        int trainSamples = profile switch { RunProfile.Full => 60_000, RunProfile.Ci => 10_000, _ => 256 };
        int steps = (trainSamples + spec.BatchSize - 1) / spec.BatchSize;
        var flops = ModelFlops.Count(spec, workload == "lstm_textgen" ? 57 : 0);
        // A 2-thread AVX-512 calibration of about 410 GFLOP/s; the H100's published figure.
        var peak = gpu ? GpuPeakTable.For(Gpu, "NVIDIA H100 80GB HBM3")! : new PeakThroughput(410, "calibrated: AVX-512 FMA loop on 2 threads (fixture)");
        var compute = new ComputeCost(flops.PerSample, flops.OptimizerPerStep, flops.PerStep, peak.Gflops, peak.Source);
        // TorchSharp copies each batch into a new managed array; the managed backend allocates nothing per step.
        long bytesPerStep = backend == "torchsharp" ? 4L * spec.BatchSize * spec.Input.Shape.Aggregate(1, (a, b) => a * b) + 1_536 : 0;
        var measurements = Enumerable.Range(1, epochs).Select(e =>
        {
            double progress = epochs == 1 ? 1 : (double)(e - 1) / (epochs - 1);
            double metric = Math.Round(start + (final - start) * Math.Sqrt(progress), 4);
            double epochSeconds = Math.Round(seconds * (e == 1 ? 1.3 : 1 + 0.02 * (e % 3 - 1)), 3);
            return new EpochMeasurement(
                e, e == 1 ? EpochStage.Warmup : EpochStage.Actual,
                TrainLoss: kind == MetricKind.TrainingLoss ? metric : Math.Round(1.2 * (1 - metric) + 0.05, 4),
                ValidationLoss: Math.Round(kind == MetricKind.TrainingLoss ? metric * 1.05 : 1.1 * (1 - metric) + 0.06, 4),
                ValidationAccuracy: kind == MetricKind.ValidationAccuracy ? metric : 0.21,
                Seconds: epochSeconds,
                TrainSeconds: Math.Round(epochSeconds * 0.92, 3))
            {
                TrainSecondsSamples = Enumerable.Range(0, 4).Select(i => Math.Round(epochSeconds * 0.92 * (1 + 0.01 * (i - 1.5)), 4)).ToList(),
                Counters = new EpochCounters(steps, steps * bytesPerStep, bytesPerStep > 0 ? steps / 40 : 0, 0, 0,
                    backend == "torchsharp" ? 1_288_490_188 : 734_003_200),
                Gflops = Math.Round(compute.EpochFlops(trainSamples, steps) / Math.Round(epochSeconds * 0.92, 3) / 1e9, 4),
            };
        }).Select(e => e with { PercentOfPeak = Math.Round(100 * e.Gflops!.Value / peak.Gflops, 4) }).ToList();
        return new RunResult
        {
            Workload = workload,
            Backend = backend,
            BackendVersion = backend == "torchsharp" ? "TorchSharp 0.107.0 (libtorch 2.10.0)" : "PerfTests.Managed 0.1.0",
            Device = device,
            Profile = profile,
            Seed = 42,
            Data = data,
            TrainSamples = trainSamples,
            ValidationSamples = profile switch { RunProfile.Full => 10_000, RunProfile.Ci => 2_000, _ => 64 },
            ParameterCount = 669_706,
            MetricKind = kind,
            Epochs = measurements,
            Environment = new RunEnvironment(device, gpu ? "NVIDIA H100 80GB HBM3" : "AMD EPYC 7763 64-Core Processor",
                "AMD EPYC 7763 64-Core Processor", 2, 2, "Ubuntu 24.04.3 LTS", ".NET 10.0.0", "e36b950",
                new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero)),
            SampleText = workload == "lstm_textgen" ? SampleText(backend, device) : null,
            Compute = compute,
            Counters = new RunCounters(RunCounters.ScopeRun, null, null, gpu ? RunCounters.NoCudaMemoryStatistics : null),
        };
    }

    /// <summary>400 characters, as the trainer samples them after training (here: made up, with a quote and a pipe).</summary>
    private static string SampleText(string backend, string device)
    {
        var text = $"the spirit of the {backend} on {device} is the will to power | \"what is good?\" asked the philosopher, " +
                   "and the free spirit answered that the soul of the strong is the truth of the world and the man of the " +
                   "sense of the present, the problem of the morality and the strength of the senses and the spirit. ";
        while (text.Length < 400) text += text;
        return text[..400];
    }

    /// <summary>Set to 1 to rewrite Fixtures/ and Expected/ from the code here and the current output (then review the diff).</summary>
    public const string UpdateVariable = "PERFTESTS_UPDATE_EXPECTED";

    public static string ReportsTestDirectory => Path.Combine(RepositoryRoot(), "tests", "Workloads.Tests", "Reports");

    /// <summary>The checked-in result files (<see cref="All"/>, one folder per backend, as a CI artifact tree would be).</summary>
    public static string FixtureDirectory => Path.Combine(ReportsTestDirectory, "Fixtures");

    public static void WriteFixtureFiles()
    {
        foreach (var result in All) ResultFiles.Write(result, Path.Combine(FixtureDirectory, result.Backend));
    }

    /// <summary>The repository root (where PerfTests.sln is), found above the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PerfTests.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"PerfTests.sln not found above {AppContext.BaseDirectory}.");
    }
}
