using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text.Json;
using PerfTests.Harness.Devices;

namespace PerfTests.Harness.Measurements;

/// <summary>A device's peak FP32 arithmetic rate, and where the figure comes from.</summary>
public sealed record PeakThroughput(double Gflops, string Source);

/// <summary>
/// The peak a run's achieved GFLOP/s is read against. CPUs: <see cref="FmaCalibration"/> at the run's thread count, measured
/// once per device key and cached (<c>&lt;cache&gt;/peak/&lt;device-key&gt;.json</c>; delete it to measure again). GPUs: the
/// model's published FP32 figure (<see cref="GpuPeakTable"/>).
/// </summary>
public static class DevicePeak
{
    /// <returns>The peak, or null with the reason (a GPU missing from the table).</returns>
    public static PeakThroughput? For(DeviceInfo device, int threads, string cacheDirectory, out string reason)
    {
        reason = "";
        if (device.Kind == DeviceKind.Cuda)
        {
            var peak = GpuPeakTable.For(device.Key.ToString(), device.Name);
            if (peak is null) reason = $"no published FP32 peak for {device.Key} in GpuPeakTable (known: {string.Join(", ", GpuPeakTable.Keys)})";
            return peak;
        }
        return CachedCpuCalibration(device.Key.ToString(), threads, cacheDirectory);
    }

    private sealed record CachedCalibration(string Device, int Threads, double Gflops, string Kernel, DateTimeOffset Measured, string Runtime);

    private static PeakThroughput CachedCpuCalibration(string deviceKey, int threads, string cacheDirectory)
    {
        var path = ContainedPath.Combine(Path.Combine(cacheDirectory, "peak"), deviceKey + ".json");
        try
        {
            if (File.Exists(path) && JsonSerializer.Deserialize<CachedCalibration>(File.ReadAllText(path), ResultFiles.JsonOptions) is
                { } cached && cached.Device == deviceKey && cached.Threads == threads && double.IsFinite(cached.Gflops) && cached.Gflops > 0)
                return Describe(cached, path);
        }
        catch (JsonException) { /* a damaged cache entry is measured again and replaced */ }

        var measured = FmaCalibration.Measure(threads);
        var entry = new CachedCalibration(deviceKey, threads, Math.Round(measured, 1), FmaCalibration.KernelName, DateTimeOffset.UtcNow,
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
        try
        {
            AtomicFile.WriteAllText(path, JsonSerializer.Serialize(entry, ResultFiles.JsonOptions));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* not cached: the next run measures again */ }
        return Describe(entry, path);
    }

    private static PeakThroughput Describe(CachedCalibration c, string path) =>
        new(c.Gflops, $"calibrated: {c.Kernel} on {c.Threads} threads, {c.Measured:yyyy-MM-dd} ({path})");
}

/// <summary>
/// The CPU's FP32 peak as C# reaches it: independent fused multiply-add chains on the widest vector the CPU has, on
/// every thread at once, each thread an OS thread of its own. Twelve accumulators cover the FMA latency × ports of
/// current x86 cores (4 cycles × 2 ports), so the loop is bound by FMA throughput, not by a dependency chain.
/// </summary>
public static class FmaCalibration
{
    private const int Accumulators = 12;
    private const int InnerIterations = 4096;

    public static int VectorLanes => Avx512F.IsSupported ? 16 : Fma.IsSupported ? 8 : 4;

    public static string KernelName => Avx512F.IsSupported ? "AVX-512 FMA loop" : Fma.IsSupported ? "AVX2 FMA loop" : "128-bit multiply-add loop";

    /// <summary>Best of <paramref name="trials"/> measurements of <paramref name="trialSeconds"/> each, in GFLOP/s.</summary>
    public static double Measure(int threads, int trials = 3, double trialSeconds = 0.2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        double best = 0;
        for (int t = 0; t < trials; t++) best = Math.Max(best, MeasureOnce(threads, trialSeconds));
        return best;
    }

