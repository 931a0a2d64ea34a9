using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PerfTests.Harness.Backends.Managed;

/// <summary>Work split into <c>count</c> independent items; <c>worker</c> (0..Workers-1) selects per-thread scratch.</summary>
internal interface IParallelJob
{
    void Execute(int item, int worker);
}

/// <summary>An element-wise pass over [start, end) of some range; the pass must not depend on how the range was cut.</summary>
internal interface IRangeJob
{
    void Execute(int start, int end);
}

/// <summary>
/// A fixed set of threads (the caller is worker 0) that runs <see cref="IParallelJob"/> items without allocating.
/// Parallel.For would allocate closures and state per call; here jobs are preallocated objects and a steady-state
/// training step allocates nothing. Each worker has a home range of a run's items, the same contiguous share of
/// 0..count-1 in every run, so a worker keeps finding in its own caches the data it wrote in the run before (the rows
/// of a gradient a GEMM stripe produced are the rows the optimizer's block then updates). A worker that finishes its
/// range takes items from the others', so a core held by another process does not hold up the run. Each range's
/// (generation, length, next item) is one 64-bit word, claimed by compare-and-swap: a helper that wakes late can never
/// claim an item of a finished run, and the caller never waits for a helper that has not started: it waits only for claimed
/// items. Between runs helpers spin briefly (<see cref="SpinMicroseconds"/>), then sleep on a semaphore; waking a
/// sleeping thread costs far more on a loaded VM than the gaps between the kernels of one training step.
/// Each worker owns 64-byte-aligned native GEMM packing buffers.
/// </summary>
internal sealed unsafe class WorkerPool : IDisposable
{
    private const int SpinMicroseconds = 200;
    private static readonly long SpinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;

    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _wake;
    private readonly int[] _sleeping;
    private readonly float*[] _packA;
    private readonly float*[] _packB;
    private IParallelJob? _job;
    // Worker w's claim word is _claims[w * ClaimStride] (one cache line each, so claiming from one's own range does not take
    // the line from the other worker): generation << 32 | range length << 16 | next item of the range. The length is in the
    // word so that a helper still draining a finished run can never claim past that run's range: its compare-and-swap
    // checks generation, length and item at once, and while its claimed item is unfinished the run cannot end.
    private const int ClaimStride = 8;
    private const int MaximumItems = ushort.MaxValue;
    private readonly long[] _claims;
    private readonly int[] _rangeStart;
    private int _published; // the latest run's generation; only the caller writes it
    private int _done;
    private long _workerAllocatedBytes;
    private volatile bool _disposed;

    public WorkerPool(int workers)
    {
        Workers = Math.Max(1, workers);
        _threads = new Thread[Workers - 1];
        _wake = new SemaphoreSlim[Workers - 1];
        _sleeping = new int[Workers - 1];
        _packA = new float*[Workers];
        _packB = new float*[Workers];
        _claims = new long[Workers * ClaimStride];
        _rangeStart = new int[Workers];
        for (int w = 0; w < Workers; w++)
        {
            _packA[w] = (float*)NativeMemory.AlignedAlloc((nuint)(Gemm.PackASize * sizeof(float)), 64);
            _packB[w] = (float*)NativeMemory.AlignedAlloc((nuint)(Gemm.PackBSize * sizeof(float)), 64);
        }
        for (int t = 0; t < _threads.Length; t++)
        {
            _wake[t] = new SemaphoreSlim(0);
            int worker = t + 1;
            _threads[t] = new Thread(() => Loop(worker)) { IsBackground = true, Name = $"managed-backend-{worker}" };
            _threads[t].Start();
        }
        GemmJob = new Gemm.ParallelGemmJob(this);
        HalvesJob = new Gemm.HalvesJob(this);
        _ranges = new RangeSplitter();
    }

    /// <summary>
    /// The fewest elements a block of an element-wise pass holds; a pass too short for two blocks runs on the calling
    /// thread. Handing a block to another core costs a microsecond or two, about what 8K floats of a memory-bound pass take.
    /// </summary>
    public const int MinimumRangeBlock = 8192;

    private readonly RangeSplitter _ranges;

    /// <summary>
    /// Runs <paramref name="job"/> over [0, <paramref name="length"/>) in up to <see cref="ChunksPerWorker"/> blocks per worker,
    /// each a multiple of <paramref name="alignment"/> elements (a row, or a vector) and at least <see cref="MinimumRangeBlock"/>.
    /// </summary>
    public void RunRanges(IRangeJob job, int length, int alignment = 16)
    {
        if (length <= 0) return;
        int blocks = Math.Min(Workers * ChunksPerWorker, length / MinimumRangeBlock);
        if (Workers == 1 || blocks < 2)
        {
            job.Execute(0, length);
            return;
        }
        int block = (length + blocks - 1) / blocks;
        block = (block + alignment - 1) / alignment * alignment;
        _ranges.Set(job, length, block);
        Run(_ranges, (length + block - 1) / block);
    }

