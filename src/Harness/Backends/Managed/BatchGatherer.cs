using PerfTests.Harness.Data;

namespace PerfTests.Harness.Backends.Managed;

/// <summary>
/// Copies a batch's samples in on the pool's workers, each its own block of rows (<see cref="IGathersBatches"/>). The
/// indices are checked on the calling thread first, so no worker can fail; a batch under
/// <see cref="WorkerPool.MinimumRangeBlock"/> values per worker is copied on the calling thread.
/// </summary>
internal sealed class BatchGatherer(WorkerPool pool) : IParallelJob
{
    private Batch? _batch;
    private DataSplit? _split;
    private ArraySegment<int> _indices;

    public void Gather(Batch batch, DataSplit split, ArraySegment<int> indices)
    {
        batch.CheckGather(split, indices);
        int count = indices.Count;
        if (pool.Workers == 1 || (long)count * batch.SampleSize < (long)pool.Workers * WorkerPool.MinimumRangeBlock)
            batch.CopyRows(split, indices, 0, count);
        else
        {
            (_batch, _split, _indices) = (batch, split, indices);
            pool.Run(this, pool.Workers);
            (_batch, _split, _indices) = (null, null, default);
        }
        batch.Count = count;
    }

    public void Execute(int item, int worker)
    {
        var (first, end) = WorkerPool.ChunkRange(item, _indices.Count, pool.Workers);
        _batch!.CopyRows(_split!, _indices, first, end);
    }
}
