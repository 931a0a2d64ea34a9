using PerfTests.Harness.Devices;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using PerfTests.Harness.Backends;
using PerfTests.Harness.Backends.Managed;
using PerfTests.Harness.Data;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Workloads;

namespace PerfTests.Benchmarks;

/// <summary>
/// The managed backend's SGEMM, C[m×n] = A[m×k]·B[k×n], single-threaded and over all cores, with a GFLOP/s column
/// (2·m·n·k / mean time). Machine peak for comparison: cores × 2 AVX-512 FMA ports × 16 lanes × 2 flops × clock,
/// i.e. 2 × 64 × 2.3 GHz ≈ 294 GFLOP/s on the 2-core 2.3 GHz AVX-512 Xeon of the CI box (147 GFLOP/s with one FMA port).
/// </summary>
[Config(typeof(GemmConfig))]
public unsafe class ManagedGemmBenchmarks
{
    private WorkerPool _pool = null!;
    private float* _a, _b, _c;

    /// <summary>"m×n×k": an mlp_mnist first layer (128×512×784), a square 512³, and a larger square 1024³.</summary>
    public static IEnumerable<string> Shapes => ["128x512x784", "512x512x512", "1024x1024x1024"];

    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "512x512x512";

    [Params(1, 2)]
    public int Threads { get; set; } = 2;

    private (int M, int N, int K) Dims => Parse(Shape);

    internal static (int M, int N, int K) Parse(string shape)
    {
        var parts = shape.Split('x').Select(int.Parse).ToArray();
        return (parts[0], parts[1], parts[2]);
    }

    /// <summary>2·m·n·k: the multiply-adds of one call, as GFLOP/s counts them.</summary>
    internal static double Flops(string shape)
    {
        var (m, n, k) = Parse(shape);
        return 2.0 * m * n * k;
    }

    [GlobalSetup]
    public void Setup()
    {
        var (m, n, k) = Dims;
        _pool = new WorkerPool(Threads);
        _a = Allocate(m * k);
        _b = Allocate(k * n);
        _c = Allocate(m * n);
    }

    private static float* Allocate(int count)
    {
        var p = (float*)NativeMemory.AlignedAlloc((nuint)(count * sizeof(float)), 64);
        var random = new Random(1);
        for (int i = 0; i < count; i++) p[i] = (float)random.NextDouble() - 0.5f;
        return p;
    }

    [Benchmark(Description = "managed SGEMM")]
    public void Sgemm()
    {
        var (m, n, k) = Dims;
        Gemm.Multiply(_pool, false, false, m, n, k, 1f, _a, k, _b, n, 0f, _c, n);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Dispose();
        NativeMemory.AlignedFree(_a);
        NativeMemory.AlignedFree(_b);
        NativeMemory.AlignedFree(_c);
    }
}

/// <summary>
/// One optimizer step (forward, backward, update) on a full random batch, per workload, on both backends, with the
/// model's FLOPs per step (Workloads.ModelFlops), the GFLOP/s they imply and the % of this CPU's calibrated peak.
/// </summary>
[Config(typeof(TrainStepConfig))]
public class TrainStepBenchmarks
{
    private ITrainingSession _session = null!;
    private Batch _batch = null!;

    public static IEnumerable<string> Workloads => WorkloadCatalog.All.Select(w => w.Name);

    [ParamsSource(nameof(Workloads))]
    public string Workload { get; set; } = "mlp_mnist";

    [Params("managed", "torchsharp")]
    public string Backend { get; set; } = "managed";

    /// <summary>Threads for both engines: $PERFTESTS_BENCH_THREADS, else all logical cores.</summary>
    public int Threads { get; set; } =
        int.TryParse(Environment.GetEnvironmentVariable("PERFTESTS_BENCH_THREADS"), out var t) && t > 0 ? t : Environment.ProcessorCount;

    [GlobalSetup]
    public void Setup()
    {
        var spec = WorkloadCatalog.Get(Workload);
        int classes = Workload == "lstm_textgen" ? 57 : spec.Loss == LossKind.BinaryCrossEntropy ? 2 : 10;
        int dataDimension = Workload == "lstm_textgen" ? 57 : 0;
        _session = BackendRegistry.Get(Backend).CreateSession(spec, new ModelDimensions(classes, dataDimension), ComputeDevice.Cpu,
            new SessionOptions(42, Threads));
        _batch = RandomBatch(spec, classes, dataDimension);
    }

