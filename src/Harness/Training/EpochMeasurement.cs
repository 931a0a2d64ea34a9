namespace PerfTests.Harness.Training;

/// <summary>Epoch 1 includes start-up (allocation, kernel selection, JIT) and is kept apart from the steady state.</summary>
public enum EpochStage { Warmup, Actual }

/// <param name="Seconds">Wall time of the epoch including its validation pass (the seed's figure).</param>
/// <param name="TrainSeconds">Wall time of the training batches alone.</param>
public sealed record EpochMeasurement(
    int Epoch,
    EpochStage Stage,
    double TrainLoss,
    double ValidationLoss,
    double ValidationAccuracy,
    double Seconds,
    double TrainSeconds)
{
    /// <summary>
    /// The epoch's training split into up to <see cref="Trainer.TimingSegments"/> runs of batches, each timed and
    /// scaled to a whole epoch (segment seconds × batches / segment batches): many samples per epoch for the gate's
    /// statistical test, in the unit it reports (training seconds per epoch).
    /// </summary>
    public IReadOnlyList<double> TrainSecondsSamples { get; init; } = [];

    /// <summary>Allocations, collections and peak memory of the epoch's training; null in results from before they were recorded.</summary>
    public EpochCounters? Counters { get; init; }

    /// <summary>Model FLOPs of the epoch's training (the run's <c>ComputeCost</c>) ÷ <see cref="TrainSeconds"/>, in GFLOP/s.</summary>
    public double? Gflops { get; init; }

    /// <summary><see cref="Gflops"/> as a percentage of the device's peak (the run's <c>ComputeCost.PeakGflops</c>).</summary>
    public double? PercentOfPeak { get; init; }
}
