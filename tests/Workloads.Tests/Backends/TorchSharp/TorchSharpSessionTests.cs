using PerfTests.Harness.Backends;
using PerfTests.Harness.Backends.TorchSharp;
using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Backends.TorchSharp;

[Trait("Category", "Unit")]
public sealed class TorchSharpSessionTests
{
    private static readonly TorchSharpBackend Backend = new();

    public static TheoryData<string, int, int, long> Counts => new()
    {
        // PyTorch LSTMs carry a second bias vector (4 × units per direction) that Keras does not.
        { "bilstm_imdb", 2, 0, 2_658_945 + 2 * 4 * 64 },
        { "fasttext_imdb", 2, 0, 1_000_051 },
        { "mlp_mnist", 10, 0, 669_706 },
        { "cnn_mnist", 10, 0, 1_199_882 },
        { "cnn_cifar10", 10, 0, 1_250_858 },
        { "lstm_textgen", 57, 57, 102_585 + 4 * 128 },
    };

    [Theory]
    [MemberData(nameof(Counts))]
    public void ParameterCount_EachWorkload_IsKerasCountPlusPyTorchLstmBias(string workload, int classes, int dataDimension, long expected)
    {
        using var session = Backend.CreateSession(WorkloadCatalog.Get(workload), new ModelDimensions(classes, dataDimension), ComputeDevice.Cpu, new SessionOptions(1));

        session.ParameterCount.Should().Be(expected);
    }

    [Fact]
    public void Lstm_Initialisation_FollowsKeras()
    {
        using var session = Backend.CreateSession(WorkloadCatalog.LstmTextgen, new ModelDimensions(57, 57), ComputeDevice.Cpu, new SessionOptions(3));
        var weights = session.GetWeights();

        var bias = weights["1.bias"].Values;
        bias.Take(128).Should().OnlyContain(v => v == 0, "input gate bias starts at zero");
        bias.Skip(128).Take(128).Should().OnlyContain(v => v == 1, "Keras unit_forget_bias sets the forget gate to 1");
        bias.Skip(256).Should().OnlyContain(v => v == 0);

        var recurrent = weights["1.recurrent_kernel"];
        recurrent.Shape.Should().Equal(128, 512);
        // Orthogonal: rows of the [128, 512] recurrent kernel are orthonormal.
        double dot01 = 0, norm0 = 0;
        for (int j = 0; j < 512; j++)
        {
            dot01 += recurrent.Values[j] * recurrent.Values[512 + j];
            norm0 += recurrent.Values[j] * recurrent.Values[j];
        }
        norm0.Should().BeApproximately(1, 1e-4);
        dot01.Should().BeApproximately(0, 1e-4);

        var kernel = weights["1.kernel"];
        double limit = Math.Sqrt(6.0 / (57 + 512));
        kernel.Values.Should().OnlyContain(v => Math.Abs(v) <= limit + 1e-6, "Glorot uniform bound");
    }

    [Fact]
    public void Embedding_Initialisation_IsUniformWithinFiveHundredths()
    {
        using var session = Backend.CreateSession(WorkloadCatalog.FastTextImdb, new ModelDimensions(2, 0), ComputeDevice.Cpu, new SessionOptions(3));

        var embeddings = session.GetWeights()["0.embeddings"];

        embeddings.Shape.Should().Equal(20_000, 50);
        embeddings.Values.Should().OnlyContain(v => Math.Abs(v) <= 0.05f);
        embeddings.Values.Max().Should().BeGreaterThan(0.045f);
    }

    [Fact]
    public void SetWeights_RoundTrip_ReproducesTheModel()
    {
        var spec = WorkloadCatalog.BiLstmImdb;
        using var source = Backend.CreateSession(spec, new ModelDimensions(2, 0), ComputeDevice.Cpu, new SessionOptions(5));
        using var target = Backend.CreateSession(spec, new ModelDimensions(2, 0), ComputeDevice.Cpu, new SessionOptions(6));

        target.SetWeights(source.GetWeights());

        var batch = new Batch(spec.Input, 4);
        var random = new Random(1);
        for (int i = 0; i < batch.Tokens!.Length; i++) batch.Tokens[i] = random.Next(20_000);
        batch.Count = 4;
        target.Predict(batch).Should().Equal(source.Predict(batch));
    }

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
