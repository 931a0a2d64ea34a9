using PerfTests.Harness.Backends.Managed;

namespace PerfTests.Workloads.Tests.Backends.Managed;

[Trait("Category", "Unit")]
public sealed class WorkerPoolTests
{
    private sealed class CountingJob(int capacity) : IParallelJob
    {
        public readonly int[] Hits = new int[capacity];
        public readonly int[] ByWorker = new int[8];

        public void Execute(int item, int worker)
        {
            Interlocked.Increment(ref Hits[item]);
            Interlocked.Increment(ref ByWorker[worker]);
            if (item % 7 == 0) Thread.SpinWait(2000);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Run_ManyRunsOfVaryingSize_ExecutesEveryItemExactlyOnce(int workers)
    {
        using var pool = new WorkerPool(workers);
        var random = new Random(workers);
        var job = new CountingJob(200);
        for (int run = 0; run < 1000; run++)
        {
            int count = random.Next(0, 200);
            Array.Clear(job.Hits);
            pool.Run(job, count);
            for (int i = 0; i < count; i++) job.Hits[i].Should().Be(1, $"run {run}, item {i} of {count}");
            if (run % 500 == 0) Thread.Sleep(2); // let helpers fall asleep sometimes
        }
        job.ByWorker.Skip(workers).Should().OnlyContain(c => c == 0);
    }
}
