using PerfTests.Harness.Data;
using PerfTests.Harness.Training;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Measurements;

/// <summary>The arithmetic a run's training does (Workloads.ModelFlops) and the device peak it is read against.</summary>
/// <param name="FlopsPerSample">Forward + backward of one sample, loss included.</param>
/// <param name="OptimizerFlopsPerStep">The optimizer's update of every parameter, once per step.</param>
/// <param name="FlopsPerStep">One full batch: batch size × <paramref name="FlopsPerSample"/> + <paramref name="OptimizerFlopsPerStep"/>.</param>
/// <param name="PeakGflops">The device's peak FP32 rate; null when unknown, with the reason in <paramref name="PeakSource"/>.</param>
/// <param name="PeakSource">Where the peak comes from (calibrated or published), or why there is none.</param>
public sealed record ComputeCost(long FlopsPerSample, long OptimizerFlopsPerStep, long FlopsPerStep, double? PeakGflops, string PeakSource)
{
    public double EpochFlops(int samples, int steps) => (double)samples * FlopsPerSample + (double)steps * OptimizerFlopsPerStep;
}

/// <summary>Where a run happened: enough to tell whether two runs are comparable.</summary>
public sealed record RunEnvironment(
    string DeviceKey,
    string DeviceName,
    string Cpu,
    int LogicalCores,
    int Threads,
    string Os,
    string Runtime,
    string? Commit,
    DateTimeOffset Timestamp);

/// <summary>One backend × workload × device run: every epoch's numbers and where they were measured.</summary>
public sealed record RunResult
{
    public const int FormatVersion = 1;

    public int Format { get; init; } = FormatVersion;
    public required string Workload { get; init; }
    public required string Backend { get; init; }
    public required string BackendVersion { get; init; }
    public required string Device { get; init; }
    public required RunProfile Profile { get; init; }
    public required int Seed { get; init; }
    public required DataProvenance Data { get; init; }
    public required int TrainSamples { get; init; }
    public required int ValidationSamples { get; init; }
    public required long ParameterCount { get; init; }
    public required MetricKind MetricKind { get; init; }
    public required IReadOnlyList<EpochMeasurement> Epochs { get; init; }
    public required RunEnvironment Environment { get; init; }
    /// <summary>lstm_textgen: characters sampled at temperature 0.5 after training.</summary>
    public string? SampleText { get; init; }

    /// <summary>FLOPs per step and the device's peak; null in results from before they were recorded.</summary>
    public ComputeCost? Compute { get; init; }

    /// <summary>How the memory figures were taken; null in results from before they were recorded.</summary>
    public RunCounters? Counters { get; init; }

    /// <summary>`run --samples`: the splits were cut to this many samples for a timing stretch; null for a whole-profile run.
    /// Such a result times the model but is not the profile's run, so it never becomes a baseline.</summary>
    public int? SampleLimit { get; init; }

    /// <summary>The seed's figure after the last epoch: validation accuracy, or training loss for lstm_textgen.</summary>
    public double Metric => MetricOf(Epochs[^1], MetricKind);

    /// <summary>Mean seconds per epoch over all epochs, the seed's figure.</summary>
    public double MeanEpochSeconds => Epochs.Average(e => e.Seconds);

    /// <summary>Per-epoch seconds without the warm-up epoch.</summary>
    public IReadOnlyList<double> SteadyStateSeconds => Epochs.Where(e => e.Stage == EpochStage.Actual).Select(e => e.Seconds).ToList();

    /// <summary>Mean of <see cref="SteadyStateSeconds"/>; the overall mean when only the warm-up epoch ran.</summary>
    public double SteadyStateMeanSeconds => SteadyStateSeconds.Count > 0 ? SteadyStateSeconds.Average() : MeanEpochSeconds;

    /// <summary>The samples the gate compares: segment timings of the steady-state epochs (all epochs when only one ran).</summary>
    public IReadOnlyList<double> TimingSamples =>
        (Epochs.Any(e => e.Stage == EpochStage.Actual) ? Epochs.Where(e => e.Stage == EpochStage.Actual) : Epochs)
        .SelectMany(e => e.TrainSecondsSamples).ToList();

    /// <summary>The epochs the steady-state figures use: all but the warm-up epoch, or all when only it ran.</summary>
    public IReadOnlyList<EpochMeasurement> SteadyStateEpochs =>
        Epochs.Any(e => e.Stage == EpochStage.Actual) ? Epochs.Where(e => e.Stage == EpochStage.Actual).ToList() : Epochs;

    /// <summary>
    /// Managed bytes a training step allocates in the steady state: the least that any steady-state epoch's steps allocated on
    /// average. The count covers the whole process, so a stray allocation elsewhere (a test runner reporting, a timer) lands
    /// in one epoch; an allocation the step makes shows in every epoch. Null without counters.
    /// </summary>
    public double? SteadyStateAllocatedBytesPerStep
    {
        get
        {
            var epochs = SteadyStateEpochs;
            if (epochs.Any(e => e.Counters is not { Steps: > 0 })) return null;
            return epochs.Min(e => e.Counters!.AllocatedBytesPerStep);
        }
    }

    /// <summary>The largest peak resident memory any epoch saw; null when none was read.</summary>
    public long? PeakResidentBytes => Epochs.Select(e => e.Counters?.PeakResidentBytes).Max();

    /// <summary>Steady-state model FLOPs ÷ steady-state training seconds; null without <see cref="Compute"/>.</summary>
    public double? SteadyStateGflops
    {
        get
        {
            var epochs = SteadyStateEpochs;
            if (Compute is null || epochs.Any(e => e.Counters is null)) return null;
            double seconds = epochs.Sum(e => e.TrainSeconds);
            double flops = epochs.Sum(e => Compute.EpochFlops(TrainSamples, e.Counters!.Steps));
            return seconds > 0 ? flops / seconds / 1e9 : null;
        }
    }

    /// <summary><see cref="SteadyStateGflops"/> as a percentage of the device's peak; null when either is unknown.</summary>
    public double? SteadyStatePercentOfPeak =>
        SteadyStateGflops is { } gflops && Compute?.PeakGflops is { } peak && peak > 0 ? 100 * gflops / peak : null;

    public static double MetricOf(EpochMeasurement epoch, MetricKind kind) => kind switch
    {
        MetricKind.ValidationAccuracy => epoch.ValidationAccuracy,
        MetricKind.TrainingLoss => epoch.TrainLoss,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public string Key => $"{Workload}/{Backend}/{Device}/{Profile.Name()}";
}
