using PerfTests.Harness.Backends;
using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Backends;

/// <summary>The rules the model walk applies for every backend, seen through a factory that writes down what it is asked for.</summary>
[Trait("Category", "Unit")]
public sealed class ModelBuilderTests
{
    [Fact]
    public void Build_MlpMnist_DropsTheLastSoftmaxAndKeepsDropout()
    {
        var calls = ModelBuilder.Build(WorkloadCatalog.MlpMnist, 0, new Recorder());

        calls.Should().Equal(
            "0 Dense Relu 0.kernel[784×512] 0.bias[512]", "1 Dropout 0.2", "2 Dense Relu 2.kernel[512×512] 2.bias[512]", "3 Dropout 0.2",
            "4 Dense Linear 4.kernel[512×10] 4.bias[10] last");
    }

    [Fact]
    public void Build_DisableDropout_CallsNoDropout()
    {
        var calls = ModelBuilder.Build(WorkloadCatalog.MlpMnist, 0, new Recorder(), disableDropout: true);

        calls.Should().Equal("0 Dense Relu 0.kernel[784×512] 0.bias[512]", "2 Dense Relu 2.kernel[512×512] 2.bias[512]",
            "4 Dense Linear 4.kernel[512×10] 4.bias[10] last");
    }

    [Fact]
    public void Build_CnnCifar10_FusesTheFinalActivationLayer_AndKeepsTheOthers()
    {
        var calls = ModelBuilder.Build(WorkloadCatalog.CnnCifar10, 0, new Recorder());

        calls[0].Should().Be("0 Conv2D 0.kernel[32×3×3×3] 0.bias[32]");
        calls[1].Should().Be("1 Activation Relu");
        calls.Should().Contain(["12 Flatten [2304]", "14 Activation Relu"]);
        calls[^1].Should().Be("16 Dense Linear 16.kernel[512×10] 16.bias[10]", "the final Activation(softmax) is part of the loss");
        calls.Should().NotContain(c => c.StartsWith("17 ", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_LstmTextgen_PassesTheOneHotDepthAndTellsTheLstm()
    {
        var calls = ModelBuilder.Build(WorkloadCatalog.LstmTextgen, 57, new Recorder());

        calls.Should().Equal("0 OneHot 57", "1 Lstm one-hot 1.kernel[57×512] 1.recurrent_kernel[128×512] 1.bias[512]",
            "2 Dense Linear 2.kernel[128×57] 2.bias[57] last");
    }

    [Fact]
    public void Build_Bidirectional_NamesForwardThenBackward()
    {
        var calls = ModelBuilder.Build(WorkloadCatalog.BiLstmImdb, 0, new Recorder());

        calls[1].Should().Be("1 Lstm 1.forward/kernel[128×256] 1.forward/recurrent_kernel[64×256] 1.forward/bias[256] "
                             + "reverse:1.backward/kernel[128×256] 1.backward/recurrent_kernel[64×256] 1.backward/bias[256]");
    }

    [Fact]
    public void Layout_IsTheWalksWeightsInOrder()
    {
        ModelWeights.Layout(WorkloadCatalog.FastTextImdb, 0).Select(w => w.ToString())
            .Should().Equal("0.embeddings[20000×50]", "2.kernel[50×1]", "2.bias[1]");
    }

    [Fact]
    public void Build_OneHotNotBeforeAnLstm_IsRefusedNamingTheWorkload()
    {
        var spec = WorkloadCatalog.LstmTextgen with { Name = "onehot_dense", Layers = [new OneHot(10), new Flatten(), new Dense(10, Activation.Softmax)] };

        var act = () => ModelBuilder.Build(spec, 10, new Recorder());

        act.Should().Throw<NotSupportedException>().WithMessage("onehot_dense: OneHot must come directly before an LSTM*");
    }

    [Fact]
    public void Build_EmbeddingAfterAnotherLayer_IsRefused()
    {
        var spec = WorkloadCatalog.MlpMnist with { Name = "late_embedding", Layers = [new Dense(100), new Embedding(100, 8), new Flatten(), new Dense(10, Activation.Softmax)] };

        var act = () => ModelBuilder.Build(spec, 0, new Recorder());

        act.Should().Throw<NotSupportedException>().WithMessage("late_embedding: Embedding takes token indices*first layer*layer 1*");
    }

    [Fact]
    public void Build_TokenInputWithoutATokenLayer_IsRefused()
    {
        var spec = WorkloadCatalog.FastTextImdb with { Name = "tokens_into_dense", Layers = [new Dense(1, Activation.Sigmoid)] };

        var act = () => ModelBuilder.Build(spec, 0, new Recorder());

        act.Should().Throw<NotSupportedException>().WithMessage("tokens_into_dense: token input needs a first layer that takes tokens*Dense*");
    }

    [Fact]
    public void Build_ModelNotEndingInTheLossActivation_IsRefused()
    {
        var spec = WorkloadCatalog.MlpMnist with { Name = "relu_out", Layers = [new Dense(10, Activation.Relu)] };

        var act = () => ModelBuilder.Build(spec, 0, new Recorder());

        act.Should().Throw<NotSupportedException>().WithMessage("relu_out:*needs a final Softmax*");
    }

    /// <summary>Writes each call as "index kind arguments weights", "last" on the final layer.</summary>
    private sealed class Recorder : ILayerFactory<string>
    {
        public string Dense(LayerContext at, KernelAndBias weights, Activation activation) => Line(at, $"Dense {activation} {weights.Kernel} {weights.Bias}");
        public string Conv2D(LayerContext at, Conv2D layer, KernelAndBias weights) => Line(at, $"Conv2D {weights.Kernel} {weights.Bias}");
        public string MaxPool2D(LayerContext at, int poolSize) => Line(at, $"MaxPool2D {poolSize}");
        public string Activation(LayerContext at, Activation activation) => Line(at, $"Activation {activation}");
        public string Dropout(LayerContext at, double rate) => Line(at, $"Dropout {rate}");
        public string Flatten(LayerContext at) => Line(at, $"Flatten [{string.Join('×', at.OutputShape)}]");
        public string Embedding(LayerContext at, WeightSpec embeddings) => Line(at, $"Embedding {embeddings}");
        public string GlobalAveragePooling1D(LayerContext at) => Line(at, "GlobalAveragePooling1D");
        public string OneHot(LayerContext at, int depth) => Line(at, $"OneHot {depth}");
        public string Lstm(LayerContext at, IReadOnlyList<LstmDirection> directions, bool oneHotInput) =>
            Line(at, $"Lstm{(oneHotInput ? " one-hot" : "")} " + string.Join(' ', directions.Select(d => $"{(d.Reverse ? "reverse:" : "")}{d.Kernel} {d.RecurrentKernel} {d.Bias}")));

        private static string Line(LayerContext at, string call) => $"{at.Index} {call}{(at.IsLast ? " last" : "")}";
    }
}
