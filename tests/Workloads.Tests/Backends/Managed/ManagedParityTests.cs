using PerfTests.Harness.Backends;
using PerfTests.Harness.Backends.Managed;
using PerfTests.Harness.Backends.TorchSharp;
using PerfTests.Harness.Workloads;
using Xunit.Abstractions;

namespace PerfTests.Workloads.Tests.Backends.Managed;

/// <summary>
/// Whole-model parity: the same initial weights (torchsharp's, copied into managed), dropout off, the same random
/// batches; the two backends' loss curves agree for 20 steps, and so do evaluation and predictions afterwards.
/// </summary>
[Trait("Category", "Unit")]
[Collection(TorchSharpThreadsCollection.Name)]
public sealed class ManagedParityTests(ITestOutputHelper output)
{
    public static TheoryData<string, int, int, int> Cases => new()
    {
        { "mlp_mnist", 10, 0, 16 },
        { "cnn_mnist", 10, 0, 8 },
        { "cnn_cifar10", 10, 0, 8 },
        { "fasttext_imdb", 2, 0, 16 },
        { "bilstm_imdb", 2, 0, 8 },
        { "lstm_textgen", 30, 30, 16 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void LossCurves_For20Steps_AgreeWithTorchSharp(string workload, int classes, int dataDimension, int batchSize)
    {
        var spec = WorkloadCatalog.Get(workload);
        var dimensions = new ModelDimensions(classes, dataDimension);
        var options = new SessionOptions(11, Threads: 2, DisableDropout: true);
        using var torch = new TorchSharpBackend().CreateSession(spec, dimensions, ComputeDevice.Cpu, options);
        // PyTorch's LSTM has two bias vectors that both train; managed emulates that here (Keras has one, the default).
        using var managed = new ManagedSession(spec, dimensions, options, pyTorchLstmBias: true);
        managed.SetWeights(torch.GetWeights());

        var random = new Random(17);
        var batches = Enumerable.Range(0, 4).Select(_ => ManagedSessionTests.RandomBatch(spec, classes, dataDimension, batchSize, random, learnable: true)).ToArray();
        double worst = 0;
        for (int step = 0; step < 20; step++)
        {
            var batch = batches[step % batches.Length];
            float expected = torch.TrainStep(batch);
            float actual = managed.TrainStep(batch);
            double relative = Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-3);
            worst = Math.Max(worst, relative);
            output.WriteLine($"step {step,2}: torchsharp {expected:F6}  managed {actual:F6}  relative {relative:E2}");
            relative.Should().BeLessThan(1e-3, $"step {step}: torchsharp {expected}, managed {actual}");
        }
        output.WriteLine($"worst relative difference {worst:E2}");

        var torchEval = torch.Evaluate(batches[0]);
        var managedEval = managed.Evaluate(batches[0]);
        managedEval.LossSum.Should().BeApproximately(torchEval.LossSum, 1e-3 * Math.Max(1, Math.Abs(torchEval.LossSum)));
        managedEval.Count.Should().Be(torchEval.Count);
        var expectedProbabilities = torch.Predict(batches[1]);
        var actualProbabilities = managed.Predict(batches[1]);
        actualProbabilities.Should().HaveCount(expectedProbabilities.Length);
        for (int i = 0; i < expectedProbabilities.Length; i++) actualProbabilities[i].Should().BeApproximately(expectedProbabilities[i], 2e-3f);
    }
}
