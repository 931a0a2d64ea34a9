using System.Diagnostics;
using BenchmarkDotNet.Running;
using PerfTests.Harness.Baselines;
using PerfTests.Harness.Measurements;
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
    Console.WriteLine($"hand-written: median {Comparison.Median(hand):F3} s/epoch  [{string.Join(", ", hand.Select(v => v.ToString("F3")))}]");
    Console.WriteLine($"harness:      median {Comparison.Median(harness):F3} s/epoch  [{string.Join(", ", harness.Select(v => v.ToString("F3")))}]");
    Console.WriteLine($"harness / hand-written = {Comparison.Median(harness) / Comparison.Median(hand):F3}");
    return 0;
}

// "gemm": quick GFLOP/s of the managed SGEMM without BenchmarkDotNet (median of 10 calls per shape and thread count).
if (args is ["gemm", ..])
{
    foreach (var shape in ManagedGemmBenchmarks.Shapes)
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
        double median = Comparison.Median(times);
        Console.WriteLine($"{shape,-16} threads {threads}: {ManagedGemmBenchmarks.Flops(shape) / median / 1e9,7:F1} GFLOP/s (median {median * 1e3:F2} ms)");
    }
    return 0;
}

// "steps [N] [workload...]": median seconds of one TrainStep per workload, managed and torchsharp alternating (fairer on a noisy box).
if (args is ["steps", ..])
{
    int rounds = args.Length > 1 && int.TryParse(args[1], out var r) ? r : 10;
    var names = args.Skip(2).ToArray();
    var backends = (Environment.GetEnvironmentVariable("PERFTESTS_BENCH_BACKENDS") ?? "managed,torchsharp").Split(',');
    foreach (var workload in names.Length > 0 ? names : TrainStepBenchmarks.Workloads)
    {
        var benches = backends.Select(b => new TrainStepBenchmarks { Workload = workload, Backend = b }).ToArray();
        // Warm up until the JIT has optimised the step: a process's first few dozen steps run tier-0 and OSR code (fasttext_imdb's
        // first 40-60 steps take 8-10 ms, later ones 2), so three warm-up steps measured the JIT, not the engine.
        const int warmupSteps = 100;
        const double warmupSeconds = 2.0;
        foreach (var b in benches)
        {
            b.Setup();
            var warm = Stopwatch.StartNew();
            for (int i = 0; i < warmupSteps || warm.Elapsed.TotalSeconds < warmupSeconds; i++) b.Step();
        }
        var times = benches.Select(_ => new List<double>()).ToArray();
        for (int i = 0; i < rounds; i++)
            for (int j = 0; j < benches.Length; j++)
            {
                var clock = Stopwatch.StartNew();
                benches[j].Step();
                times[j].Add(clock.Elapsed.TotalSeconds);
            }
        foreach (var b in benches) b.Cleanup();
        double flops = TrainStepBenchmarks.FlopsPerStep(workload);
        double peak = TrainStepBenchmarks.CpuPeak(benches[0].Threads).Gflops;
        Console.WriteLine($"{workload,-14} {flops / 1e9,7:F3} GFLOP/step   " + string.Join("   ", backends.Select((b, j) =>
                $"{b} {Comparison.Median(times[j]) * 1e3,8:F2} ms/step {flops / Comparison.Median(times[j]) / 1e9,6:F1} GFLOP/s {100 * flops / Comparison.Median(times[j]) / 1e9 / peak,5:F1}% of peak"))
            + (benches.Length == 2 ? $"   ratio {Comparison.Median(times[0]) / Comparison.Median(times[1]):F2}" : ""));
    }
    return 0;
}

// "calibrate [repeats]": the harness's FMA calibration at 1..N threads, each repeated (default 5) with its spread, and a
// native C FMA loop (gcc -O3 -march=native, when gcc is installed) at the same thread counts for reference. Run it on an
// idle machine: the figure is a peak, and anything else running lowers it.
if (args is ["calibrate", ..])
{
    int repeats = args.Length > 1 && int.TryParse(args[1], out var n) && n > 0 ? n : 5;
    Console.WriteLine($"kernel: {FmaCalibration.KernelName}, {FmaCalibration.VectorLanes} lanes; each figure is the best of 3 × 0.2 s, as the harness caches it");
    var native = NativeFmaReference.Build();
    if (native.Problem is { } problem) Console.WriteLine($"native reference: {problem}");
    for (int threads = 1; threads <= Environment.ProcessorCount; threads++)
    {
        var figures = Enumerable.Range(0, repeats).Select(_ => FmaCalibration.Measure(threads)).ToList();
        double median = Comparison.Median(figures);
        double spread = (figures.Max() - figures.Min()) / median * 100;
        var line = $"{threads,2} threads: C# {median,7:F1} GFLOP/s median, spread {spread:F1}% [{string.Join(", ", figures.Select(f => f.ToString("F1")))}]";
        if (native.Path is { } path && NativeFmaReference.Run(path, threads) is { } c)
            line += $"   native C {c,7:F1} GFLOP/s, C#/C {median / c:F3}";
        Console.WriteLine(line);
    }
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(MlpEpochBenchmarks).Assembly).Run(args);
return 0;
