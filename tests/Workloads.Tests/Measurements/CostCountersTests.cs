using PerfTests.Harness.Backends;
using PerfTests.Harness.Devices;
using PerfTests.Harness.Measurements;
using PerfTests.Workloads.Tests.Baselines;
using PerfTests.Harness.Training;
using PerfTests.Harness.Workloads;
using PerfTests.Workloads.Tests.Backends;

namespace PerfTests.Workloads.Tests.Measurements;

[Trait("Category", "Unit")]
[Collection(AllocationCountersCollection.Name)]
public sealed class CostCountersTests
{
    private static object? _kept;

    [Fact]
    public void StepAllocationMeter_CountsStepsOnEveryThread_LeavesOutTheTrainersOwnBetweenSteps()
    {
        var meter = new StepAllocationMeter();
        LetTheRunnerSettle();
        meter.StartEpoch();
        for (int step = 0; step < 4; step++)
        {
            _kept = new byte[50_000]; // the trainer's bookkeeping between steps: not the step's
            meter.BeforeStep();
            var worker = new Thread(() => _kept = new byte[100_000]);
            worker.Start();
            worker.Join();
            meter.AfterStep();
        }
        var counters = meter.EndEpoch();

        counters.Steps.Should().Be(4);
        counters.AllocatedBytesPerStep.Should().BeInRange(100_000, 200_000, "each step allocated 100 kB on a worker (plus the Thread object), not the 50 kB between steps");
    }

    [Fact]
    public void StepAllocationMeter_StepsThatAllocateNothing_CountZero()
    {
        var meter = new StepAllocationMeter();
        var buffer = new float[1000];
        LetTheRunnerSettle();
        meter.StartEpoch();
        for (int step = 0; step < 10; step++)
        {
            meter.BeforeStep();
            for (int i = 0; i < buffer.Length; i++) buffer[i] += i;
            meter.AfterStep();
        }

        meter.EndEpoch().AllocatedBytes.Should().BeLessThan(1024);
    }

    /// <summary>A session that says which threads its steps run on: the caller's, plus helpers it counts itself.</summary>
    private sealed class AccountingSession : ITrainingSession, IAccountsForStepThreads
    {
        public long HelperThreadAllocatedBytes { get; set; }
        public long ParameterCount => 0;
        public float TrainStep(Batch batch) => throw new NotSupportedException();
        public EvaluationResult Evaluate(Batch batch) => throw new NotSupportedException();
        public float[] Predict(Batch batch) => throw new NotSupportedException();
        public ModelWeights GetWeights() => throw new NotSupportedException();
        public ModelWeights GetGradients() => throw new NotSupportedException();
        public void SetWeights(ModelWeights weights) => throw new NotSupportedException();
        public void Dispose() { }
    }

    [Fact]
    public void StepAllocationMeter_SessionThatAccountsForItsThreads_CountsThoseThreadsAndNothingElseTheProcessDoes()
    {
        // A test host's own threads allocate while a case trains (about 7-8 KB a second here): with a session that accounts
        // for its step threads, that must not read as the step's.
        var session = new AccountingSession();
        var meter = new StepAllocationMeter();
        meter.StartEpoch(session);
        for (int step = 0; step < 4; step++)
        {
            meter.BeforeStep();
            var host = new Thread(() => _kept = new byte[100_000]);
            host.Start();
            host.Join();
            _kept = new byte[10_000];              // the step, on the calling thread
            session.HelperThreadAllocatedBytes += 5_000; // and on a helper the session counts
            meter.AfterStep();
        }

        meter.EndEpoch().AllocatedBytesPerStep.Should().BeInRange(15_000, 16_000,
            "10 kB on the calling thread and 5 kB on the session's helper per step; the other thread's 100 kB is not the step's");
    }

    [Fact]
    public void TorchSharpSession_StepsAllocateOnTheCallingThreadOnly_AsItsAccountingClaims()
    {
        // TorchSharpSession reports no helper-thread bytes; this checks the claim the meter then relies on.
        var spec = WorkloadCatalog.MlpMnist;
        var dimensions = TestModels.Dimensions(spec);
        using var session = BackendRegistry.Get("torchsharp").CreateSession(spec, dimensions, ComputeDevice.Cpu, new SessionOptions(4, Threads: 2));
        ((IAccountsForStepThreads)session).HelperThreadAllocatedBytes.Should().Be(0);
        var batch = TestModels.RandomBatch(spec, dimensions, 32, new Random(4));
        for (int i = 0; i < 3; i++) session.TrainStep(batch);
        LetTheRunnerSettle();
        var elsewhere = new List<double>();
        for (int repeat = 0; repeat < 3; repeat++)
        {
            long total = GC.GetTotalAllocatedBytes(precise: true), caller = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 4; i++) session.TrainStep(batch);
            long callerBytes = GC.GetAllocatedBytesForCurrentThread() - caller;
            elsewhere.Add((GC.GetTotalAllocatedBytes(precise: true) - total - callerBytes) / 4.0);
        }

