using System.Diagnostics;

namespace PerfTests.Harness.Backends.Managed;

/// <summary>What the managed engine spends a training step on, as the profile counts it.</summary>
internal enum EngineWork
{
    Gemm,
    Im2Col,
    Col2Im,
    BiasAndActivation,
    Pooling,
    Dropout,
    LstmCell,
    Embedding,
    LayoutAndReduce,
    Loss,
    Optimizer,
}

/// <summary>
/// Busy time per <see cref="EngineWork"/>, summed over the threads that did it. Off unless <c>PERFTESTS_MANAGED_PROFILE=1</c>
/// is set when the process starts: <see cref="Enabled"/> is a static readonly field, so the optimising JIT drops every
/// probe from the engine's code when it is off. Each probe is a pair of timestamps around a leaf operation (no probe
/// inside another), so the categories add up, and what a step's wall time × threads leaves over is waiting and dispatch.
/// The counts are read between steps, when no worker runs; they are for the benchmarks' profile, not for results.
/// </summary>
internal static class EngineProfile
{
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("PERFTESTS_MANAGED_PROFILE") == "1";

    private static readonly List<long[]> Threads = [];

    [ThreadStatic]
    private static long[]? t_ticks;

    public static long Start() => Enabled ? Stopwatch.GetTimestamp() : 0;

    public static void Stop(EngineWork work, long start)
    {
        if (!Enabled) return;
        long elapsed = Stopwatch.GetTimestamp() - start;
        (t_ticks ?? Register())[(int)work] += elapsed;
    }

    private static long[] Register()
    {
        var ticks = new long[Enum.GetValues<EngineWork>().Length];
        lock (Threads) Threads.Add(ticks);
        return t_ticks = ticks;
    }

    /// <summary>Seconds per category since the last <see cref="Reset"/>, summed over threads.</summary>
    public static double[] Seconds()
    {
        var seconds = new double[Enum.GetValues<EngineWork>().Length];
        lock (Threads)
            foreach (var ticks in Threads)
                for (int i = 0; i < seconds.Length; i++) seconds[i] += (double)Volatile.Read(ref ticks[i]) / Stopwatch.Frequency;
        return seconds;
    }

    public static void Reset()
    {
        lock (Threads)
            foreach (var ticks in Threads) Array.Clear(ticks);
    }
}