    private sealed class RangeSplitter : IParallelJob
    {
        private IRangeJob? _job;
        private int _length, _block;

        public void Set(IRangeJob job, int length, int block) => (_job, _length, _block) = (job, length, block);

        public void Execute(int item, int worker)
        {
            int start = item * _block;
            _job!.Execute(start, Math.Min(_length, start + _block));
        }
    }

    public int Workers { get; }

    /// <summary>How many chunks a per-sample job splits a batch into per worker, so uneven chunks still balance.</summary>
    public const int ChunksPerWorker = 4;

    /// <summary>Chunk <paramref name="chunk"/> of <paramref name="chunks"/> contiguous, near-equal slices of [0, <paramref name="n"/>).</summary>
    public static (int First, int End) ChunkRange(int chunk, int n, int chunks) =>
        ((int)((long)chunk * n / chunks), (int)((long)(chunk + 1) * n / chunks));

    /// <summary>Managed-heap bytes the helper threads allocated while running jobs (for the zero-allocation test).</summary>
    public long WorkerAllocatedBytes => Interlocked.Read(ref _workerAllocatedBytes);

    internal Gemm.ParallelGemmJob GemmJob { get; }

    internal Gemm.HalvesJob HalvesJob { get; }

    public float* PackA(int worker) => _packA[worker];

    public float* PackB(int worker) => _packB[worker];

    /// <summary>Runs items 0..count-1 over all workers and returns when every item has finished. Not re-entrant.</summary>
    public void Run(IParallelJob job, int count)
    {
        if (count <= 0) return;
        if (count == 1 || Workers == 1)
        {
            for (int i = 0; i < count; i++) job.Execute(i, 0);
            return;
        }
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaximumItems);
        _job = job;
        _done = 0;
        int generation = _published + 1;
        for (int w = 0; w < Workers; w++)
        {
            var (first, end) = ChunkRange(w, count, Workers);
            _rangeStart[w] = first;
            Volatile.Write(ref _claims[w * ClaimStride], (long)generation << 32 | (long)(end - first) << 16);
        }
        Interlocked.Exchange(ref _published, generation);
        for (int t = 0; t < _threads.Length; t++)
            if (Interlocked.Exchange(ref _sleeping[t], 0) == 1) _wake[t].Release();
        Drain(generation, 0);
        var spin = new SpinWait();
        while (Volatile.Read(ref _done) < count) spin.SpinOnce(-1);
        _job = null;
    }

    /// <summary>Runs the worker's own range, then whatever is left of the others', in worker order after its own.</summary>
    private void Drain(int generation, int worker)
    {
        for (int r = 0; r < Workers; r++)
        {
            int range = (worker + r) % Workers;
            ref long claim = ref _claims[range * ClaimStride];
            while (true)
            {
                long state = Volatile.Read(ref claim);
                if ((int)(state >> 32) != generation) return; // the run is over (or a later one began)
                int next = (int)(state & 0xFFFF);
                if (next >= (int)((state >> 16) & 0xFFFF)) break;
                if (Interlocked.CompareExchange(ref claim, state + 1, state) != state) continue;
                _job!.Execute(_rangeStart[range] + next, worker);
                Interlocked.Increment(ref _done);
            }
        }
    }

    private void Loop(int worker)
    {
        int t = worker - 1;
        int seen = 0;
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            int generation;
            while ((generation = Volatile.Read(ref _published)) == seen && !_disposed)
            {
                if (Stopwatch.GetTimestamp() - start < SpinTicks)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                // Announce sleep, then re-check: the caller publishes a run and then clears this flag, releasing us if it was set.
                Interlocked.Exchange(ref _sleeping[t], 1);
                if (Volatile.Read(ref _published) != seen || _disposed)
                {
                    if (Interlocked.Exchange(ref _sleeping[t], 0) == 0) _wake[t].Wait(); // the caller released us: consume it
                    continue;
                }
                _wake[t].Wait();
                start = Stopwatch.GetTimestamp();
            }
            if (_disposed) return;
            seen = generation;
            long before = GC.GetAllocatedBytesForCurrentThread();
            Drain(generation, worker);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated != 0) Interlocked.Add(ref _workerAllocatedBytes, allocated);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        for (int t = 0; t < _threads.Length; t++) _wake[t].Release();
        foreach (var thread in _threads) thread.Join();
        foreach (var w in _wake) w.Dispose();
        for (int w = 0; w < Workers; w++)
        {
            NativeMemory.AlignedFree(_packA[w]);
            NativeMemory.AlignedFree(_packB[w]);
        }
    }
}
