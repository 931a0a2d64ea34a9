using System.Diagnostics;
using System.Globalization;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Training;

namespace PerfTests.Harness.Gate;

/// <summary>What both sides of a paired case train: same workload, backend, profile, seed, epochs, threads and device.</summary>
/// <param name="Samples">The stretch: at most this many samples of each split (<see cref="PairedStretch"/>); null for the whole profile.</param>
public sealed record PairedCase(string Workload, string Backend, string Profile, int Seed, int Epochs, int Threads, string Device = "cpu", int? Samples = null)
{
    public override string ToString() => $"{Workload}/{Backend}/{Profile}";
}

/// <summary>
/// Runs one ABBA block: base and head each train the case once, each in a fresh process of its own build (`run --out`),
/// one after the other in the order given. A process yields one observation, its mean training seconds over the epochs
/// after the warm-up epoch: the epochs inside one process share its memory layout, thread placement and JIT state, so they
/// are not independent samples.
/// </summary>
/// <param name="cancellationToken">Stops the block at once: the running process is killed and <see cref="OperationCanceledException"/> thrown.</param>
public sealed class ProcessBlockRunner(HarnessBuild baseBuild, HarnessBuild head, PairedCase pairedCase, Action<string>? log = null,
    CancellationToken cancellationToken = default)
{
    public PairedBlock Run(bool headFirst)
    {
        double first = Measure(headFirst ? head : baseBuild);
        double second = Measure(headFirst ? baseBuild : head);
        return headFirst ? new PairedBlock(second, first, true) : new PairedBlock(first, second, false);
    }

    /// <summary>
    /// The stretch for this case on this machine: one process of <paramref name="build"/> trains
    /// <see cref="CalibrationEpochs"/> epochs of <see cref="PairedStretch.CalibrationBatches"/> batches, and its fastest epoch
    /// after the warm-up sizes the processes' epochs. The fastest, because the first few dozen steps of a process still run
    /// code the JIT has not yet optimised (tiered compilation): with only one epoch after the warm-up, fasttext_imdb/managed
    /// measured 6.5 ms per batch where its optimised steps take 2.
    /// </summary>
    public static int? CalibrateSamples(HarnessBuild build, PairedCase pairedCase, int batchSize, int trainSamples, Action<string>? log = null,
        CancellationToken cancellationToken = default)
    {
        var probe = pairedCase with { Epochs = CalibrationEpochs, Samples = PairedStretch.CalibrationBatches * batchSize };
        var result = RunOnce(build, probe, cancellationToken);
        double batchSeconds = result.Epochs.Where(e => e.Stage == EpochStage.Actual)
            .Min(e => e.TrainSeconds / Math.Max(1, e.Counters?.Steps ?? PairedStretch.CalibrationBatches));
        var samples = PairedStretch.Samples(batchSeconds, batchSize, trainSamples);
        log?.Invoke($"  stretch: {batchSeconds * 1000:F1} ms per batch, so {PairedStretch.Describe(samples)} per paired epoch");
        return samples;
    }

    /// <summary>Epochs of the calibration process, the first of them warm-up.</summary>
    public const int CalibrationEpochs = 4;

    private double Measure(HarnessBuild build)
    {
        if (pairedCase.Epochs < 2) throw new ArgumentException("A paired case needs at least 2 epochs: the first is warm-up.");
        var stopwatch = Stopwatch.StartNew();
        var result = RunOnce(build, pairedCase, cancellationToken);
        var steady = result.Epochs.Where(e => e.Stage == EpochStage.Actual).ToList();
        if (steady.Count == 0) throw new InvalidOperationException($"{pairedCase} on {build.Description}: no epoch after the warm-up.");
        double seconds = steady.Average(e => e.TrainSeconds);
        log?.Invoke($"    {build.Description}: {seconds:F3} s/epoch (process {stopwatch.Elapsed.TotalSeconds:F1} s)");
        return seconds;
    }

    private static RunResult RunOnce(HarnessBuild build, PairedCase pairedCase, CancellationToken cancellationToken)
    {
        var outDir = Directory.CreateTempSubdirectory("perftests-paired-").FullName;
        try
        {
            var arguments = string.Join(' ', new[]
            {
                "exec", Quote(build.Dll), "run",
                "--workload", pairedCase.Workload, "--backend", pairedCase.Backend, "--profile", pairedCase.Profile,
                "--seed", pairedCase.Seed.ToString(CultureInfo.InvariantCulture),
                "--epochs", pairedCase.Epochs.ToString(CultureInfo.InvariantCulture),
                "--device", pairedCase.Device, "--out", Quote(outDir), "--offline",
            }.Concat(pairedCase.Threads > 0 ? ["--threads", pairedCase.Threads.ToString(CultureInfo.InvariantCulture)] : [])
             .Concat(pairedCase.Samples is { } samples ? ["--samples", samples.ToString(CultureInfo.InvariantCulture)] : []));
            // The process starts in its own empty folder, so nothing is found relative to the other side's checkout.
            HarnessBuild.Run("dotnet", arguments, outDir, $"{pairedCase} on {build.Description}", cancellationToken);
            var files = Directory.GetFiles(outDir, "*.json");
            if (files.Length != 1) throw new InvalidOperationException($"{pairedCase} on {build.Description}: expected one result in {outDir}, found {files.Length}.");
            return ResultFiles.Read(files[0]);
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    private static string Quote(string path) => $"\"{path}\"";
}
