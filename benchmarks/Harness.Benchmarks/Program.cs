using System.Diagnostics;
using BenchmarkDotNet.Running;
using PerfTests.Harness.Baselines;
using PerfTests.Harness.Measurements;
using PerfTests.Benchmarks;
using PerfTests.Harness.Backends.Managed;
using Perfolizer.Metrology;
using Pragmastat;
using Perfolizer.Mathematics.QuantileEstimators;

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

// "gemm [rounds] [shape...]": GFLOP/s of the managed SGEMM without BenchmarkDotNet, per shape at 1 and 2 threads. Both pools warm up
// for 0.3 s first (the JIT's first calls run unoptimised code), then they alternate in blocks, and each side's median time per
// call is printed as GFLOP/s with its interquartile range.
if (args is ["gemm", ..])
{
    int rounds = args.Length > 1 && int.TryParse(args[1], out var r) && r > 0 ? r : 20;
    var shapes = args.Length > 2 ? args.Skip(2).ToArray() : ManagedGemmBenchmarks.Shapes.ToArray();
    Console.WriteLine($"{"shape",-20} {"1 thread GFLOP/s",-22} {"2 threads GFLOP/s",-22} 2t/1t");
    foreach (var shape in shapes)
    {
        var sides = new[] { 1, 2 }.Select(threads => new ManagedGemmBenchmarks { Shape = shape, Threads = threads }).ToArray();
        foreach (var side in sides)
        {
            side.Setup();
            var warm = Stopwatch.StartNew();
            while (warm.Elapsed.TotalSeconds < 0.3) side.Sgemm();
        }
        // A round gives each side a block of calls (at least 3 ms after one untimed call), so a pool's helper thread is as
        // awake as it is between the kernels of a training step, not asleep after the other side's turn.
        var times = sides.Select(_ => new List<double>()).ToArray();
        for (int i = 0; i < rounds; i++)
            for (int j = 0; j < sides.Length; j++)
            {
                sides[j].Sgemm();
                int calls = 0;
                long start = Stopwatch.GetTimestamp();
                do { sides[j].Sgemm(); calls++; } while (Stopwatch.GetElapsedTime(start).TotalSeconds < 0.003);
                times[j].Add(Stopwatch.GetElapsedTime(start).TotalSeconds / calls);
            }
        foreach (var side in sides) side.Cleanup();
        double flops = ManagedGemmBenchmarks.Flops(shape);
        string Figure(List<double> t) =>
            $"{flops / Comparison.Median(t) / 1e9,6:F1} [{flops / Quantile(t, 0.75) / 1e9:F0}, {flops / Quantile(t, 0.25) / 1e9:F0}]";
        static double Quantile(List<double> values, double p) => SimpleQuantileEstimator.Instance.Quantile(new Sample(values), p);
        Console.WriteLine($"{shape,-20} {Figure(times[0]),-22} {Figure(times[1]),-22} {Comparison.Median(times[0]) / Comparison.Median(times[1]):F2}");
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
        foreach (var b in benches)
        {
            b.Setup();
            b.WarmUp();
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

// "profile [N] [workload...]": where the managed engine's training step goes (PERFTESTS_MANAGED_PROFILE=1 turns the probes on):
// busy time per kind of work summed over the workers, as a share of wall time × workers, the rest being waiting and dispatch;
// and what the trainer's gathering of a shuffled batch costs on the training thread. A Markdown table, one row per workload.
if (args is ["profile", ..])
{
    if (!EngineProfile.Enabled)
    {
        Console.Error.WriteLine("profile: set PERFTESTS_MANAGED_PROFILE=1 before starting the process; the engine's probes are compiled out without it.");
        return 2;
    }
    int steps = args.Length > 1 && int.TryParse(args[1], out var s) && s > 0 ? s : 50;
    var names = args.Skip(2).ToArray();
    var kinds = Enum.GetValues<EngineWork>();
    Console.WriteLine($"| workload | ms/step | % of peak | {string.Join(" | ", kinds)} | waiting, dispatch | data gathering | after a step | on the workers, after a step |");
    Console.WriteLine($"|---|---:|---:|{string.Concat(kinds.Select(_ => "---:|"))}---:|---:|---:|---:|");
    foreach (var workload in names.Length > 0 ? names : TrainStepBenchmarks.Workloads)
    {
        var profile = StepProfile.Measure(workload, steps);
        Console.WriteLine($"| `{workload}` | {profile.WallSeconds * 1e3:F2} | {profile.PercentOfPeak:F1} | "
            + string.Join(" | ", profile.Shares.Select(v => (100 * v).ToString("F1")))
            + $" | {100 * profile.Waiting:F1} | {profile.GatherSeconds * 1e3:F3} ms | {profile.GatherAfterStepSeconds * 1e3:F3} ms | {profile.GatherOnWorkersSeconds * 1e3:F3} ms |");
    }
    Console.WriteLine("Shares are % of wall time × workers; data gathering is the trainer's Fill of one shuffled batch, on one thread,");
    Console.WriteLine("back to back and after a training step; then the session's gathering on its workers after a step (as the trainer runs it).");
    return 0;
}

// "placement [seconds] [workload]": once a second, the round trip of a cache line between the first two cores (CoreRoundTrip),
// and with a workload the median of the managed training steps run in that second: the two side by side show whether a
// slow stretch is the host running the two vCPUs far apart.
if (args is ["placement", ..])
{
    int seconds = args.Length > 1 && int.TryParse(args[1], out var sec) && sec > 0 ? sec : 60;
    string? workload = args.Length > 2 ? args[2] : null;
    TrainStepBenchmarks? bench = null;
    if (workload is not null)
    {
        bench = new TrainStepBenchmarks { Workload = workload, Backend = "managed" };
        bench.Setup();
        bench.WarmUp();
    }
    Console.WriteLine(workload is null ? "second\tround trip ns" : $"second\tround trip ns\t{workload} median ms/step\tsteps");
    var perSecond = new List<(double RoundTrip, double StepMs)>();
    var clock = Stopwatch.StartNew();
    for (int second = 1; second <= seconds; second++)
    {
        double? roundTrip = CoreRoundTrip.Measure();
        var times = new List<double>();
        while (clock.Elapsed.TotalSeconds < second)
        {
            if (bench is null)
            {
                Thread.Sleep(10);
                continue;
            }
            long start = Stopwatch.GetTimestamp();
            bench.Step();
            times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        double stepMs = times.Count > 0 ? Comparison.Median(times) * 1e3 : double.NaN;
        string trip = roundTrip is { } ns ? ns.ToString("F0") : "n/a";
        Console.WriteLine(bench is null ? $"{second}\t{trip}" : $"{second}\t{trip}\t{stepMs:F2}\t{times.Count}");
        if (roundTrip is { } measured) perSecond.Add((measured, stepMs));
    }
    bench?.Cleanup();
    // A second is "far" when its round trip is over 2.5 times the run's lowest: on this project's VM the two states are
    // 50-95 ns and 307-500 ns, with nothing in between. A run that stays in one state cannot tell which one it was in.
    if (perSecond.Count > 0)
    {
        double lowest = perSecond.Min(s => s.RoundTrip);
        bool IsFar((double RoundTrip, double StepMs) s) => s.RoundTrip > 2.5 * lowest;
        bool twoStates = perSecond.Any(IsFar);
        foreach (var (label, far) in new[] { (twoStates ? "near" : "one placement throughout", false), ("far", true) })
        {
            var state = perSecond.Where(s => IsFar(s) == far).ToList();
            if (state.Count == 0) continue;
            string steps = bench is null ? "" : $", median step {Comparison.Median(state.Select(s => s.StepMs).ToList()):F2} ms";
            Console.WriteLine($"{label}: {state.Count} s, round trip median {Comparison.Median(state.Select(s => s.RoundTrip).ToList()):F0} ns{steps}");
        }
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
