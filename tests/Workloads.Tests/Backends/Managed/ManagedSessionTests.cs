using PerfTests.Harness.Backends;
using PerfTests.Harness.Backends.Managed;
using PerfTests.Harness.Backends.TorchSharp;
using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Backends.Managed;

[Trait("Category", "Unit")]
public sealed class ManagedSessionTests
{
    private static readonly ManagedBackend Backend = new();

    public static TheoryData<string, int, int> Workloads => new()
    {
        { "mlp_mnist", 10, 0 },
        { "cnn_mnist", 10, 0 },
        { "cnn_cifar10", 10, 0 },
        { "fasttext_imdb", 2, 0 },
        { "bilstm_imdb", 2, 0 },
        { "lstm_textgen", 57, 57 },
    };

    internal static Batch RandomBatch(WorkloadSpec spec, int classes, int dataDimension, int count, Random random, bool learnable = false)
    {
        var batch = new Batch(spec.Input, spec.BatchSize);
        if (batch.Features is { } features)
            for (int i = 0; i < count * batch.SampleSize; i++) features[i] = (float)random.NextDouble();
        else
        {
            int vocabulary = spec.Layers[0] switch
            {
                Embedding e => ModelShape.Size(e.InputDim, dataDimension, spec.Name),
                OneHot o => ModelShape.Size(o.Depth, dataDimension, spec.Name),
                _ => throw new InvalidOperationException(),
            };
            for (int i = 0; i < count * batch.SampleSize; i++) batch.Tokens![i] = random.Next(vocabulary);
        }
        int labels = spec.Loss == LossKind.BinaryCrossEntropy ? 2 : classes;
        for (int i = 0; i < count; i++)
            batch.Labels[i] = learnable && batch.Tokens is { } tokens ? tokens[(i + 1) * batch.SampleSize - 1] % labels : random.Next(labels);
        batch.Count = count;
        return batch;
    }

    [Fact]
    public void Registry_ListsManaged_ProbeIsAvailable_CpuOnly()
    {
        BackendRegistry.Get("managed").Should().BeOfType<ManagedBackend>();
        Backend.Probe().IsAvailable.Should().BeTrue();
        Backend.Probe().Version.Should().NotBeEmpty();
        Backend.Supports(ComputeDevice.Cpu, out _).Should().BeTrue();
        Backend.Supports(new ComputeDevice(DeviceKind.Cuda), out var reason).Should().BeFalse();
        reason.Should().Contain("CPU-only");
        var act = () => Backend.CreateSession(WorkloadCatalog.MlpMnist, new ModelDimensions(10, 0), new ComputeDevice(DeviceKind.Cuda), new SessionOptions(1));
        act.Should().Throw<InvalidOperationException>().WithMessage("*CPU-only*");
    }

    [Theory]
    [MemberData(nameof(Workloads))]
    public void ParameterCount_IsTheKerasCount(string workload, int classes, int dataDimension)
    {
        var spec = WorkloadCatalog.Get(workload);
        using var session = Backend.CreateSession(spec, new ModelDimensions(classes, dataDimension), ComputeDevice.Cpu, new SessionOptions(1));
        session.ParameterCount.Should().Be(spec.KerasParameterCount);
    }

    [Theory]
    [MemberData(nameof(Workloads))]
    public void Weights_HaveTheTorchSharpNamesAndShapes_AndRoundTrip(string workload, int classes, int dataDimension)
    {
        var spec = WorkloadCatalog.Get(workload);
        var dimensions = new ModelDimensions(classes, dataDimension);
        using var torch = new TorchSharpBackend().CreateSession(spec, dimensions, ComputeDevice.Cpu, new SessionOptions(1));
        using var managed = Backend.CreateSession(spec, dimensions, ComputeDevice.Cpu, new SessionOptions(1));
        var expected = torch.GetWeights().Tensors.Select(t => t.ToString());
        managed.GetWeights().Tensors.Select(t => t.ToString()).Should().Equal(expected);

        using var other = Backend.CreateSession(spec, dimensions, ComputeDevice.Cpu, new SessionOptions(2));
        other.SetWeights(managed.GetWeights());
        var batch = RandomBatch(spec, classes, dataDimension, 3, new Random(3));
        other.Predict(batch).Should().Equal(managed.Predict(batch));
    }

