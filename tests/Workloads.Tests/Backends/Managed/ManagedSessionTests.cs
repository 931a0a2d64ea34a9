using PerfTests.Harness.Devices;
using PerfTests.Harness.Backends;
using PerfTests.Harness.Backends.Managed;
using PerfTests.Harness.Workloads;
using PerfTests.Workloads.Tests.Backends;

namespace PerfTests.Workloads.Tests.Backends.Managed;

[Trait("Category", "Unit")]
public sealed class ManagedSessionTests
{
    private static readonly ManagedBackend Backend = new();

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
    [MemberData(nameof(TestModels.WorkloadNames), MemberType = typeof(TestModels))]
    public void TrainStep_AfterWarmUp_AllocatesNothing(string workload)
    {
        var spec = WorkloadCatalog.Get(workload);
        var dimensions = TestModels.Dimensions(spec);
        using var session = (ManagedSession)Backend.CreateSession(spec, dimensions, ComputeDevice.Cpu, new SessionOptions(4, Threads: 2));
        var batch = TestModels.RandomBatch(spec, dimensions, Math.Min(spec.BatchSize, 16), new Random(4));
        for (int i = 0; i < 3; i++) session.TrainStep(batch);

        long workerBefore = session.Pool.WorkerAllocatedBytes;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++) session.TrainStep(batch);
        long caller = GC.GetAllocatedBytesForCurrentThread() - before;
        long workers = session.Pool.WorkerAllocatedBytes - workerBefore;

        caller.Should().Be(0, "a steady-state step allocates nothing on the calling thread");
        workers.Should().Be(0, "nor on the pool's helper threads");
    }

    /// <summary>
    /// The session's gathering on its workers copies what the trainer's Fill copies, for a batch large enough to split
    /// (mlp_mnist: 128 × 784 floats) and one copied on the calling thread (lstm_textgen's tokens), and allocates nothing.
    /// </summary>
    [Theory]
    [InlineData("mlp_mnist", 3)]
    [InlineData("lstm_textgen", 2)]
    [InlineData("cnn_cifar10", 1)]
    public void Gather_OnTheWorkers_CopiesWhatFillCopies_WithoutAllocating(string workload, int threads)
    {
        var spec = WorkloadCatalog.Get(workload);
        var dimensions = TestModels.Dimensions(spec);
        using var session = (ManagedSession)Backend.CreateSession(spec, dimensions, ComputeDevice.Cpu, new SessionOptions(4, Threads: threads));
        const int count = 1000;
        var random = new Random(9);
        int size = spec.Input.SampleSize;
        var split = spec.Input.Kind == InputKind.Features
            ? new PerfTests.Harness.Data.DataSplit(count, size, Enumerable.Range(0, count * size).Select(_ => random.NextSingle()).ToArray(), null, Enumerable.Range(0, count).ToArray())
            : new PerfTests.Harness.Data.DataSplit(count, size, null, Enumerable.Range(0, count * size).Select(_ => random.Next(50)).ToArray(), Enumerable.Range(0, count).ToArray());
        var order = Enumerable.Range(0, count).ToArray();
        random.Shuffle(order);
        var expected = new Batch(spec.Input, spec.BatchSize);
        var actual = new Batch(spec.Input, spec.BatchSize);
        int n = spec.BatchSize - 3;

        PerfTests.Harness.Training.Trainer.Fill(expected, split, order.AsSpan(100, n));
        session.Gather(actual, split, new ArraySegment<int>(order, 100, n));
        long before = GC.GetAllocatedBytesForCurrentThread() + session.Pool.WorkerAllocatedBytes;
        session.Gather(actual, split, new ArraySegment<int>(order, 100, n));
        long allocated = GC.GetAllocatedBytesForCurrentThread() + session.Pool.WorkerAllocatedBytes - before;

        actual.Count.Should().Be(n);
        actual.Labels.Should().Equal(expected.Labels);
        if (actual.Features is not null) actual.Features.Should().Equal(expected.Features);
        else actual.Tokens.Should().Equal(expected.Tokens);
        allocated.Should().Be(0);
    }

    /// <summary>
    /// A bad index, a split of another shape or more samples than the batch holds is reported on the calling thread,
    /// before any row is copied: on a helper thread it would end the process.
    /// </summary>
    [Fact]
    public void Gather_BadRequest_ThrowsOnTheCallingThread_AndCopiesNothing()
    {
        var spec = WorkloadCatalog.MlpMnist;
        using var session = (ManagedSession)Backend.CreateSession(spec, TestModels.Dimensions(spec), ComputeDevice.Cpu, new SessionOptions(4, Threads: 2));
        var split = new PerfTests.Harness.Data.DataSplit(200, 784, Enumerable.Repeat(1f, 200 * 784).ToArray(), null, new int[200]);
        var batch = new Batch(spec.Input, spec.BatchSize);
        var indices = Enumerable.Range(0, 128).ToArray();
        indices[127] = 200;

        var act = () => session.Gather(batch, split, new ArraySegment<int>(indices));

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Sample 200 is not in a split of 200*");
        batch.Features.Should().OnlyContain(v => v == 0f);
        var tokens = new PerfTests.Harness.Data.DataSplit(200, 784, null, new int[200 * 784], new int[200]);
        var wrongKind = () => session.Gather(batch, tokens, new ArraySegment<int>(indices, 0, 10));
        wrongKind.Should().Throw<ArgumentException>().WithMessage("*do not fit a batch of Features, 784 values*");
        var tooMany = () => session.Gather(batch, split, new ArraySegment<int>(Enumerable.Range(0, 129).ToArray()));
        tooMany.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*129 samples do not fit a batch of 128*");
        batch.Features.Should().OnlyContain(v => v == 0f);
    }

    [Fact]
    public void Evaluate_BatchLargerThanTheWorkloadBatch_GrowsTheBuffersAndKeepsTheModel()
    {
        var spec = WorkloadCatalog.FastTextImdb;
        using var session = Backend.CreateSession(spec, new ModelDimensions(2, 0), ComputeDevice.Cpu, new SessionOptions(8));
        var small = TestModels.RandomBatch(spec, new ModelDimensions(2, 0), 4, new Random(8));
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
        var batch = TestModels.RandomBatch(spec, new ModelDimensions(10, 0), 64, new Random(5));
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
