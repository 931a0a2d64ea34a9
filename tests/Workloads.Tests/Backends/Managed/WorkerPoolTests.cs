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

    private sealed class SlowHelperJob(int capacity) : IParallelJob
    {
        public readonly int[] Hits = new int[capacity];
        public readonly int[] Worker = new int[capacity];

        public void Execute(int item, int worker)
        {
            Interlocked.Increment(ref Hits[item]);
            Worker[item] = worker;
            if (worker != 0) Thread.Sleep(5);
        }
    }

    [Fact]
    public void Run_AWorkerThatFallsBehind_HasTheRestOfItsRangeTakenOver()
    {
        // Each worker starts on its own half of the items; the helper here takes 5 ms an item, so the caller, done with its
        // half at once, must take over what is left of the helper's.
        using var pool = new WorkerPool(2);
        var job = new SlowHelperJob(40);
        pool.Run(job, 40);
        job.Hits.Should().OnlyContain(h => h == 1);
        job.Worker.Take(20).Should().OnlyContain(w => w == 0, "the caller's own half is never left to a helper that is still busy with its first item");
        job.Worker.Skip(20).Count(w => w == 0).Should().BeGreaterThan(10, "the caller takes over the slow helper's items");
    }
}

