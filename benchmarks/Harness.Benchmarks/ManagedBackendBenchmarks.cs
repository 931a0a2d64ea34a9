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
/// The managed backend's SGEMM, C[m×n] = op(A)[m×k]·op(B)[k×n], single-threaded and over all cores, with a GFLOP/s column
/// (2·m·n·k / mean time). A shape is "m×n×k", then ":TN"-style transposes of A and B, then "*B" for B independent
/// multiplies: the engine runs a convolution's per-sample GEMMs and a bidirectional LSTM's two directions that way, one
/// whole multiply per worker, so with B &gt; 1 the workers share the batch instead of splitting each multiply.
/// </summary>
[Config(typeof(GemmConfig))]
public unsafe class ManagedGemmBenchmarks : IParallelJob
{
    private WorkerPool _pool = null!;
    private float* _a, _b, _c;
    private GemmShape _shape;

    /// <summary>
    /// The shapes the six workloads multiply (forward, weight gradient, input gradient) and two squares. mlp_mnist at batch
    /// 128; cnn_mnist's and cnn_cifar10's im2col GEMMs per sample (filters × output pixels × C·k·k) and their dense layers;
    /// lstm_textgen's recurrent step at batch 128 and bilstm_imdb's at batch 32, with their gradient GEMMs over all steps.
    /// </summary>
    public static IEnumerable<string> Shapes =>
    [
        "128x512x784", "128x512x512", "784x512x128:TN", "128x784x512:NT",
        "64x576x288*16", "64x288x576:NT*16", "288x576x64:TN*16", "128x128x9216", "9216x128x128:TN",
        "32x900x288*16", "64x169x576*16", "576x169x64:TN*16", "32x512x2304", "2304x512x32:TN",
        "128x512x128", "128x128x512:NT", "128x512x5120:TN", "32x256x64*2", "3200x256x128*2",
        "512x512x512", "1024x1024x1024",
    ];

    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "512x512x512";

    [Params(1, 2)]
    public int Threads { get; set; } = 2;

    internal readonly record struct GemmShape(int M, int N, int K, bool TransA, bool TransB, int Count)
    {
        public int Lda => TransA ? M : K;
        public int Ldb => TransB ? K : N;
    }

    internal static GemmShape Parse(string shape)
    {
        var (dims, count) = shape.Split('*') is [var d, var c] ? (d, int.Parse(c)) : (shape, 1);
        var (size, trans) = dims.Split(':') is [var s, var t] ? (s, t) : (dims, "NN");
        var parts = size.Split('x').Select(int.Parse).ToArray();
        return new GemmShape(parts[0], parts[1], parts[2], trans[0] == 'T', trans[1] == 'T', count);
    }

    /// <summary>2·m·n·k per multiply, times the batch: what GFLOP/s counts.</summary>
    internal static double Flops(string shape)
    {
        var s = Parse(shape);
        return 2.0 * s.M * s.N * s.K * s.Count;
    }

    [GlobalSetup]
    public void Setup()
    {
        _shape = Parse(Shape);
        _pool = new WorkerPool(Threads);
        _a = Allocate((long)_shape.M * _shape.K * _shape.Count);
        _b = Allocate((long)_shape.K * _shape.N * _shape.Count);
        _c = Allocate((long)_shape.M * _shape.N * _shape.Count);
    }

    private static float* Allocate(long count)
    {
        var p = (float*)NativeMemory.AlignedAlloc((nuint)(count * sizeof(float)), 64);
        var random = new Random(1);
        for (long i = 0; i < count; i++) p[i] = (float)random.NextDouble() - 0.5f;
        return p;
    }

    [Benchmark(Description = "managed SGEMM")]
    public void Sgemm()
    {
        var s = _shape;
        if (s.Count == 1) Gemm.Multiply(_pool, s.TransA, s.TransB, s.M, s.N, s.K, 1f, _a, s.Lda, _b, s.Ldb, 0f, _c, s.N);
        else _pool.Run(this, s.Count);
    }

    /// <summary>Multiply <paramref name="item"/> of a batch, whole, on <paramref name="worker"/>.</summary>
    public void Execute(int item, int worker)
    {
        var s = _shape;
        Gemm.Serial(s.TransA, s.TransB, s.M, s.N, s.K, 1f, _a + (long)item * s.M * s.K, s.Lda, _b + (long)item * s.K * s.N, s.Ldb, 0f,
            _c + (long)item * s.M * s.N, s.N, _pool.PackA(worker), _pool.PackB(worker));
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
    private Batch[] _batches = [];
    private readonly Random _labels = new(11);
    private int _next, _classes;

    /// <summary>
    /// Distinct random batches, taken in turn, with new random labels each time. Thousands of steps on one fixed batch
    /// memorise it (fasttext_imdb's loss fell to 1e-4), which no real training step sees; labels that change every time
    /// cannot be learned, so the gradients keep the size they have in training.
    /// </summary>
    public const int DistinctBatches = 8;

    public static IEnumerable<string> Workloads => WorkloadCatalog.All.Select(w => w.Name);

    [ParamsSource(nameof(Workloads))]
    public string Workload { get; set; } = "mlp_mnist";

    [Params("managed", "torchsharp")]
    public string Backend { get; set; } = "managed";

    /// <summary>Threads for both engines: $PERFTESTS_BENCH_THREADS, else all logical cores.</summary>
    public int Threads { get; set; } =
        int.TryParse(Environment.GetEnvironmentVariable("PERFTESTS_BENCH_THREADS"), out var t) && t > 0 ? t : Environment.ProcessorCount;

    internal ITrainingSession Session => _session;

    [GlobalSetup]
    public void Setup()
    {
        var spec = WorkloadCatalog.Get(Workload);
        int classes = Workload == "lstm_textgen" ? 57 : spec.Loss == LossKind.BinaryCrossEntropy ? 2 : 10;
        int dataDimension = Workload == "lstm_textgen" ? 57 : 0;
        _session = BackendRegistry.Get(Backend).CreateSession(spec, new ModelDimensions(classes, dataDimension), ComputeDevice.Cpu,
            new SessionOptions(42, Threads));
        var random = new Random(7);
        _batches = Enumerable.Range(0, DistinctBatches).Select(_ => RandomBatch(spec, classes, dataDimension, random)).ToArray();
        _classes = spec.Loss == LossKind.BinaryCrossEntropy ? 2 : classes;
    }

    internal static Batch RandomBatch(WorkloadSpec spec, int classes, int dataDimension, Random random)
    {
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

    /// <summary>
    /// Steps until the JIT has optimised the step, at least 100 steps and 2 s: a process's first few dozen steps run tier-0
    /// and OSR code (fasttext_imdb's first 40-60 steps take 8-10 ms, later ones 2), so three warm-up steps timed the JIT.
    /// </summary>
    public void WarmUp()
    {
        var warm = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 100 || warm.Elapsed.TotalSeconds < 2; i++) Step();
    }

    [Benchmark(Description = "TrainStep")]
    public float Step()
    {
        var batch = _batches[_next++ % _batches.Length];
        for (int i = 0; i < batch.Count; i++) batch.Labels[i] = _labels.Next(_classes);
        return _session.TrainStep(batch);
    }

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
