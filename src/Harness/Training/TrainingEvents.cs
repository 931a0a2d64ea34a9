
namespace PerfTests.Harness.Training;

/// <summary>What a trainer reports while it runs; consumers (progress bars, logs) only read.</summary>
public abstract record TrainingEvent(string Workload);

public sealed record EpochStarted(string Workload, int Epoch, int Epochs, int Batches) : TrainingEvent(Workload);

public sealed record BatchCompleted(string Workload, int Epoch, int Batch, int Batches, float Loss) : TrainingEvent(Workload);

public sealed record ValidationStarted(string Workload, int Epoch, int Batches) : TrainingEvent(Workload);

public sealed record EpochCompleted(string Workload, int Epochs, EpochMeasurement Measurement) : TrainingEvent(Workload);

/// <summary>The loss became NaN or infinite: the run stops and records nothing.</summary>
public sealed class TrainingDivergedException(string workload, string backend, int epoch, int batch, int batches, float loss)
    : Exception($"{workload} on {backend} diverged: the training loss was {loss} at epoch {epoch}, batch {batch} of {batches}. " +
                "Training stopped and no result was recorded for this run.")
{
    public string Workload { get; } = workload;
    public int Epoch { get; } = epoch;
    public int Batch { get; } = batch;
    public float Loss { get; } = loss;
}
