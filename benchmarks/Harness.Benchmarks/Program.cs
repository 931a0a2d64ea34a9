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

BenchmarkSwitcher.FromAssembly(typeof(MlpEpochBenchmarks).Assembly).Run(args);
return 0;