    internal static Batch RandomBatch(WorkloadSpec spec, int classes, int dataDimension)
    {
        var random = new Random(7);
        var batch = new Batch(spec.Input, spec.BatchSize);
        if (batch.Features is { } features) for (int i = 0; i < features.Length; i++) features[i] = (float)random.NextDouble();
        else
        {
            int vocabulary = spec.Layers[0] is Embedding e ? e.InputDim : dataDimension;
            for (int i = 0; i < batch.Tokens!.Length; i++) batch.Tokens[i] = random.Next(vocabulary);
        }
        for (int i = 0; i < batch.Labels.Length; i++) batch.Labels[i] = random.Next(spec.Loss == LossKind.BinaryCrossEntropy ? 2 : classes);
        batch.Count = spec.BatchSize;
        return batch;
    }

    /// <summary>The model FLOPs of one full-batch step of <paramref name="workload"/> (lstm_textgen with the 57-character vocabulary).</summary>
    public static long FlopsPerStep(string workload) =>
        ModelFlops.Count(WorkloadCatalog.Get(workload), workload == "lstm_textgen" ? 57 : 0).PerStep;

    /// <summary>This CPU's calibrated FP32 peak at <see cref="Threads"/> threads (measured once, then cached; see DevicePeak).</summary>
    public static PeakThroughput CpuPeak(int threads) =>
        DevicePeak.For(DeviceDetector.Cpu(threads), threads, DataOptions.DefaultCacheDirectory(), out _)!;

    [Benchmark(Description = "TrainStep")]
    public float Step() => _session.TrainStep(_batch);

    [GlobalCleanup]
    public void Cleanup() => _session.Dispose();
}

/// <summary>Short in-process job: the TorchSharp native library this build patched is the one loaded.</summary>
public sealed class StepConfig : ManualConfig
{
    internal static Job ShortInProcess { get; } = Job.Default
        .WithLaunchCount(1)
        .WithWarmupCount(3)
        .WithIterationCount(8)
        .WithToolchain(InProcessEmitToolchain.Instance);

    public StepConfig() => AddJob(ShortInProcess);
}

/// <summary>The same short job, with a GFLOP/s column.</summary>
public sealed class GemmConfig : ManualConfig
{
    public GemmConfig()
    {
        AddJob(StepConfig.ShortInProcess);
        AddColumn(new GflopsColumn());
    }
}

/// <summary>The short job, with the model's FLOPs per step, GFLOP/s and % of the calibrated peak.</summary>
public sealed class TrainStepConfig : ManualConfig
{
    public TrainStepConfig()
    {
        AddJob(StepConfig.ShortInProcess);
        AddColumn(new StepFlopsColumn(StepFlopsColumn.Figure.FlopsPerStep), new StepFlopsColumn(StepFlopsColumn.Figure.Gflops),
            new StepFlopsColumn(StepFlopsColumn.Figure.PercentOfPeak));
    }
}

/// <summary>TrainStep cases: model FLOPs per step, GFLOP/s (FLOPs / mean time) and that as % of the calibrated CPU peak.</summary>
public sealed class StepFlopsColumn(StepFlopsColumn.Figure figure) : IColumn
{
    public enum Figure { FlopsPerStep, Gflops, PercentOfPeak }

    public string Id => $"{nameof(StepFlopsColumn)}.{figure}";
    public string ColumnName => figure switch { Figure.FlopsPerStep => "GFLOP/step", Figure.Gflops => "GFLOP/s", _ => "% of peak" };
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => (int)figure;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => figure switch
    {
        Figure.FlopsPerStep => "model FLOPs of one full-batch training step (README, What each run costs)",
        Figure.Gflops => "model FLOPs per step / mean time",
        _ => "GFLOP/s as a percentage of this CPU's calibrated FMA peak at the benchmark's thread count",
    };
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        double flops = TrainStepBenchmarks.FlopsPerStep((string)benchmarkCase.Parameters["Workload"]);
        if (figure == Figure.FlopsPerStep) return (flops / 1e9).ToString("F3");
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (statistics is null) return "-";
        double gflops = flops / statistics.Mean;
        if (figure == Figure.Gflops) return gflops.ToString("F1");
        return (100 * gflops / TrainStepBenchmarks.CpuPeak(new TrainStepBenchmarks().Threads).Gflops).ToString("F1");
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
}

/// <summary>2·m·n·k floating-point operations over the mean time, in GFLOP/s.</summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);
    public string ColumnName => "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "2·m·n·k / mean time (machine peak ≈ 294 GFLOP/s: 2 cores × 2 FMA × 16 lanes × 2 × 2.3 GHz)";
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (statistics is null) return "-";
        var shape = (string)benchmarkCase.Parameters["Shape"];
        return (ManagedGemmBenchmarks.Flops(shape) / statistics.Mean).ToString("F1");
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
}