        elsewhere.Min().Should().BeLessThan(1024, "a TorchSharp step allocates its managed objects on the calling thread (the least of 3 repeats, so a stray allocation elsewhere in the test host does not count)");
    }

    /// <summary>The counters read the whole process: give the test runner a moment to finish reporting the previous test.</summary>
    private static void LetTheRunnerSettle() => Thread.Sleep(300);

    [Fact]
    public void ProcessMemory_OnLinux_ReadsAndResetsThePeak()
    {
        if (!File.Exists("/proc/self/status")) return; // the figure is recorded as unavailable there, which ResetPeak says
        var (scope, note) = ProcessMemory.ResetPeak();

        ProcessMemory.PeakResidentBytes().Should().BeGreaterThan(0);
        if (scope == RunCounters.ScopeRun) note.Should().BeNull();
        else note.Should().Contain("clear_refs", "a peak that is not the run's own must say why");
    }

    [Theory]
    [InlineData("k80"), InlineData("titan-x"), InlineData("titan-x-pascal"), InlineData("gtx-1080-ti"), InlineData("t4"), InlineData("v100-16gb")]
    [InlineData("a100-40gb"), InlineData("a100-80gb"), InlineData("h100-80gb"), InlineData("h200-141gb")]
    public void GpuPeakTable_HasEveryDeviceKeyTheSuiteNames(string key)
    {
        DeviceKey.Parse(key).Kind.Should().Be(DeviceKind.Cuda);
        var peak = GpuPeakTable.For(key, "NVIDIA " + key.ToUpperInvariant());

        peak.Should().NotBeNull();
        peak!.Gflops.Should().BeInRange(4_000, 70_000);
        peak.Source.Should().Contain("FP32");
    }

    [Fact]
    public void GpuPeakTable_PcieCard_GetsThePcieFigure_UnknownGpu_None()
    {
        GpuPeakTable.For("h100-80gb", "NVIDIA H100 PCIe")!.Gflops.Should().Be(51_200);
        GpuPeakTable.For("h100-80gb", "NVIDIA H100 80GB HBM3")!.Gflops.Should().Be(66_900);
        GpuPeakTable.For("rtx-9999", "NVIDIA RTX 9999").Should().BeNull();
    }

    [Fact]
    public void FmaCalibration_GivesAFinitePositiveRate()
    {
        FmaCalibration.MeasureOnce(threads: 1, seconds: 0.02).Should().BeGreaterThan(0).And.BeLessThan(double.MaxValue);
    }

    [Fact]
    public void ResultRules_NegativeCountersOrPeak_AreRefusedNamingTheField()
    {
        var result = AllocationCheckTests.WithAllocation(Fixtures.Result(), 10);
        var negative = result with { Epochs = [.. result.Epochs.Take(2), result.Epochs[2] with { Counters = result.Epochs[2].Counters! with { Gen1Collections = -1 } }] };
        var badPeak = result with { Compute = new ComputeCost(100, 0, 12_800, PeakGflops: double.NaN, "calibrated") };
        var unexplained = result with { Counters = new RunCounters(RunCounters.ScopeProcess, null, null, null) };

        ResultRules.Problem(result).Should().BeNull();
        ResultRules.Problem(negative).Should().Be("epochs[2].counters.gen1Collections is -1, must not be negative");
        ResultRules.Problem(badPeak).Should().StartWith("compute.peakGflops is NaN");
        ResultRules.Problem(unexplained).Should().StartWith("counters.peakResidentNote is missing");
    }

    [Fact]
    public void RunResult_SteadyStateFigures_LeaveOutTheWarmupEpoch()
    {
        var result = AllocationCheckTests.WithAllocation(Fixtures.Result(secondsPerEpoch: 10), 100) with
        {
            Compute = new ComputeCost(FlopsPerSample: 1_000_000, OptimizerFlopsPerStep: 0, FlopsPerStep: 128_000_000, PeakGflops: 4, "test"),
        };
        result = result with { Epochs = [result.Epochs[0] with { Counters = result.Epochs[0].Counters! with { AllocatedBytes = 1_000_000 } }, .. result.Epochs.Skip(1)] };

        result.SteadyStateAllocatedBytesPerStep.Should().Be(100);
        var strayInOneEpoch = result with { Epochs = [.. result.Epochs.Take(2), result.Epochs[2] with { Counters = result.Epochs[2].Counters! with { AllocatedBytes = 100_000 } }] };
        strayInOneEpoch.SteadyStateAllocatedBytesPerStep.Should().Be(100, "an allocation the step makes shows in every epoch");
        // 12,000 samples × 1 MFLOP per epoch in 10 s: 1.2 GFLOP/s, 30% of a 4 GFLOP/s peak.
        result.SteadyStateGflops.Should().BeApproximately(1.2, 1e-12);
        result.SteadyStatePercentOfPeak.Should().BeApproximately(30, 1e-9);
    }
}
