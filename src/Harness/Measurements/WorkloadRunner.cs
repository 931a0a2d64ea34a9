using PerfTests.Harness.Backends;
using PerfTests.Harness.Data;
using PerfTests.Harness.Devices;
using PerfTests.Harness.Training;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Measurements;

/// <summary>One run's settings. <see cref="Epochs"/> overrides the profile's schedule.</summary>
/// <param name="Samples">Train and validate on at most this many samples of each of the profile's splits: a timing stretch
/// (the paired gate's processes), whose result is never a baseline; null for the whole profile.</param>
public sealed record RunRequest(
    WorkloadSpec Workload,
    IBackend Backend,
    ComputeDevice Device,
    RunProfile Profile,
    DataOptions Data,
    int Seed = RunRequest.DefaultSeed,
    int? Epochs = null,
    int Threads = 0,
    int? Samples = null)
{
    /// <summary>The seed runs and baselines use unless told otherwise.</summary>
    public const int DefaultSeed = 42;

    public int EffectiveThreads => Threads > 0 ? Threads : Environment.ProcessorCount;
}

/// <summary>The pipeline for one run: data → backend session → trainer → <see cref="RunResult"/>.</summary>
public static class WorkloadRunner
{
    /// <summary>Checks the backend can run on the device before loading (or generating) any data, then trains.</summary>
    public static RunResult Run(RunRequest request, IProgress<TrainingEvent>? progress = null, Action<string>? log = null,
        CancellationToken cancellationToken = default)
    {
        var availability = RequireRunnable(request);
        return Train(request, availability, LoadData(request, log), progress, cancellationToken);
    }

    public static WorkloadData LoadData(RunRequest request, Action<string>? log = null) =>
        DataCatalog.Load(request.Workload, request.Profile, request.Data, log);

    /// <summary>Trains on data already loaded (callers that must inspect the data's provenance first).</summary>
    public static RunResult Run(RunRequest request, WorkloadData data, IProgress<TrainingEvent>? progress = null,
        CancellationToken cancellationToken = default) =>
        Train(request, RequireRunnable(request), data, progress, cancellationToken);

    /// <summary>The backend's availability, once it is known to load and to run on the request's device.</summary>
    /// <exception cref="BackendUnavailableException">It cannot; the message says why and what would fix it.</exception>
    public static BackendAvailability RequireRunnable(RunRequest request) => RequireRunnable(request.Backend, request.Device);

    /// <inheritdoc cref="RequireRunnable(RunRequest)"/>
    public static BackendAvailability RequireRunnable(IBackend backend, ComputeDevice device)
    {
        var availability = backend.Probe();
        if (!availability.IsAvailable)
            throw new BackendUnavailableException(backend.Name, availability.Reason!);
        if (!backend.Supports(device, out var reason))
            throw new BackendUnavailableException(backend.Name, reason);
        return availability;
    }

    private static RunResult Train(RunRequest request, BackendAvailability availability, WorkloadData data,
        IProgress<TrainingEvent>? progress, CancellationToken cancellationToken)
    {
        var (workload, backend, device) = (request.Workload, request.Backend, request.Device);
        if (request.Samples is { } samples) data = data.Take(samples);
        var deviceInfo = DeviceDetector.Describe(device, request.EffectiveThreads);

        var epochs = request.Epochs ?? workload.ScheduleFor(request.Profile).Epochs;
        var dimensions = new ModelDimensions(data.Classes, data.DataDimension);

        var flops = ModelFlops.Count(workload, data.DataDimension);
        var peak = DevicePeak.For(deviceInfo, request.EffectiveThreads, request.Data.CacheDirectory, out var noPeak);
        var compute = new ComputeCost(flops.PerSample, flops.OptimizerPerStep, flops.PerStep, peak?.Gflops, peak?.Source ?? noPeak);
        var (peakScope, peakNote) = ProcessMemory.ResetPeak();
        var counters = new RunCounters(peakScope, peakNote, null, device.Kind == DeviceKind.Cuda ? RunCounters.NoCudaMemoryStatistics : null);

        using var session = backend.CreateSession(workload, dimensions, device,
            new SessionOptions(request.Seed, request.EffectiveThreads));
        var trainer = new Trainer(workload, backend.Name, request.Seed);
        var measurements = trainer.Train(session, data, epochs, progress, cancellationToken);

        string? sample = workload.Sampling is { } sampling && data.Alphabet is { } alphabet
            ? TextSampler.Sample(session, workload, data, alphabet, sampling.Length, sampling.Temperature, seed: request.Seed)
            : null;

        return new RunResult
        {
            Workload = workload.Name,
            Backend = backend.Name,
            BackendVersion = availability.Version,
            Device = deviceInfo.Key.ToString(),
            Profile = request.Profile,
            Seed = request.Seed,
            Data = data.Provenance,
            TrainSamples = data.Train.Count,
            ValidationSamples = data.Validation.Count,
            ParameterCount = session.ParameterCount,
            MetricKind = workload.Metric,
            Epochs = measurements.Select(e => WithThroughput(e, compute, data.Train.Count)).ToList(),
            Environment = EnvironmentCapture.Capture(deviceInfo, request.EffectiveThreads),
            SampleText = sample,
            Compute = compute,
            Counters = counters,
            SampleLimit = request.Samples,
        };
    }

    private static EpochMeasurement WithThroughput(EpochMeasurement epoch, ComputeCost compute, int samples)
    {
        if (epoch.Counters is not { } counters || epoch.TrainSeconds <= 0) return epoch;
        double gflops = compute.EpochFlops(samples, counters.Steps) / epoch.TrainSeconds / 1e9;
        return epoch with { Gflops = gflops, PercentOfPeak = compute.PeakGflops is { } peak and > 0 ? 100 * gflops / peak : null };
    }
}

/// <summary>A backend cannot run here; the message says what is missing.</summary>
public sealed class BackendUnavailableException(string backend, string reason)
    : Exception($"Backend '{backend}' is not available: {reason}")
{
    public string Backend { get; } = backend;
    public string Reason { get; } = reason;
}
