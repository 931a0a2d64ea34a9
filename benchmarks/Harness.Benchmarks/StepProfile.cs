using System.Diagnostics;
using PerfTests.Harness.Backends;
using PerfTests.Harness.Backends.Managed;
using PerfTests.Harness.Data;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Training;
using PerfTests.Harness.Workloads;

namespace PerfTests.Benchmarks;

/// <summary>One workload's managed training step, broken down by <see cref="EngineWork"/> (see <see cref="EngineProfile"/>).</summary>
internal sealed record StepProfile(double WallSeconds, double PercentOfPeak, double[] Shares, double Waiting, double GatherSeconds,
    double GatherAfterStepSeconds, double GatherOnWorkersSeconds)
{
    /// <summary>Warms up as the steps benchmark does, then profiles at least <paramref name="steps"/> steps and 1 s.</summary>
    public static StepProfile Measure(string workload, int steps)
    {
        var bench = new TrainStepBenchmarks { Workload = workload, Backend = "managed" };
        bench.Setup();
        try
        {
            bench.WarmUp();
            EngineProfile.Reset();
            var clock = Stopwatch.StartNew();
            int count = 0;
            for (; count < steps || clock.Elapsed.TotalSeconds < 1; count++) bench.Step();
            double wall = clock.Elapsed.TotalSeconds / count;
            var busy = EngineProfile.Seconds().Select(v => v / count).ToArray();
            double threadSeconds = wall * bench.Threads;
            var shares = busy.Select(v => v / threadSeconds).ToArray();
            double flops = TrainStepBenchmarks.FlopsPerStep(workload);
            double percent = 100 * flops / wall / 1e9 / TrainStepBenchmarks.CpuPeak(bench.Threads).Gflops;
            var (backToBack, afterStep, onWorkers) = MedianFillSeconds(workload, bench);
            return new StepProfile(wall, percent, shares, 1 - shares.Sum(), backToBack, afterStep, onWorkers);
        }
        finally
        {
            bench.Cleanup();
        }
    }

    /// <summary>
    /// Median time of the trainer's <see cref="Trainer.Fill"/> for one batch of shuffled indices from a 60,000-sample split:
    /// back to back, and after a training step, as the trainer runs it (the step has evicted the batch buffer from the
    /// caches, so the copy also pays for its destination: mlp_mnist 0.11-0.15 ms instead of 0.07-0.08); and after a step
    /// on the session's own workers, as the trainer gathers for a session that offers them (<see cref="IGathersBatches"/>).
    /// </summary>
    private static (double BackToBack, double AfterStep, double OnWorkers) MedianFillSeconds(string workload, TrainStepBenchmarks bench)
    {
        var spec = WorkloadCatalog.Get(workload);
        const int count = 60_000;
        var batch = new Batch(spec.Input, spec.BatchSize);
        int size = batch.Features?.Length / spec.BatchSize ?? batch.Tokens!.Length / spec.BatchSize;
        // Written, not just allocated: a page never written is mapped (to the kernel's zero page) by a fault on its first read.
        var random = new Random(5);
        var split = batch.Features is not null
            ? new DataSplit(count, size, Enumerable.Range(0, count * size).Select(_ => random.NextSingle()).ToArray(), null, new int[count])
            : new DataSplit(count, size, null, Enumerable.Range(0, count * size).Select(_ => random.Next(1000)).ToArray(), new int[count]);
        var order = Enumerable.Range(0, count).ToArray();
        new Random(3).Shuffle(order);
        var gatherer = (IGathersBatches)bench.Session;
        double TimeFill(int first, bool onWorkers = false)
        {
            long start = Stopwatch.GetTimestamp();
            if (onWorkers) gatherer.Gather(batch, split, new ArraySegment<int>(order, first, spec.BatchSize));
            else Trainer.Fill(batch, split, order.AsSpan(first, spec.BatchSize));
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        var backToBack = new List<double>();
        var afterStep = new List<double>();
        var onWorkers = new List<double>();
        for (int b = 0; b + spec.BatchSize <= count && backToBack.Count < 200; b += spec.BatchSize) backToBack.Add(TimeFill(b));
        // The two after-a-step figures alternate, so that a spell of the far placement lands on both.
        for (int b = count / 2; b + spec.BatchSize <= count && afterStep.Count < 100; b += spec.BatchSize)
        {
            bench.Step();
            if (afterStep.Count <= onWorkers.Count) afterStep.Add(TimeFill(b));
            else onWorkers.Add(TimeFill(b, onWorkers: true));
        }
        var median = PerfTests.Harness.Baselines.Comparison.Median;
        return (median(backToBack.Skip(20).ToList()), median(afterStep.Skip(10).ToList()), median(onWorkers.Skip(10).ToList()));
    }
}
