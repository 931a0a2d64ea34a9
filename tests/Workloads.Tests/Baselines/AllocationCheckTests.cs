using PerfTests.Harness.Backends;
using PerfTests.Harness.Baselines;
using PerfTests.Harness.Data;
using PerfTests.Harness.Devices;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Training;
using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Baselines;

/// <summary>
/// The gate's allocation check end to end: the trainer counts what real managed-backend steps allocate, and a session that
/// wastes memory every step fails the check on a device with no baseline of its own, with the figures in the message.
/// </summary>
[Trait("Category", "Unit")]
[Collection(PerfTests.Workloads.Tests.Measurements.AllocationCountersCollection.Name)]
public sealed class AllocationCheckTests
{
    private const int WastedBytesPerStep = 256 * 1024;

    /// <summary>The managed backend's session, plus a buffer allocated on another thread every step: a deliberate regression.</summary>
    private sealed class WastefulSession(ITrainingSession inner) : ITrainingSession
    {
        public static byte[]? Kept;
        public long ParameterCount => inner.ParameterCount;
        public float TrainStep(Batch batch)
        {
            var waste = new Thread(() => Kept = new byte[WastedBytesPerStep]);
            waste.Start();
            waste.Join();
            return inner.TrainStep(batch);
        }
        public EvaluationResult Evaluate(Batch batch) => inner.Evaluate(batch);
        public float[] Predict(Batch batch) => inner.Predict(batch);
        public ModelWeights GetWeights() => inner.GetWeights();
        public ModelWeights GetGradients() => inner.GetGradients();
        public void SetWeights(ModelWeights weights) => inner.SetWeights(weights);
        public void Dispose() => inner.Dispose();
    }

    private static RunResult Train(bool wasteful, string device = "cpu-test-1t")
    {
        var workload = WorkloadCatalog.MlpMnist;
        var random = new Random(3);
        DataSplit Split(int n) => new(n, 784, Enumerable.Range(0, n * 784).Select(_ => (float)random.NextDouble()).ToArray(), null,
            Enumerable.Range(0, n).Select(i => i % 10).ToArray());
        var data = new WorkloadData(Split(512), Split(128), 10, 0, new DataProvenance("test", "made in the test", DataProvenance.GeneratedChecksum));
        ITrainingSession session = BackendRegistry.Get("managed").CreateSession(workload, new ModelDimensions(10, 0), ComputeDevice.Cpu, new SessionOptions(42, 1));
        if (wasteful) session = new WastefulSession(session);
        using (session)
        {
            var epochs = new Trainer(workload, "managed", 42).Train(session, data, epochs: 3);
            return Fixtures.Result(device: device) with { Backend = "managed", Epochs = epochs, TrainSamples = 512 };
        }
    }

    private static (BaselineEntry Entry, string Device) BaselineFrom(RunResult honest) =>
        (BaselineUpdater.ToEntry(honest, null, DeviceKind.Cpu) with { Metric = new MetricBaseline(MetricKind.ValidationAccuracy, 0, 0.5) }, "cpu-other-1t");

    [Fact]
    public void Gate_StepThatStartsAllocating_FailsOnAnyDeviceNamingBytesPerStepBaselineAndTolerance()
    {
        var honest = Train(wasteful: false);
        var reference = BaselineFrom(honest);
        var wasteful = Train(wasteful: true);

        var verdict = Comparison.Compare(wasteful, sameDevice: null, metricReference: reference, acceptHint: "accept");

        wasteful.SteadyStateAllocatedBytesPerStep.Should().BeGreaterThanOrEqualTo(WastedBytesPerStep, "the buffer is allocated on another thread, and every thread counts");
        verdict.Passed.Should().BeFalse();
        var failure = verdict.Failures.Should().ContainSingle().Subject;
        failure.Check.Should().Be(Comparison.AllocationCheck);
        failure.Message.Should().MatchRegex(@"allocates more than the baseline allows: [\d,]+ bytes per step .*baseline [\d,]+ bytes per step, tolerance 1,024 bytes per step \(baseline from cpu-other-1t");
        verdict.Conclusions.Should().Contain(c => c.Check == Comparison.TimingCheck && c.Kind == ConclusionKind.Report, "this device has no timing baseline");
    }

    [Fact]
    public void Gate_HonestManagedSteps_PassTheAllocationCheck()
    {
        var honest = Train(wasteful: false);
        var again = Train(wasteful: false);

        var verdict = Comparison.Compare(again, sameDevice: null, metricReference: BaselineFrom(honest), acceptHint: "accept");

        verdict.Conclusions.Single(c => c.Check == Comparison.AllocationCheck).Kind.Should().Be(ConclusionKind.Pass);
        again.SteadyStateAllocatedBytesPerStep.Should().BeLessThan(1024, "the managed backend is built not to allocate per step");
    }

    [Fact]
    public void Compare_AllocationWithinTolerance_Passes_AboveIt_Fails()
    {
        var run = WithAllocation(Fixtures.Result(), bytesPerStep: 5_000);
        var entry = Fixtures.Entry() with { Allocation = new AllocationBaseline(4_000, 1_000) };
        var tight = entry with { Allocation = new AllocationBaseline(4_000, 999) };

        Comparison.Compare(run, entry, null, "accept").Conclusions.Single(c => c.Check == Comparison.AllocationCheck).Kind.Should().Be(ConclusionKind.Pass);
        Comparison.Compare(run, tight, null, "accept").Failures.Single().Message
            .Should().Contain("5,000 bytes per step").And.Contain("baseline 4,000 bytes per step, tolerance 999 bytes per step");
    }

