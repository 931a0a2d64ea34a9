using System.Runtime.InteropServices;

namespace PerfTests.Harness.Backends.TorchSharp;

/// <summary>
/// libtorch takes its CPU tensors from the C heap (glibc malloc). glibc serves a block above its mmap threshold with fresh
/// pages and returns them on free, and it trims the heap's top once more than its trim threshold is free; both thresholds
/// move with what the process allocated before. So a step that makes a few megabyte-sized temporaries (fastText's dense
/// Adam update over a 1M-parameter embedding) page-faults and zeroes them every step in one process and reuses warm heap
/// memory in the next: on a 2-core AMD EPYC, six identical runs took 0.88–2.22 s per epoch, stable within each process.
/// Fixing both thresholds keeps such blocks in the heap, the same in every process (README, "Paired gate": measured).
/// </summary>
public static partial class NativeHeap
{
    // glibc's mallopt parameters.
    private const int TrimThreshold = -1;
    private const int MmapThreshold = -3;

    /// <summary>glibc's largest mmap threshold on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX): blocks up to it come from the heap.</summary>
    public const int LargestMmapThreshold = 32 * 1024 * 1024;

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);

    /// <summary>What was set, or why nothing was (not glibc, not Linux).</summary>
    public static string Settings { get; private set; } = "not configured";

    private static readonly Lock Once = new();
    private static bool _configured;

    /// <summary>Sets both thresholds once per process, before libtorch allocates. Never throws.</summary>
    public static void KeepLargeBlocksInTheHeap()
    {
        lock (Once)
        {
            if (_configured) return;
            _configured = true;
            if (!OperatingSystem.IsLinux())
            {
                Settings = "left to the C library (not Linux)";
                return;
            }
            try
            {
                bool mmap = Mallopt(MmapThreshold, LargestMmapThreshold) == 1;
                bool trim = Mallopt(TrimThreshold, int.MaxValue) == 1;
                Settings = mmap && trim
                    ? $"glibc malloc: mmap threshold {LargestMmapThreshold / (1024 * 1024)} MiB, no trimming"
                    : "left to the C library (mallopt refused)";
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                Settings = "left to the C library (no mallopt: not glibc)";
            }
        }
    }
}
