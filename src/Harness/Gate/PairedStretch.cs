namespace PerfTests.Harness.Gate;

/// <summary>
/// How much of the profile each paired process trains on. A block's two processes pay start-up, data loading and a warm-up
/// epoch each, and the gate needs a handful of blocks per case, so a whole ci-profile epoch (7 s for cnn_mnist here) would
/// put the 12 CPU cases far past 15 minutes. The processes therefore train the same model, batches and data on the first
/// samples of each split, enough for epochs of about <see cref="TargetEpochSeconds"/>: a process's observation is its mean
/// steady epoch either way, and base and head always train the same stretch. Accuracy is judged by the gate's own full run,
/// never by these.
/// </summary>
public static class PairedStretch
{
    /// <summary>Training seconds of one epoch a paired process aims at: two measured epochs of this average out a
    /// process's own jitter (a few percent at 0.3 s epochs here) at a fraction of a whole ci epoch's cost.</summary>
    public const double TargetEpochSeconds = 0.5;

    /// <summary>Fewest batches per stretched epoch, so that a stretched epoch is never one or two steps.</summary>
    public const int MinimumBatches = 5;

    /// <summary>Batches a calibration process trains per epoch to estimate the seconds per batch.</summary>
    public const int CalibrationBatches = 20;

    /// <summary>
    /// Samples per split for epochs of about <paramref name="targetEpochSeconds"/>, in whole batches; null when the whole
    /// profile's epoch is already that short (then the processes train the whole profile).
    /// </summary>
    /// <param name="batchSeconds">Steady-state training seconds per batch, measured on this machine.</param>
    public static int? Samples(double batchSeconds, int batchSize, int trainSamples, double targetEpochSeconds = TargetEpochSeconds)
    {
        if (!(batchSeconds > 0) || !double.IsFinite(batchSeconds)) throw new ArgumentOutOfRangeException(nameof(batchSeconds), batchSeconds, "Seconds per batch must be finite and positive.");
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(trainSamples, 1);
        int profileBatches = (trainSamples + batchSize - 1) / batchSize;
        int batches = Math.Max(MinimumBatches, (int)Math.Ceiling(targetEpochSeconds / batchSeconds));
        return batches >= profileBatches ? null : batches * batchSize;
    }

    /// <summary>"640 samples per split", or "the whole profile": what the paired processes train.</summary>
    public static string Describe(int? samples) => samples is { } n ? $"{n} samples per split" : "the whole profile";
}
