using System.Diagnostics;
using System.Globalization;

namespace PerfTests.Benchmarks;

/// <summary>
/// A native FMA loop to read the C# calibration against: the same twelve independent chains of acc = acc·a + b, on
/// GCC's 64-byte vectors (AVX-512 where -march=native has it, two 256-bit halves otherwise), one pthread per thread,
/// compiled at run time with gcc -O3 -march=native. Optional: without gcc, the calibration is printed alone.
/// </summary>
public static class NativeFmaReference
{
    private const string Source = """
        #include <pthread.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <time.h>
        typedef float v16 __attribute__((vector_size(64)));
        static double seconds;
        static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
        static void *work(void *out) {
            v16 a, b, c[12];
            for (int l = 0; l < 16; l++) { a[l] = 0.999999f; b[l] = 1e-6f; }
            for (int i = 0; i < 12; i++) c[i] = b;
            long blocks = 0; double end = now() + seconds;
            while (now() < end) {
                for (int k = 0; k < 4096; k++)
                    for (int i = 0; i < 12; i++) c[i] = c[i] * a + b;
                blocks++;
            }
            float s = 0; for (int i = 0; i < 12; i++) for (int l = 0; l < 16; l++) s += c[i][l];
            ((double *)out)[0] = blocks * 4096.0 * 12 * 16 * 2; ((double *)out)[1] = s;
            return 0;
        }
        int main(int argc, char **argv) {
            int threads = atoi(argv[1]); seconds = atof(argv[2]);
            pthread_t t[256]; double out[256][2]; double best = 0;
            for (int trial = 0; trial < 3; trial++) {
                double start = now();
                for (int i = 0; i < threads; i++) pthread_create(&t[i], 0, work, out[i]);
                double flops = 0;
                for (int i = 0; i < threads; i++) { pthread_join(t[i], 0); flops += out[i][0]; }
                double g = flops / (now() - start) / 1e9; if (g > best) best = g;
            }
            printf("%.3f\n", best);
            return 0;
        }
        """;

    /// <summary>Compiles the loop into a temporary folder; the path, or why there is none.</summary>
    public static (string? Path, string? Problem) Build()
    {
        var folder = Directory.CreateTempSubdirectory("perftests-fma-").FullName;
        var source = Path.Combine(folder, "fma.c");
        var binary = Path.Combine(folder, "fma");
        File.WriteAllText(source, Source);
        try
        {
            var (code, output) = Execute("gcc", ["-O3", "-march=native", "-ffp-contract=fast", "-pthread", "-o", binary, source]);
            return code == 0 ? (binary, null) : (null, $"gcc failed: {output.Trim()}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (null, "gcc is not installed; printing the C# calibration alone");
        }
    }

    /// <summary>Best of three 0.2-second runs at <paramref name="threads"/> threads, in GFLOP/s; null if it failed.</summary>
    public static double? Run(string binary, int threads)
    {
        var (code, output) = Execute(binary, [threads.ToString(CultureInfo.InvariantCulture), "0.2"]);
        return code == 0 && double.TryParse(output.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var g) ? g : null;
    }

    private static (int Code, string Output) Execute(string file, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }
}
