using PerfTests.Harness.Data;
using PerfTests.Harness.Devices;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Backends;

/// <summary>Whether a backend can run here; when not, <see cref="Reason"/> says what is missing and how to get it.</summary>
public sealed record BackendAvailability(bool IsAvailable, string Version, string? Reason)
{
    public static BackendAvailability Available(string version) => new(true, version, null);
    public static BackendAvailability Missing(string reason) => new(false, "", reason);
}

/// <summary>What the data decided about a model: classes and the <see cref="LayerSpec.FromData"/> size.</summary>
public sealed record ModelDimensions(int Classes, int DataDimension);

/// <summary>Per-session settings. <see cref="DisableDropout"/> and <see cref="Float64"/> exist for the conformance suite only.</summary>
/// <param name="Threads">CPU threads the engine may use; 0 = the engine's default.</param>
/// <param name="Float64">Compute in float64: the reference the float32 engines are checked against. Backends that cannot refuse it.</param>
public sealed record SessionOptions(int Seed, int Threads = 0, bool DisableDropout = false, bool Float64 = false);

/// <summary>
/// What a backend declares about itself, so tests check capabilities instead of asking which backend they have.
/// </summary>
/// <param name="LstmBiasVectors">1 for Keras's one LSTM bias; 2 for PyTorch's bias_ih and bias_hh, which receive the same
/// gradient and optimizer state, so the canonical (summed) bias moves by two optimizer steps per update.</param>
/// <param name="SupportsFloat64">Whether <see cref="SessionOptions.Float64"/> sessions can be built (the conformance reference).</param>
/// <param name="BitReproducible">Whether the same weights and batch give bit-identical results in every session of a process.
/// libtorch's are not: MKL picks code paths by buffer alignment too, so two sessions differ in the last bits.</param>
public sealed record BackendTraits(int LstmBiasVectors = 1, bool SupportsFloat64 = false, bool BitReproducible = false);

/// <summary>
/// A deep-learning engine. Turns a <see cref="WorkloadSpec"/> into a trainable model on a device.
/// Implementations live in <c>Backends/&lt;Name&gt;/</c> and share nothing but this contract and the model walk
/// (<see cref="ModelBuilder"/>, to which each supplies an <see cref="ILayerFactory{TLayer}"/>).
/// </summary>
public interface IBackend
{
    /// <summary>Stable lower-case name used on the command line and in baselines ("torchsharp", "managed").</summary>
    string Name { get; }

    /// <summary>Loads what the backend needs and reports whether it works here. Never throws.</summary>
    BackendAvailability Probe();

    /// <summary>Whether this backend can run on <paramref name="device"/> on this machine; if not, why.</summary>
    bool Supports(ComputeDevice device, out string reason);

    BackendTraits Traits { get; }

    ITrainingSession CreateSession(WorkloadSpec workload, ModelDimensions dimensions, ComputeDevice device, SessionOptions options);
}

/// <summary>
/// A session that knows every managed thread its steps run on: the calling thread, plus helper threads whose allocations it
/// counts itself. The trainer then counts a step's allocations on those threads only, so that whatever else the process
/// does meanwhile (a test host's own threads allocate about 7-8 KB a second) does not land in the figure. A session that
/// does not implement it is counted process-wide, which catches allocations on threads it never mentions.
/// </summary>
public interface IAccountsForStepThreads
{
    /// <summary>Managed bytes allocated so far by the session's helper threads (0 when its steps run on the calling thread only).</summary>
    long HelperThreadAllocatedBytes { get; }
}

/// <summary>
/// A session whose own threads copy a batch's samples in: between two steps they would otherwise wait while the trainer's
/// thread gathers the next batch alone (for mlp_mnist 0.11-0.15 ms, 4-6% of a step). Same contract as
/// <c>Trainer.Fill</c>: rows 0..Count-1 hold the samples at <c>indices</c>, an invalid index throws on the calling thread.
/// </summary>
public interface IGathersBatches
{
    void Gather(Batch batch, DataSplit split, ArraySegment<int> indices);
}

/// <summary>A model, its loss and its optimizer, built from a workload. Not thread-safe.</summary>
public interface ITrainingSession : IDisposable
{
    /// <summary>Trainable parameters as this backend counts them (PyTorch-style LSTMs have a second bias vector).</summary>
    long ParameterCount { get; }

    /// <summary>One optimizer update on the first <see cref="Batch.Count"/> samples, in training mode (dropout on). Returns the batch's mean loss.</summary>
    float TrainStep(Batch batch);

    /// <summary>Inference mode (dropout off), no gradients: summed per-sample loss and correct predictions.</summary>
    EvaluationResult Evaluate(Batch batch);

    /// <summary>Inference mode: output probabilities, Count × classes (Count × 1 for a sigmoid output).</summary>
    float[] Predict(Batch batch);

    /// <summary>Parameters in the canonical layout of <see cref="ModelWeights"/>.</summary>
    ModelWeights GetWeights();

    /// <summary>The loss gradient of the last <see cref="TrainStep"/> (the one its update used), in the layout of
    /// <see cref="GetWeights"/>: for a parameter a backend stores twice (PyTorch's LSTM biases), the gradient of the canonical one.</summary>
    ModelWeights GetGradients();

    void SetWeights(ModelWeights weights);
}

public readonly record struct EvaluationResult(double LossSum, int Correct, int Count);