    [Fact]
    public void Lstm_Initialisation_FollowsKeras()
    {
        using var session = Backend.CreateSession(WorkloadCatalog.LstmTextgen, new ModelDimensions(57, 57), ComputeDevice.Cpu, new SessionOptions(3));
        var weights = session.GetWeights();
        var bias = weights["1.bias"].Values;
        bias.Take(128).Should().OnlyContain(v => v == 0);
        bias.Skip(128).Take(128).Should().OnlyContain(v => v == 1, "Keras unit_forget_bias");
        bias.Skip(256).Should().OnlyContain(v => v == 0);
        var recurrent = weights["1.recurrent_kernel"].Values;
        for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++)
        {
            double dot = 0;
            for (int j = 0; j < 512; j++) dot += recurrent[a * 512 + j] * recurrent[b * 512 + j];
            dot.Should().BeApproximately(a == b ? 1 : 0, 1e-5, "rows of the recurrent kernel are orthonormal");
        }
        double limit = Math.Sqrt(6.0 / (57 + 512));
        weights["1.kernel"].Values.Should().OnlyContain(v => Math.Abs(v) <= limit + 1e-6);
        weights["1.kernel"].Values.Max().Should().BeGreaterThan((float)(0.9 * limit));
    }

    [Fact]
    public void Embedding_And_Dense_Initialisation_FollowKeras()
    {
        using var session = Backend.CreateSession(WorkloadCatalog.FastTextImdb, new ModelDimensions(2, 0), ComputeDevice.Cpu, new SessionOptions(3));
        var weights = session.GetWeights();
        weights["0.embeddings"].Values.Should().OnlyContain(v => Math.Abs(v) <= 0.05f);
        weights["0.embeddings"].Values.Max().Should().BeGreaterThan(0.045f);
        weights["2.bias"].Values.Should().OnlyContain(v => v == 0);
        double limit = Math.Sqrt(6.0 / 51);
        weights["2.kernel"].Values.Should().OnlyContain(v => Math.Abs(v) <= limit);
    }

    [Theory]
    [MemberData(nameof(Workloads))]
    public void TrainStep_AfterWarmUp_AllocatesNothing(string workload, int classes, int dataDimension)
    {
        var spec = WorkloadCatalog.Get(workload);
        using var session = (ManagedSession)Backend.CreateSession(spec, new ModelDimensions(classes, dataDimension), ComputeDevice.Cpu, new SessionOptions(4, Threads: 2));
        var batch = RandomBatch(spec, classes, dataDimension, Math.Min(spec.BatchSize, 16), new Random(4));
        for (int i = 0; i < 3; i++) session.TrainStep(batch);

        long workerBefore = session.Pool.WorkerAllocatedBytes;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++) session.TrainStep(batch);
        long caller = GC.GetAllocatedBytesForCurrentThread() - before;
        long workers = session.Pool.WorkerAllocatedBytes - workerBefore;

        caller.Should().Be(0, "a steady-state step allocates nothing on the calling thread");
        workers.Should().Be(0, "nor on the pool's helper threads");
    }

    [Theory]
    [InlineData("cnn_mnist", 10, 0)]
    [InlineData("bilstm_imdb", 2, 0)]
    [InlineData("mlp_mnist", 10, 0)]
    public void SameSeed_SameBatches_TwoThreads_GiveIdenticalLossesAndWeights(string workload, int classes, int dataDimension)
    {
        var spec = WorkloadCatalog.Get(workload);
        var dimensions = new ModelDimensions(classes, dataDimension);
        var options = new SessionOptions(21, Threads: 2);
        using var first = Backend.CreateSession(spec, dimensions, ComputeDevice.Cpu, options);
        using var second = Backend.CreateSession(spec, dimensions, ComputeDevice.Cpu, options);
        var random = new Random(21);
        for (int step = 0; step < 3; step++)
        {
            var batch = RandomBatch(spec, classes, dataDimension, 8, random);
            first.TrainStep(batch).Should().Be(second.TrainStep(batch), "dropout masks, reductions and GEMM splits are deterministic");
        }
        var a = first.GetWeights();
        var b = second.GetWeights();
        for (int i = 0; i < a.Tensors.Count; i++) a.Tensors[i].Values.Should().Equal(b.Tensors[i].Values);
    }

    [Fact]
    public void Evaluate_BatchLargerThanTheWorkloadBatch_GrowsTheBuffersAndKeepsTheModel()
    {
        var spec = WorkloadCatalog.FastTextImdb;
        using var session = Backend.CreateSession(spec, new ModelDimensions(2, 0), ComputeDevice.Cpu, new SessionOptions(8));
        var small = RandomBatch(spec, 2, 0, 4, new Random(8));
        session.TrainStep(small);
        var before = session.Predict(small);

        var large = new Batch(spec.Input, 100);
        small.Tokens.AsSpan(0, 4 * 400).CopyTo(large.Tokens);
        small.Labels.AsSpan(0, 4).CopyTo(large.Labels);
        for (int i = 4 * 400; i < 100 * 400; i++) large.Tokens![i] = i % 20_000;
        large.Count = 100;
        session.Evaluate(large).Count.Should().Be(100);
        session.Predict(large).Take(4).Should().Equal(before);
        float.IsFinite(session.TrainStep(small)).Should().BeTrue();
    }

    [Fact]
    public void Training_ReducesTheLoss_OnALearnableProblem()
    {
        var spec = WorkloadCatalog.MlpMnist;
        using var session = Backend.CreateSession(spec, new ModelDimensions(10, 0), ComputeDevice.Cpu, new SessionOptions(5));
        var batch = RandomBatch(spec, 10, 0, 64, new Random(5));
        float first = session.TrainStep(batch);
        float last = first;
        for (int i = 0; i < 30; i++) last = session.TrainStep(batch);
        last.Should().BeLessThan(first / 4, "the MLP memorises one batch");
        var evaluation = session.Evaluate(batch);
        evaluation.Count.Should().Be(64);
        evaluation.Correct.Should().BeGreaterThan(60);
        var probabilities = session.Predict(batch);
        probabilities.Should().HaveCount(640);
        probabilities.Take(10).Sum().Should().BeApproximately(1f, 1e-5f);
    }
}