    [Fact]
    public void Compare_NoAllocationBaselineAnywhere_ReportsTheMeasuredFigure()
    {
        var run = WithAllocation(Fixtures.Result(), bytesPerStep: 700);

        var conclusion = Comparison.Compare(run, Fixtures.Entry() with { Allocation = null }, null, "accept").Conclusions.Single(c => c.Check == Comparison.AllocationCheck);

        conclusion.Kind.Should().Be(ConclusionKind.Report);
        conclusion.Message.Should().Contain("no allocation baseline: measured 700 bytes per step");
    }

    [Fact]
    public void Compare_PeakMemoryOverBudgetOnTheSameDevice_Fails()
    {
        var run = WithAllocation(Fixtures.Result(), bytesPerStep: 0, peak: 3_000_000_000) with { Counters = new RunCounters(RunCounters.ScopeRun, null, null, null) };
        var entry = Fixtures.Entry() with { Memory = new MemoryBaseline(1_000_000_000, 1.5) };

        var failure = Comparison.Compare(run, entry, null, "accept").Failures.Single();

        failure.Check.Should().Be(Comparison.MemoryCheck);
        failure.Message.Should().Contain("ratio 3.00x, budget 1.50x");
    }

    [Fact]
    public void ToEntry_RecordsAllocationAndPeak_KeepingReviewedToleranceAndBudget()
    {
        var run = WithAllocation(Fixtures.Result(), bytesPerStep: 20_000, peak: 500_000_000) with { Counters = new RunCounters(RunCounters.ScopeRun, null, null, null) };
        var reviewed = Fixtures.Entry() with { Allocation = new AllocationBaseline(1, 64), Memory = new MemoryBaseline(1, 1.2) };

        var fresh = BaselineUpdater.ToEntry(run, null, DeviceKind.Cpu);
        var kept = BaselineUpdater.ToEntry(run, reviewed, DeviceKind.Cpu);

        fresh.Allocation.Should().Be(new AllocationBaseline(20_000, GatePolicy.AllocationTolerance(20_000)));
        fresh.Memory.Should().Be(new MemoryBaseline(500_000_000, GatePolicy.MemoryBudget));
        kept.Allocation.Should().Be(new AllocationBaseline(20_000, 64));
        kept.Memory.Should().Be(new MemoryBaseline(500_000_000, 1.2));
    }

    [Fact]
    public void AcceptAllocations_IntoAnotherDevice_ChangesOnlyTheAllocation()
    {
        using var root = new TempFolder();
        var folder = Fixtures.EmptyBaselines(root);
        var original = Fixtures.Result(device: "cpu-other-2t") with { Counters = null };
        original = original with { Epochs = original.Epochs.Select(e => e with { Counters = null }).ToList() };
        BaselineUpdater.Accept(folder, [original]);
        var before = BaselineStore.Load(folder).Files.Single().Entries.Single();
        var here = WithAllocation(Fixtures.Result(device: "cpu-here-2t", secondsPerEpoch: 99), bytesPerStep: 123);

        var changes = BaselineUpdater.AcceptAllocations(folder, [here], intoDevice: "cpu-other-2t");

        var after = BaselineStore.Load(folder).Files.Single().Entries.Single();
        Fixtures.Serialized(after).Should().Be(Fixtures.Serialized(before with { Allocation = new AllocationBaseline(123, GatePolicy.AllocationTolerance(123)) }));
        changes.Single().Summary.Should().Contain("allocation none → 123 bytes/step");
        File.Exists(Path.Combine(folder, "cpu-here-2t.json")).Should().BeFalse();
    }

    [Fact]
    public void AcceptAllocations_OtherThreadCount_RefusesAndWritesNothing()
    {
        using var root = new TempFolder();
        var folder = Fixtures.EmptyBaselines(root);
        BaselineUpdater.Accept(folder, [Fixtures.Result(device: "cpu-other-4t")]);
        var text = File.ReadAllText(Path.Combine(folder, "cpu-other-4t.json"));

        var act = () => BaselineUpdater.AcceptAllocations(folder, [WithAllocation(Fixtures.Result(device: "cpu-here-2t"), 1)], "cpu-other-4t");

        act.Should().Throw<InvalidDataException>().WithMessage("*2 threads, cpu-other-4t has 4*nothing was accepted*");
        File.ReadAllText(Path.Combine(folder, "cpu-other-4t.json")).Should().Be(text);
    }

    [Fact]
    public void Rules_MeasuredAllocationWithoutTolerance_IsRefused()
    {
        var file = new BaselineFile
        {
            Device = new BaselineDevice("cpu-test-2t", "cpu", "Test CPU"),
            Entries = [Fixtures.Entry() with { Allocation = new AllocationBaseline(100, null) }],
        };

        BaselineRules.Problem("cpu-test-2t.json", file).Should().Contain("allocation/tolerance is null");
    }

    [Fact]
    public void Schema_NegativeBytesPerStep_IsRefusedNamingThePointer()
    {
        var schema = BaselineStore.LoadSchema(BaselineStore.DefaultDirectory(AppContext.BaseDirectory));
        var file = new BaselineFile
        {
            Device = new BaselineDevice("cpu-test-2t", "cpu", "Test CPU"),
            Entries = [Fixtures.Entry() with { Allocation = new AllocationBaseline(-1, 10) }],
        };

        var act = () => BaselineStore.Parse("cpu-test-2t.json", BaselineUpdater.Serialize(file), schema);

        act.Should().Throw<InvalidDataException>().WithMessage("*allocation*");
    }


    /// <summary>A made-up result whose steady-state steps allocated <paramref name="bytesPerStep"/> each.</summary>
    internal static RunResult WithAllocation(RunResult result, double bytesPerStep, long? peak = null) => result with
    {
        Epochs = result.Epochs.Select(e => e with { Counters = new EpochCounters(10, (long)(bytesPerStep * 10), 0, 0, 0, peak) }).ToList(),
    };
}
