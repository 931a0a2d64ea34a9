using PerfTests.Harness.Devices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using BenchmarkDotNet.Engines;
using PerfTests.Harness.Backends;
using PerfTests.Harness.Backends.TorchSharp;
using PerfTests.Harness.Data;
using PerfTests.Harness.Training;
using PerfTests.Harness.Workloads;
using TorchSharp;
using static TorchSharp.torch;

namespace PerfTests.Benchmarks;

/// <summary>
/// Is the harness a faithful stopwatch? One mlp_mnist epoch (training + validation) through the harness
/// (TorchSharp backend + Trainer) against a minimal hand-written TorchSharp loop doing the same work:
/// same data, batch 128, RMSprop(rho 0.9), dropout 0.2, reshuffled each epoch, last partial batch kept.
/// Each invocation is one epoch, so the Monitoring strategy measures epochs, not microseconds.
/// </summary>
[Config(typeof(EpochJobConfig))]
public class MlpEpochBenchmarks
{
    private WorkloadData _data = null!;
    private ITrainingSession _session = null!;
    private Trainer _trainer = null!;
    private HandWrittenMlp _hand = null!;

    [Params("ci")]
    public string Profile { get; set; } = "ci";

    [GlobalSetup]
    public void Setup()
    {
        var workload = WorkloadCatalog.MlpMnist;
        _data = DataCatalog.Load(workload, Enum.Parse<RunProfile>(Profile, true), DataOptions.FromEnvironment(), Console.WriteLine);
        _session = new TorchSharpBackend().CreateSession(workload, new ModelDimensions(10, 0), ComputeDevice.Cpu,
            new SessionOptions(42, Environment.ProcessorCount));
        _trainer = new Trainer(workload, "torchsharp", 42);
        _hand = new HandWrittenMlp(_data, seed: 42);
    }

    [Benchmark(Baseline = true, Description = "hand-written TorchSharp loop")]
    public double HandWritten() => _hand.Epoch();

    [Benchmark(Description = "harness (TorchSharp backend + Trainer)")]
    public double Harness() => _trainer.Train(_session, _data, epochs: 1)[0].ValidationAccuracy;

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.Dispose();
        _hand.Dispose();
    }
}

/// <summary>
/// Whole epochs: Monitoring strategy (each invocation timed on its own), in process so the TorchSharp native
/// library in this build output, which the build patched, is the one loaded.
/// </summary>
public sealed class EpochJobConfig : ManualConfig
{
    public EpochJobConfig() => AddJob(Job.Default
        .WithStrategy(RunStrategy.Monitoring)
        .WithLaunchCount(1)
        .WithWarmupCount(2)
        .WithIterationCount(10)
        .WithToolchain(InProcessEmitToolchain.Instance));
}

/// <summary>The loop a TorchSharp user would write by hand for the Keras mlp_mnist example.</summary>
public sealed class HandWrittenMlp : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly optim.Optimizer _optimizer;
    private readonly Tensor _trainX, _trainY, _validX, _validY;
    private readonly Random _random;
    private readonly int[] _order;

    public HandWrittenMlp(WorkloadData data, int seed)
    {
        manual_seed(seed);
        set_num_threads(Environment.ProcessorCount);
        _model = nn.Sequential(
            nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(512, 512), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(512, 10));
        _optimizer = optim.RMSProp(_model.parameters(), lr: 0.001, alpha: 0.9, eps: 1e-8);
        _trainX = tensor(data.Train.Features!, [data.Train.Count, 784]);
        _trainY = tensor(data.Train.Labels, [data.Train.Count]).to(ScalarType.Int64);
        _validX = tensor(data.Validation.Features!, [data.Validation.Count, 784]);
        _validY = tensor(data.Validation.Labels, [data.Validation.Count]).to(ScalarType.Int64);
        _random = new Random(seed);
        _order = Enumerable.Range(0, data.Train.Count).ToArray();
    }

    /// <summary>One epoch: shuffled training batches, then the validation pass. Returns validation accuracy.</summary>
    public double Epoch()
    {
        _model.train();
        _random.Shuffle(_order);
        for (int start = 0; start < _order.Length; start += 128)
        {
            using var scope = NewDisposeScope();
            var index = tensor(_order.AsSpan(start, Math.Min(128, _order.Length - start)).ToArray()).to(ScalarType.Int64);
            _optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(_model.forward(_trainX.index_select(0, index)), _trainY.index_select(0, index));
            loss.backward();
            _optimizer.step();
            loss.item<float>();
        }

        _model.eval();
        using var noGrad = no_grad();
        long correct = 0;
        for (long start = 0; start < _validX.shape[0]; start += 128)
        {
            using var scope = NewDisposeScope();
            long n = Math.Min(128, _validX.shape[0] - start);
            var logits = _model.forward(_validX.narrow(0, start, n));
            correct += logits.argmax(1).eq(_validY.narrow(0, start, n)).sum().item<long>();
        }
        return (double)correct / _validX.shape[0];
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
        foreach (var t in new[] { _trainX, _trainY, _validX, _validY }) t.Dispose();
    }
}
