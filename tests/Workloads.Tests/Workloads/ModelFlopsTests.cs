using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Workloads;

/// <summary>
/// Each layer's FLOP formula against counts done by hand (a multiply-add is 2, see ModelFlops), and each workload's
/// per-step total against a hand calculation layer by layer.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ModelFlopsTests
{
    private static ResolvedLayer Layer(LayerSpec layer, int[] input, int[] output, long parameters = 0) => new(layer, input, output, parameters);

    [Fact]
    public void Dense_Relu_FirstLayer_SkipsTheInputGradient()
    {
        // 784 → 512: 401,408 multiply-adds; bias 512; relu 512. Backward: relu 512, weight gradient 2·401,408, bias 512.
        var flops = ModelFlops.Layer(Layer(new Dense(512, Activation.Relu), [784], [512]), inputGradient: false);

        flops.Forward.Should().Be(802_816 + 512 + 512);
        flops.Backward.Should().Be(512 + 802_816 + 512);
    }

    [Fact]
    public void Dense_Relu_WithInputGradient_AddsIt()
    {
        var flops = ModelFlops.Layer(Layer(new Dense(512, Activation.Relu), [784], [512]), inputGradient: true);

        flops.Backward.Should().Be(512 + 802_816 + 802_816 + 512);
    }

    [Fact]
    public void Dense_OutputSoftmax_LeavesTheActivationToTheLoss()
    {
        // 512 → 10: 5,120 multiply-adds, bias 10; the softmax is counted with the loss.
        var flops = ModelFlops.Layer(Layer(new Dense(10, Activation.Softmax), [512], [10]), inputGradient: true, activationFusedWithLoss: true);

        flops.Forward.Should().Be(10_240 + 10);
        flops.Backward.Should().Be(10_240 + 10_240 + 10);
    }

    [Fact]
    public void Dense_Sigmoid_NotFused_CountsThreeEachWay()
    {
        var flops = ModelFlops.Layer(Layer(new Dense(4, Activation.Sigmoid), [2], [4]), inputGradient: false);

        flops.Forward.Should().Be(16 + 4 + 12);
        flops.Backward.Should().Be(12 + 16 + 4);
    }

    [Fact]
    public void Conv2D_Valid_Relu()
    {
        // 1 → 32 channels, 3×3, 28×28 → 26×26: 21,632 outputs × 9 multiply-adds = 194,688.
        var flops = ModelFlops.Layer(Layer(new Conv2D(32, 3, ConvPadding.Valid, Activation.Relu), [1, 28, 28], [32, 26, 26]), inputGradient: false);

        flops.Forward.Should().Be(389_376 + 21_632 + 21_632);
        flops.Backward.Should().Be(21_632 + 389_376 + 21_632);
    }

    [Fact]
    public void Conv2D_Same_CountsEveryKernelPositionOverThePadding()
    {
        // 3 → 32 channels, 3×3, 32×32 kept: 32,768 outputs × 27 multiply-adds = 884,736, border positions included.
        var flops = ModelFlops.Layer(Layer(new Conv2D(32, 3, ConvPadding.Same), [3, 32, 32], [32, 32, 32]), inputGradient: true);

        flops.Forward.Should().Be(1_769_472 + 32_768);
        flops.Backward.Should().Be(1_769_472 + 1_769_472 + 32_768);
    }

    [Fact]
    public void MaxPool2D_ThreeComparisonsPerOutput_NoBackwardArithmetic()
    {
        var flops = ModelFlops.Layer(Layer(new MaxPool2D(2), [64, 24, 24], [64, 12, 12]), inputGradient: true);

        flops.Should().Be(new LayerFlops("MaxPool2D", 3 * 9_216, 0));
    }

    [Fact]
    public void Embedding_GathersForward_AddsRowsBackward()
    {
        var flops = ModelFlops.Layer(Layer(new Embedding(20_000, 128), [100], [100, 128]), inputGradient: false);

        flops.Should().Be(new LayerFlops("Embedding", 0, 12_800));
    }

    [Fact]
    public void OneHot_Flatten_AreFree()
    {
        ModelFlops.Layer(Layer(new OneHot(57), [40], [40, 57]), inputGradient: false).Total.Should().Be(0);
        ModelFlops.Layer(Layer(new Flatten(), [64, 12, 12], [9_216]), inputGradient: true).Total.Should().Be(0);
    }

    [Fact]
    public void GlobalAveragePooling1D_OnePerElementEachWay()
    {
        var flops = ModelFlops.Layer(Layer(new GlobalAveragePooling1D(), [400, 50], [50]), inputGradient: true);

        flops.Should().Be(new LayerFlops("GlobalAveragePooling1D", 20_000, 20_000));
    }

    [Fact]
    public void Dropout_AndActivationLayer()
    {
        ModelFlops.Layer(Layer(new Dropout(0.5), [512], [512]), inputGradient: true).Should().Be(new LayerFlops("Dropout", 512, 512));
        ModelFlops.Layer(Layer(new ActivationLayer(Activation.Relu), [32, 32, 32], [32, 32, 32]), inputGradient: true)
            .Should().Be(new LayerFlops("ActivationLayer", 32_768, 32_768));
        ModelFlops.Layer(Layer(new ActivationLayer(Activation.Softmax), [10], [10]), inputGradient: true, activationFusedWithLoss: true)
            .Total.Should().Be(0);
    }

    [Fact]
    public void Lstm_AfterOneHot_SkipsTheInputGradient()
    {
        // u = 128, f = 57, 40 steps. Per step forward: 8·128·185 = 189,440 (four gates' products) + 4·128 bias + 19·128 elementwise.
        // Backward: to h 8·128·128 = 131,072, weights 189,440, bias 512, elementwise 38·128 = 4,864.
        var flops = ModelFlops.Layer(Layer(new Lstm(128), [40, 57], [128]), inputGradient: false);

        flops.Forward.Should().Be(40L * (189_440 + 512 + 2_432));
        flops.Backward.Should().Be(40L * (131_072 + 189_440 + 512 + 4_864));
    }

    [Fact]
    public void Bidirectional_IsTwoLstmsWithInputGradient()
    {
        // Each direction: u = 64, f = 128, 100 steps. Forward per step 8·64·192 = 98,304 + 256 + 1,216.
        // Backward per step: to h 32,768, to the input 8·64·128 = 65,536, weights 98,304, bias 256, elementwise 2,432.
        var flops = ModelFlops.Layer(Layer(new Bidirectional(new Lstm(64)), [100, 128], [128]), inputGradient: true);

        flops.Forward.Should().Be(2 * 100L * (98_304 + 256 + 1_216));
        flops.Backward.Should().Be(2 * 100L * (32_768 + 65_536 + 98_304 + 256 + 2_432));
    }

    [Fact]
    public void Loss_SoftmaxAndSigmoid()
    {
        ModelFlops.Loss(Activation.Softmax, 10).Should().Be(new LayerFlops("softmax + categorical cross-entropy", 42, 20));
        ModelFlops.Loss(Activation.Sigmoid, 1).Should().Be(new LayerFlops("sigmoid + binary cross-entropy", 11, 2));
    }

    [Fact]
    public void OptimizerPerParameter_CountsEachUpdateFormula()
    {
        ModelFlops.OptimizerPerParameter(new RmsPropSpec()).Should().Be(9);
        ModelFlops.OptimizerPerParameter(new AdamSpec()).Should().Be(14);
        ModelFlops.OptimizerPerParameter(new AdadeltaSpec()).Should().Be(16);
    }

    public static TheoryData<string, long> HandCountedSteps => new()
    {
        {
            // batch 128, RMSprop (9 per parameter), 669,706 parameters.
            "mlp_mnist", 128L * (
                (802_816 + 512 + 512) + (512 + 802_816 + 512)          // Dense 784→512 relu, no input gradient
                + 512 + 512                                            // Dropout
                + (524_288 + 512 + 512) + (512 + 524_288 + 524_288 + 512) // Dense 512→512 relu
                + 512 + 512                                            // Dropout
                + (10_240 + 10) + (10_240 + 10_240 + 10)               // Dense 512→10 (softmax with the loss)
                + 42 + 20)                                             // softmax + cross-entropy
            + 9L * 669_706
        },
        {
            // batch 128, Adadelta (16), 1,199,882 parameters.
            "cnn_mnist", 128L * (
                (389_376 + 21_632 + 21_632) + (21_632 + 389_376 + 21_632)                   // Conv 1→32, 26×26, relu
                + (21_233_664 + 36_864 + 36_864) + (36_864 + 21_233_664 + 21_233_664 + 36_864) // Conv 32→64, 24×24: 10,616,832 MACs
                + 27_648                                                                    // MaxPool to 64×12×12
                + 9_216 + 9_216                                                             // Dropout
                + (2_359_296 + 128 + 128) + (128 + 2_359_296 + 2_359_296 + 128)             // Dense 9216→128 relu
                + 128 + 128                                                                 // Dropout
                + (2_560 + 10) + (2_560 + 2_560 + 10)                                       // Dense 128→10
                + 42 + 20)
            + 16L * 1_199_882
        },
        {
            // batch 32, RMSprop (9), 1,250,858 parameters.
            "cnn_cifar10", 32L * (
                (1_769_472 + 32_768) + (1_769_472 + 32_768)                     // Conv 3→32 same, 32×32: 884,736 MACs, no input gradient
                + 32_768 + 32_768                                               // relu
                + (16_588_800 + 28_800) + (16_588_800 + 16_588_800 + 28_800)    // Conv 32→32 valid, 30×30: 8,294,400 MACs
                + 28_800 + 28_800                                               // relu
                + 21_600                                                        // MaxPool to 32×15×15
                + 7_200 + 7_200                                                 // Dropout
                + (8_294_400 + 14_400) + (8_294_400 + 8_294_400 + 14_400)       // Conv 32→64 same, 15×15: 4,147,200 MACs
                + 14_400 + 14_400                                               // relu
                + (12_460_032 + 10_816) + (12_460_032 + 12_460_032 + 10_816)    // Conv 64→64 valid, 13×13: 6,230,016 MACs
                + 10_816 + 10_816                                               // relu
                + 6_912                                                         // MaxPool to 64×6×6
                + 2_304 + 2_304                                                 // Dropout
                + (2_359_296 + 512) + (2_359_296 + 2_359_296 + 512)             // Dense 2304→512
                + 512 + 512                                                     // relu
                + 512 + 512                                                     // Dropout
                + (10_240 + 10) + (10_240 + 10_240 + 10)                        // Dense 512→10 (softmax layer with the loss)
                + 42 + 20)
            + 9L * 1_250_858
        },
        {
            // batch 32, Adam (14), 1,000,051 parameters: the optimizer's dense update outweighs the model.
            "fasttext_imdb", 32L * (
                20_000                              // Embedding 400×50: backward adds into rows
                + 20_000 + 20_000                   // GlobalAveragePooling1D
                + (100 + 1) + (100 + 100 + 1)       // Dense 50→1 (sigmoid with the loss)
                + 11 + 2)                           // sigmoid + binary cross-entropy
            + 14L * 1_000_051
        },
        {
            // batch 32, Adam (14), 2,658,945 parameters.
            "bilstm_imdb", 32L * (
                12_800                                                            // Embedding 100×128
                + 2 * 100L * (98_304 + 256 + 1_216)                               // Bidirectional LSTM 64 forward
                + 2 * 100L * (32_768 + 65_536 + 98_304 + 256 + 2_432)             // and backward, with the input gradient
                + 128 + 128                                                       // Dropout
                + (256 + 1) + (256 + 256 + 1)                                     // Dense 128→1
                + 11 + 2)
            + 14L * 2_658_945
        },
        {
            // batch 128, RMSprop (9), 57 characters: 102,585 parameters.
            "lstm_textgen", 128L * (
                40L * (189_440 + 512 + 2_432) + 40L * (131_072 + 189_440 + 512 + 4_864) // LSTM 128 over one-hot 57, no input gradient
                + (14_592 + 57) + (14_592 + 14_592 + 57)                                  // Dense 128→57
                + (4 * 57 + 2) + 2 * 57)                                                  // softmax + cross-entropy over 57
            + 9L * 102_585
        },
    };

    [Theory]
    [MemberData(nameof(HandCountedSteps))]
    public void Count_EachWorkload_PerStepEqualsTheHandCount(string workload, long expected)
    {
        var spec = WorkloadCatalog.Get(workload);

        ModelFlops.Count(spec, workload == "lstm_textgen" ? 57 : 0).PerStep.Should().Be(expected);
    }

    [Fact]
    public void PerEpoch_LastPartialBatch_CountsItsSamplesAndOneUpdate()
    {
        var flops = ModelFlops.Count(WorkloadCatalog.MlpMnist);

        flops.PerEpoch(samples: 300, steps: 3).Should().Be(300.0 * flops.PerSample + 3.0 * flops.OptimizerPerStep);
    }
}
