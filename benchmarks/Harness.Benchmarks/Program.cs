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

// "steps [N] [workload...]": median seconds of one TrainStep per workload, managed and torchsharp alternating (fairer on a noisy box).
if (args is ["steps", ..])
{
    int rounds = args.Length > 1 && int.TryParse(args[1], out var r) ? r : 10;
    var names = args.Skip(2).ToArray();
    foreach (var workload in names.Length > 0 ? names : ["mlp_mnist", "cnn_mnist", "cnn_cifar10", "fasttext_imdb", "bilstm_imdb", "lstm_textgen"])
    {
        var backends = (Environment.GetEnvironmentVariable("PERFTESTS_BENCH_BACKENDS") ?? "managed,torchsharp").Split(',');
        var benches = backends.Select(b => new TrainStepBenchmarks { Workload = workload, Backend = b }).ToArray();
        foreach (var b in benches) { b.Setup(); for (int i = 0; i < 3; i++) b.Step(); }
        var times = benches.Select(_ => new List<double>()).ToArray();
        for (int i = 0; i < rounds; i++)
            for (int j = 0; j < benches.Length; j++)
            {
                var clock = Stopwatch.StartNew();
                benches[j].Step();
                times[j].Add(clock.Elapsed.TotalSeconds);
            }
        foreach (var b in benches) b.Cleanup();
        double Med(List<double> v) => v.Order().ElementAt(v.Count / 2);
        Console.WriteLine($"{workload,-14} " + string.Join("   ", backends.Select((b, j) => $"{b} {Med(times[j]) * 1e3,8:F2} ms/step"))
            + (benches.Length == 2 ? $"   ratio {Med(times[0]) / Med(times[1]):F2}" : ""));
    }
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(MlpEpochBenchmarks).Assembly).Run(args);
return 0;
