using PerfTests.Harness.Devices;
using PerfTests.Harness.Backends;
using PerfTests.Harness.Backends.TorchSharp;
using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Backends.TorchSharp;

[Trait("Category", "Unit")]
[Collection(LibtorchCollection.Name)]
public sealed class TorchSharpSessionTests
{
    private static readonly TorchSharpBackend Backend = new();

    [Fact]
    public void CreateSession_SameSeedOnSeveralThreadsAtOnce_GivesTheSameWeights()
    {
        // xunit builds sessions from parallel test classes, and libtorch has one default generator. Without the lock
        // around seeding and building, eight sessions started together came out with eight different weight sets.
        var spec = WorkloadCatalog.BiLstmImdb;
        var dimensions = new ModelDimensions(2, 0);
        float[] Weights()
        {
            using var session = Backend.CreateSession(spec, dimensions, ComputeDevice.Cpu, new SessionOptions(7));
            return session.GetWeights().Tensors.SelectMany(t => t.Values).ToArray();
        }
        var expected = Weights();

        var built = new float[4][];
        using var start = new Barrier(built.Length);
        var threads = Enumerable.Range(0, built.Length).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            built[i] = Weights();
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();

        for (int i = 0; i < built.Length; i++) built[i].Should().Equal(expected, $"session {i} was built from the same seed");
    }

    [SkippableFact]
    public void CreateSession_Cuda_WithoutCuda_ThrowsSayingWhatIsMissing()
    {
        Skip.If(TorchSharpCudaAvailable(), "this machine has CUDA");

        var act = () => Backend.CreateSession(WorkloadCatalog.MlpMnist, new ModelDimensions(10, 0), new ComputeDevice(DeviceKind.Cuda), new SessionOptions(1));

        act.Should().Throw<InvalidOperationException>().WithMessage("*TorchSharpRuntime=TorchSharp-cuda-linux*");
    }

    private static bool TorchSharpCudaAvailable() => global::TorchSharp.torch.cuda.is_available();
}