    /// <summary>One timed run of every thread together: all FLOPs done ÷ wall time.</summary>
    public static double MeasureOnce(int threads, double seconds)
    {
        var flops = new double[threads];
        using var start = new ManualResetEventSlim();
        var deadline = 0L;
        var workers = Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            start.Wait();
            flops[i] = Run(ref deadline);
        }) { IsBackground = true }).ToList();
        foreach (var w in workers) w.Start();
        var clock = Stopwatch.StartNew();
        Volatile.Write(ref deadline, Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency));
        start.Set();
        foreach (var w in workers) w.Join();
        return flops.Sum() / clock.Elapsed.TotalSeconds / 1e9;
    }

    // Fully optimised from the first call: tier-0 code of vector intrinsics is many times slower, and a calibration is too
    // short for tiering to replace it in time.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Run(ref long deadline)
    {
        long blocks = 0;
        float sink = 0;
        while (Stopwatch.GetTimestamp() < Volatile.Read(ref deadline))
        {
            sink += Avx512F.IsSupported ? Block512() : Fma.IsSupported ? Block256() : Block128();
            blocks++;
        }
        Sink = sink;
        return blocks * (double)InnerIterations * Accumulators * VectorLanes * 2;
    }

    /// <summary>Keeps the loop's result alive so the JIT cannot drop it.</summary>
    public static float Sink { get; private set; }

    private static float Block512() => Block<Vector512<float>, Fma512>();
    private static float Block256() => Block<Vector256<float>, Fma256>();
    private static float Block128() => Block<Vector128<float>, MultiplyAdd128>();

    /// <summary>Twelve chains of c = c·a + b on one vector type; the JIT compiles one copy per width, every chain in a register.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Block<TVector, TOps>() where TOps : IVectorOps<TVector>
    {
        var a = TOps.Splat(0.999999f);
        var b = TOps.Splat(1e-6f);
        TVector c0 = b, c1 = b, c2 = b, c3 = b, c4 = b, c5 = b, c6 = b, c7 = b, c8 = b, c9 = b, c10 = b, c11 = b;
        for (int i = 0; i < InnerIterations; i++)
        {
            c0 = TOps.MultiplyAdd(c0, a, b); c1 = TOps.MultiplyAdd(c1, a, b); c2 = TOps.MultiplyAdd(c2, a, b);
            c3 = TOps.MultiplyAdd(c3, a, b); c4 = TOps.MultiplyAdd(c4, a, b); c5 = TOps.MultiplyAdd(c5, a, b);
            c6 = TOps.MultiplyAdd(c6, a, b); c7 = TOps.MultiplyAdd(c7, a, b); c8 = TOps.MultiplyAdd(c8, a, b);
            c9 = TOps.MultiplyAdd(c9, a, b); c10 = TOps.MultiplyAdd(c10, a, b); c11 = TOps.MultiplyAdd(c11, a, b);
        }
        return TOps.Sum(c0) + TOps.Sum(c1) + TOps.Sum(c2) + TOps.Sum(c3) + TOps.Sum(c4) + TOps.Sum(c5)
             + TOps.Sum(c6) + TOps.Sum(c7) + TOps.Sum(c8) + TOps.Sum(c9) + TOps.Sum(c10) + TOps.Sum(c11);
    }

    private interface IVectorOps<TVector>
    {
        static abstract TVector Splat(float value);
        static abstract TVector MultiplyAdd(TVector c, TVector a, TVector b);
        static abstract float Sum(TVector v);
    }

    private readonly struct Fma512 : IVectorOps<Vector512<float>>
    {
        public static Vector512<float> Splat(float value) => Vector512.Create(value);
        public static Vector512<float> MultiplyAdd(Vector512<float> c, Vector512<float> a, Vector512<float> b) => Avx512F.FusedMultiplyAdd(c, a, b);
        public static float Sum(Vector512<float> v) => Vector512.Sum(v);
    }

    private readonly struct Fma256 : IVectorOps<Vector256<float>>
    {
        public static Vector256<float> Splat(float value) => Vector256.Create(value);
        public static Vector256<float> MultiplyAdd(Vector256<float> c, Vector256<float> a, Vector256<float> b) => Fma.MultiplyAdd(c, a, b);
        public static float Sum(Vector256<float> v) => Vector256.Sum(v);
    }

    /// <summary>Without FMA: a multiply and an add, two FLOPs as the others count them.</summary>
    private readonly struct MultiplyAdd128 : IVectorOps<Vector128<float>>
    {
        public static Vector128<float> Splat(float value) => Vector128.Create(value);
        public static Vector128<float> MultiplyAdd(Vector128<float> c, Vector128<float> a, Vector128<float> b) => c * a + b;
        public static float Sum(Vector128<float> v) => Vector128.Sum(v);
    }
}

