using System.Runtime.InteropServices;

namespace PerfTests.Harness.Backends.Managed;

/// <summary>Work split into <c>count</c> independent items; <c>worker</c> (0..Workers-1) selects per-thread scratch.</summary>
internal interface IParallelJob
{
    void Execute(int item, int worker);
}

/// <summary>
/// A fixed set of threads (the caller is worker 0) that runs <see cref="IParallelJob"/> items without allocating:
/// jobs are preallocated objects, items are claimed with Interlocked, workers sleep on a SemaphoreSlim between runs.
/// Parallel.For would allocate closures and state per call; a steady-state training step here allocates nothing.
/// Each worker owns 64-byte-aligned native GEMM packing buffers.
/// </summary>
internal sealed unsafe class WorkerPool : IDisposable
{
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _wake;
    private readonly float*[] _packA;
    private readonly float*[] _packB;
    private IParallelJob? _job;
    private int _count;
    private int _next;
    private int _remaining;
    private volatile bool _disposed;

    public WorkerPool(int workers)
    {
        Workers = Math.Max(1, workers);
        _threads = new Thread[Workers - 1];
        _wake = new SemaphoreSlim[Workers - 1];
        _packA = new float*[Workers];
        _packB = new float*[Workers];
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
    }

    public int Workers { get; }

    private long _workerAllocatedBytes;

    /// <summary>Managed-heap bytes the helper threads allocated while running jobs (for the zero-allocation test).</summary>
    public long WorkerAllocatedBytes => Interlocked.Read(ref _workerAllocatedBytes);

    internal Gemm.ParallelGemmJob GemmJob { get; }

    public float* PackA(int worker) => _packA[worker];

    public float* PackB(int worker) => _packB[worker];

    /// <summary>Runs items 0..count-1 over all workers and returns when every item has finished.</summary>
    public void Run(IParallelJob job, int count)
    {
        if (count <= 0) return;
        if (count == 1 || Workers == 1)
        {
            for (int i = 0; i < count; i++) job.Execute(i, 0);
            return;
        }
        _job = job;
        _count = count;
        _next = 0;
        int helpers = Math.Min(_threads.Length, count - 1);
        // Every woken helper reports back before Run returns, so no helper can see the next run's fields half-set.
        Volatile.Write(ref _remaining, helpers);
        for (int t = 0; t < helpers; t++) _wake[t].Release();
        Drain(0);
        var spin = new SpinWait();
        while (Volatile.Read(ref _remaining) > 0) spin.SpinOnce(-1);
        _job = null;
    }

    private void Drain(int worker)
    {
        var job = _job!;
        int count = _count;
        int item;
        while ((item = Interlocked.Increment(ref _next) - 1) < count)
        {
            job.Execute(item, worker);
        }
    }

    private void Loop(int worker)
    {
        var wake = _wake[worker - 1];
        while (true)
        {
            wake.Wait();
            if (_disposed) return;
            long before = GC.GetAllocatedBytesForCurrentThread();
            Drain(worker);
            Interlocked.Add(ref _workerAllocatedBytes, GC.GetAllocatedBytesForCurrentThread() - before);
            Interlocked.Decrement(ref _remaining);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var w in _wake) w.Release();
        foreach (var t in _threads) t.Join();
        foreach (var w in _wake) w.Dispose();
        for (int w = 0; w < Workers; w++)
        {
            NativeMemory.AlignedFree(_packA[w]);
            NativeMemory.AlignedFree(_packB[w]);
        }
    }
}
