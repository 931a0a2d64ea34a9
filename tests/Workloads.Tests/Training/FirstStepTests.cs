using PerfTests.Harness.Devices;
using PerfTests.Harness.Backends;
using PerfTests.Harness.Data;
using PerfTests.Harness.Workloads;
using PerfTests.Workloads.Tests.Data;

namespace PerfTests.Workloads.Tests.Training;

/// <summary>Each workload, as built by each backend, learns: one optimizer step on a batch lowers that batch's loss.</summary>
[Trait("Category", "Unit")]
[Collection(LibtorchCollection.Name)]
public sealed class FirstStepTests : IDisposable
{
    private readonly TempFolder _cache = new();

    public void Dispose() => _cache.Dispose();

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var backend in BackendRegistry.Names)
            foreach (var workload in WorkloadCatalog.All)
                cases.Add(backend, workload.Name);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void One_training_step_lowers_the_loss_on_smoke_data(string backendName, string workloadName)
    {
        var workload = WorkloadCatalog.Get(workloadName);
        var backend = BackendRegistry.Get(backendName);
        var data = DataCatalog.Load(workload, RunProfile.Smoke, new DataOptions(null, _cache.Path, SystemDirectories: []));
        using var session = backend.CreateSession(workload, new ModelDimensions(data.Classes, data.DataDimension), ComputeDevice.Cpu,
            new SessionOptions(Seed: 7, Threads: 2, DisableDropout: true));
        var batch = new Batch(workload.Input, workload.BatchSize);
        int count = Math.Min(workload.BatchSize, data.Train.Count);
        int size = workload.Input.SampleSize;
        if (data.Train.Features is { } features) features.AsSpan(0, count * size).CopyTo(batch.Features);
        else data.Train.Tokens.AsSpan(0, count * size).CopyTo(batch.Tokens);
        data.Train.Labels.AsSpan(0, count).CopyTo(batch.Labels);
        batch.Count = count;

        double before = session.Evaluate(batch).LossSum;
        float stepLoss = session.TrainStep(batch);
        double after = session.Evaluate(batch).LossSum;

        float.IsFinite(stepLoss).Should().BeTrue();
        (stepLoss * count).Should().BeApproximately((float)before, (float)(1e-3 * before), "with dropout off the step's loss is the batch's loss before the update");
        after.Should().BeLessThan(before, $"{workloadName} on {backendName}: loss {before / count:F5} → {after / count:F5} per sample after one step");
    }
}
