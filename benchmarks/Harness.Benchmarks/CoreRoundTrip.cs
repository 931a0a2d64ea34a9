using System.Diagnostics;

namespace PerfTests.Benchmarks;

/// <summary>
/// How far apart the machine's first two cores are: the round trip of a cache line written in turn by two spinning threads.
/// On this project's 2-vCPU VM it is about 70 ns when the host runs the two vCPUs on neighbouring cores and about 350 ns
/// when it runs them far apart, and it switches between the two every few seconds to minutes; a two-thread training step
/// is 1.4-1.6 times slower in the second state (README, "The slow spells").
/// </summary>
internal static class CoreRoundTrip
{
    private const int RoundTrips = 5000;

    /// <summary>Best of three bursts of 5,000 round trips, in nanoseconds; null with fewer than two processors.</summary>
    public static double? Measure()
    {
        if (Environment.ProcessorCount < 2) return null;
        var line = new long[32]; // the flag sits alone on its cache line, 128 bytes from the array's header
        const int Flag = 16;
        const int Bursts = 3;
        var responder = new Thread(() =>
        {
            for (int burst = 0; burst < Bursts; burst++)
            {
                long basis = (long)burst * 2 * RoundTrips;
                for (int i = 0; i < RoundTrips; i++)
                {
                    while (Volatile.Read(ref line[Flag]) != basis + 2 * i + 1) { }
                    Volatile.Write(ref line[Flag], basis + 2 * i + 2);
                }
            }
        }) { IsBackground = true, Name = "core-round-trip" };
        responder.Start();
        double best = double.MaxValue;
        for (int burst = 0; burst < Bursts; burst++)
        {
            long basis = (long)burst * 2 * RoundTrips;
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < RoundTrips; i++)
            {
                Volatile.Write(ref line[Flag], basis + 2 * i + 1);
                while (Volatile.Read(ref line[Flag]) != basis + 2 * i + 2) { }
            }
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds / RoundTrips * 1e9);
        }
        responder.Join();
        return best;
    }
}
