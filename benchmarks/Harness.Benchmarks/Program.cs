using System.Diagnostics;
using BenchmarkDotNet.Running;
using PerfTests.Benchmarks;

// "interleaved N": alternate harness and hand-written epochs N times and compare medians. On a shared,
// noisy machine alternating is fairer than BenchmarkDotNet's one-after-the-other runs.
if (args is ["interleaved", var countText, ..])
{
    var benchmark = new MlpEpochBenchmarks { Profile = args.Length > 2 ? args[2] : "ci" };
    benchmark.Setup();
    benchmark.HandWritten();
    benchmark.Harness();
    var hand = new List<double>();
    var harness = new List<double>();
    for (int i = 0; i < int.Parse(countText); i++)
    {
        var clock = Stopwatch.StartNew();
        benchmark.HandWritten();
        hand.Add(clock.Elapsed.TotalSeconds);
        clock.Restart();
        benchmark.Harness();
        harness.Add(clock.Elapsed.TotalSeconds);
    }
    benchmark.Cleanup();
    double Median(List<double> v) { var s = v.Order().ToArray(); return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2; }
    Console.WriteLine($"hand-written: median {Median(hand):F3} s/epoch  [{string.Join(", ", hand.Select(v => v.ToString("F3")))}]");
    Console.WriteLine($"harness:      median {Median(harness):F3} s/epoch  [{string.Join(", ", harness.Select(v => v.ToString("F3")))}]");
    Console.WriteLine($"harness / hand-written = {Median(harness) / Median(hand):F3}");
    return 0;
}

// "gemm": quick GFLOP/s of the managed SGEMM without BenchmarkDotNet (median of 10 calls per shape and thread count).
if (args is ["gemm", ..])
{
    foreach (var shape in new[] { "128x512x784", "512x512x512", "1024x1024x1024" })
    foreach (var threads in new[] { 1, 2 })
    {
        var gemm = new ManagedGemmBenchmarks { Shape = shape, Threads = threads };
        gemm.Setup();
        for (int i = 0; i < 3; i++) gemm.Sgemm();
        var times = new List<double>();
        for (int i = 0; i < 10; i++)
        {
            var clock = Stopwatch.StartNew();
            gemm.Sgemm();
            times.Add(clock.Elapsed.TotalSeconds);
        }
        gemm.Cleanup();
        var (m, n, k) = ManagedGemmBenchmarks.Parse(shape);
        double median = times.Order().ElementAt(times.Count / 2);
        Console.WriteLine($"{shape,-16} threads {threads}: {2.0 * m * n * k / median / 1e9,7:F1} GFLOP/s (median {median * 1e3:F2} ms)");
    }
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(MlpEpochBenchmarks).Assembly).Run(args);
return 0;
