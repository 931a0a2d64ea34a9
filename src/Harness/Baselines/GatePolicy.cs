using PerfTests.Harness.Devices;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Baselines;

/// <summary>
/// The one place that decides tolerances, budgets and the significance level. A new baseline entry gets
/// these values; reviewers may tighten them in the JSON, and the gate uses what the file says.
/// </summary>
public static class GatePolicy
{
    /// <summary>One-sided Mann–Whitney significance level for "slower than the budget allows".</summary>
    public const double Alpha = 0.01;

    /// <summary>
    /// Fewest timing samples a measured baseline entry may hold. With 5 baseline samples against at least 5 measured,
    /// the one-sided Mann–Whitney test can reach p = 1/252 &lt; <see cref="Alpha"/>; with fewer it could never fail.
    /// A result with fewer is accepted for its metric alone.
    /// </summary>
    public const int MinimumTimingSamples = 5;

    /// <summary>A run faster than baseline / this factor (and significantly so) is reported as suspicious.</summary>
    public const double SuspiciousSpeedup = 2.0;

    /// <summary>How much worse the metric may get. Smoke runs see a few hundred samples, so their metric is noisy;
    /// ci subsets move by about a point between seeds; full runs by a few tenths (the seed's own spread).</summary>
    public static double MetricTolerance(MetricKind metric, RunProfile profile, double baselineValue) => metric switch
    {
        MetricKind.ValidationAccuracy => profile switch
        {
            RunProfile.Smoke => 0.15,
            RunProfile.Ci => 0.03,
            _ => 0.01,
        },
        // Losses are compared in absolute terms too, scaled to the baseline's size.
        MetricKind.TrainingLoss => Math.Round(baselineValue * profile switch
        {
            RunProfile.Smoke => 0.25,
            RunProfile.Ci => 0.05,
            _ => 0.02,
        }, 4),
        _ => throw new ArgumentOutOfRangeException(nameof(metric)),
    };

    /// <summary>
    /// Largest head/base ratio the paired gate allows (base and head timed side by side on one runner). A case fails when
    /// the lower confidence bound of its ratio is above this, in two attempts. Set from A/A data (README, "Paired gate"): 60
    /// comparisons of a build against itself on an idle 2-core AMD EPYC (Zen 5, AVX-512), ci profile, all 12 CPU cases 5
    /// times each, 2026-12-04: ratio estimates 0.834–1.104, so the 99th percentile (with 60, the largest) is 1.104, rounded
    /// up to 1.11; no lower bound above 1.001, no attempt failed. The same figure serves GPUs: no GPU A/A data exist yet,
    /// and a GPU step's time is steadier than a shared CPU's, so the CPU's figure is the cautious one until they do.
    /// </summary>
    public const double PairedBudget = 1.11;

    /// <summary>
    /// One-sided error of each bound of the paired interval (a 90% interval). A case fails only when two attempts with fresh
    /// blocks both put the lower bound above the budget, so a case whose true ratio sits exactly at the budget fails with
    /// probability at most α² = 0.25%, and an unchanged one far less; 0.05 rather than 0.01 buys the narrower interval that
    /// lets a CI run's few blocks decide (the signed-rank bound needs 5 blocks at 0.05, 7 at 0.01).
    /// </summary>
    public const double PairedAlpha = 0.05;

    /// <summary>Blocks before the paired verdict first looks (each block is two processes).</summary>
    public const int PairedMinBlocks = 6;

    /// <summary>Blocks after which an attempt stops undecided.</summary>
    public const int PairedMaxBlocks = 16;

    /// <summary>
    /// Seconds after which the gate stops adding blocks to a case's attempt (the minimum blocks always run): what keeps the
    /// paired gate of all 12 CPU cases within 15 minutes on 2 cores.
    /// </summary>
    public const double PairedCaseSeconds = 60;

    /// <summary>Allowed slowdown of the median against a stored baseline. CPUs here are shared 2-core VMs whose speed drifts by tens of
    /// percent between runs; GPUs are steadier.</summary>
    public static double TimingBudget(DeviceKind kind) => kind == DeviceKind.Cuda ? 1.25 : 1.5;

    /// <summary>
    /// Bytes per step a training step may allocate above its baseline: 10% of it, and at least 1 KiB. A step allocates the
    /// same objects every time, so the figure barely moves between runs and machines; the floor absorbs a stray runtime
    /// allocation (a timer, a thread-pool item) averaged over an epoch's steps, while a step that starts allocating a
    /// buffer or a boxed value per batch shows at once.
    /// </summary>
    public static double AllocationTolerance(double baselineBytesPerStep) => Math.Max(1024, Math.Ceiling(0.10 * baselineBytesPerStep));

    /// <summary>Largest allowed growth of a run's peak resident memory on the same device.</summary>
    public const double MemoryBudget = 1.5;
}
