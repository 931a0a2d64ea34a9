namespace PerfTests.Harness.Training;

/// <summary>
/// What one epoch's training steps cost in figures that do not depend on the machine's speed.
/// </summary>
/// <param name="Steps">Training steps (batches) of the epoch.</param>
/// <param name="AllocatedBytes">Managed bytes allocated by the epoch's training steps: on the threads the session accounts
/// for, or on every thread for a session that does not (see <see cref="StepAllocationMeter"/>); the trainer's own
/// bookkeeping between steps is left out either way.</param>
/// <param name="Gen0Collections">Garbage collections of each generation during the epoch's training.</param>
/// <param name="PeakResidentBytes">The process's peak resident memory (VmHWM) at the end of the epoch, since the run began
/// (see <see cref="RunCounters.PeakResidentScope"/>); null where /proc/self/status has none.</param>
public sealed record EpochCounters(int Steps, long AllocatedBytes, int Gen0Collections, int Gen1Collections, int Gen2Collections, long? PeakResidentBytes)
{
    public double AllocatedBytesPerStep => Steps == 0 ? 0 : (double)AllocatedBytes / Steps;
}

/// <summary>How a run's memory figures were taken, and the ones it could not take, with the reason.</summary>
/// <param name="PeakResidentScope">"run" (the peak was reset when the run began), "process" (it could not be reset, so it
/// includes whatever the process did before the run) or "unavailable".</param>
/// <param name="PeakResidentNote">Why the scope is not "run"; null when it is.</param>
/// <param name="DevicePeakAllocatedBytes">CUDA runs: libtorch's peak allocated device memory; null when it cannot be read.</param>
/// <param name="DevicePeakNote">Why <paramref name="DevicePeakAllocatedBytes"/> is null on a CUDA run; null on CPU runs.</param>
public sealed record RunCounters(string PeakResidentScope, string? PeakResidentNote, long? DevicePeakAllocatedBytes, string? DevicePeakNote)
{
    public const string ScopeRun = "run";
    public const string ScopeProcess = "process";
    public const string ScopeUnavailable = "unavailable";

    /// <summary>
    /// TorchSharp 0.107's torch.cuda offers device_count, is_available, synchronize and manual_seed only: libtorch's
    /// CUDA caching-allocator statistics (max_memory_allocated) are not bound, so a CUDA run records null with this reason.
    /// </summary>
    public const string NoCudaMemoryStatistics =
        "TorchSharp 0.107 binds no libtorch CUDA memory statistics (torch.cuda has no max_memory_allocated), so the peak device memory is not recorded";
}

/// <summary>
/// Counts the managed bytes and collections of training steps. For a session that accounts for its step threads
/// (<see cref="Backends.IAccountsForStepThreads"/>) the bytes are the trainer thread's during each step, read from its cheap
/// per-thread counter, plus what the session's helper threads allocated over the epoch; nothing else the process does
/// meanwhile counts. For any other session the total over all threads is read exactly
/// (<see cref="GC.GetTotalAllocatedBytes(bool)"/> with precise: true, which briefly suspends the runtime) at the epoch's
/// start and end, and the trainer thread's own allocations between steps (progress events, the batch fill) are left out.
/// </summary>
public sealed class StepAllocationMeter
{
    private long _totalStart, _threadStart, _stepThreadBytes, _beforeStep, _helperStart;
    private int _steps, _gen0, _gen1, _gen2;
    private Backends.IAccountsForStepThreads? _session;

    /// <param name="session">The session whose steps are counted; when it accounts for its step threads, only those count.</param>
    public void StartEpoch(Backends.ITrainingSession? session = null)
    {
        _session = session as Backends.IAccountsForStepThreads;
        (_stepThreadBytes, _steps) = (0, 0);
        (_gen0, _gen1, _gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        _helperStart = _session?.HelperThreadAllocatedBytes ?? 0;
        _threadStart = GC.GetAllocatedBytesForCurrentThread();
        _totalStart = _session is null ? GC.GetTotalAllocatedBytes(precise: true) : 0;
    }

    public void BeforeStep() => _beforeStep = GC.GetAllocatedBytesForCurrentThread();

    public void AfterStep()
    {
        _stepThreadBytes += GC.GetAllocatedBytesForCurrentThread() - _beforeStep;
        _steps++;
    }

    public EpochCounters EndEpoch()
    {
        long allocated;
        if (_session is { } session) allocated = _stepThreadBytes + (session.HelperThreadAllocatedBytes - _helperStart);
        else
        {
            long total = GC.GetTotalAllocatedBytes(precise: true) - _totalStart;
            long trainerOutsideSteps = GC.GetAllocatedBytesForCurrentThread() - _threadStart - _stepThreadBytes;
            allocated = total - trainerOutsideSteps;
        }
        return new EpochCounters(_steps, Math.Max(0, allocated),
            GC.CollectionCount(0) - _gen0, GC.CollectionCount(1) - _gen1, GC.CollectionCount(2) - _gen2,
            ProcessMemory.PeakResidentBytes());
    }
}

/// <summary>The process's resident memory from /proc/self/status (Linux); elsewhere unavailable, and said so.</summary>
public static class ProcessMemory
{
    private const string StatusFile = "/proc/self/status";
    private const string ClearRefsFile = "/proc/self/clear_refs";

    /// <summary>VmHWM: the peak resident set since the process started or since <see cref="ResetPeak"/>; null when not readable.</summary>
    public static long? PeakResidentBytes()
    {
        try
        {
            foreach (var line in File.ReadLines(StatusFile))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                var parts = line["VmHWM:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], out var kb) ? kb * 1024 : null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>
    /// Starts a run's peak from the memory it holds now: a full collection first (garbage left by earlier runs in the same
    /// process, e.g. a test host, is not this run's), then writing "5" to /proc/self/clear_refs, which resets VmHWM to the
    /// current resident set (Linux 4.0+). Returns the scope the run's peaks will have, and why when it is not the run.
    /// </summary>
    public static (string Scope, string? Note) ResetPeak()
    {
        if (PeakResidentBytes() is null)
            return (RunCounters.ScopeUnavailable, $"{StatusFile} has no VmHWM line on this system ({System.Runtime.InteropServices.RuntimeInformation.OSDescription}), so peak resident memory is not recorded");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        try
        {
            File.WriteAllText(ClearRefsFile, "5");
            return (RunCounters.ScopeRun, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (RunCounters.ScopeProcess, $"{ClearRefsFile} could not be written ({e.Message}), so the peak includes everything the process did before this run");
        }
    }
}