/// <summary>
/// Published FP32 peaks (non-tensor-core, boost clock) per GPU device key, in TFLOP/s. Keys whose model is sold as SXM and
/// PCIe cards (the key leaves the form factor out, DeviceKeys) carry both; the name nvidia-smi reports picks one.
/// </summary>
public static class GpuPeakTable
{
    private sealed record Row(double Tflops, string Source, double? PcieTflops = null);

    private static readonly Dictionary<string, Row> Rows = new(StringComparer.Ordinal)
    {
        // One K80 board holds two GK210 GPUs (8.73 TFLOP/s with boost); CUDA and nvidia-smi see each as a device.
        ["k80"] = new(4.37, "NVIDIA Tesla K80 datasheet: 8.73 TFLOP/s per two-GPU board, boost"),
        ["titan-x"] = new(6.60, "NVIDIA GeForce GTX TITAN X (Maxwell): 3072 cores × 1075 MHz boost × 2"),
        ["titan-x-pascal"] = new(10.97, "NVIDIA TITAN X (Pascal): 3584 cores × 1531 MHz boost × 2"),
        ["gtx-1080-ti"] = new(11.34, "NVIDIA GeForce GTX 1080 Ti: 3584 cores × 1582 MHz boost × 2"),
        ["t4"] = new(8.1, "NVIDIA T4 datasheet"),
        ["v100-16gb"] = new(15.7, "NVIDIA V100 datasheet (SXM2 15.7, PCIe 14)", PcieTflops: 14.0),
        ["v100-32gb"] = new(15.7, "NVIDIA V100 datasheet (SXM2 15.7, PCIe 14)", PcieTflops: 14.0),
        ["a100-40gb"] = new(19.5, "NVIDIA A100 datasheet"),
        ["a100-80gb"] = new(19.5, "NVIDIA A100 datasheet"),
        ["h100-80gb"] = new(66.9, "NVIDIA H100 datasheet (SXM5 66.9, PCIe 51.2)", PcieTflops: 51.2),
        ["h200-141gb"] = new(66.9, "NVIDIA H200 datasheet (SXM 66.9; NVL 60)"),
    };

    public static IEnumerable<string> Keys => Rows.Keys.Order(StringComparer.Ordinal);

    /// <param name="deviceName">As nvidia-smi reports it; "PCIe" in it picks the PCIe card's figure.</param>
    public static PeakThroughput? For(string deviceKey, string deviceName)
    {
        if (!Rows.TryGetValue(deviceKey, out var row)) return null;
        bool pcie = row.PcieTflops is not null && deviceName.Contains("PCIe", StringComparison.OrdinalIgnoreCase);
        double tflops = pcie ? row.PcieTflops!.Value : row.Tflops;
        return new PeakThroughput(tflops * 1000, $"published FP32 peak, {tflops.ToString("0.##", CultureInfo.InvariantCulture)} TFLOP/s{(pcie ? " (PCIe card)" : "")}: {row.Source}");
    }
}
