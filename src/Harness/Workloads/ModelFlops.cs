namespace PerfTests.Harness.Workloads;

/// <summary>One layer's arithmetic for one training sample: its forward pass and its backward pass.</summary>
public sealed record LayerFlops(string Layer, long Forward, long Backward)
{
    public long Total => Forward + Backward;
}

/// <summary>
/// The arithmetic of training one workload, counted from <see cref="ModelShape.Resolve"/>. Per sample: every layer's
/// forward and backward pass, and the output activation fused with the loss; per step: the optimizer's update of
/// every parameter, which does not grow with the batch.
/// </summary>
public sealed record StepFlops(IReadOnlyList<LayerFlops> Layers, LayerFlops Loss, long Parameters, long OptimizerPerParameter, int BatchSize)
{
    /// <summary>Forward + backward of one sample, loss included.</summary>
    public long PerSample => Layers.Sum(l => l.Total) + Loss.Total;

    /// <summary>The optimizer's update: <see cref="OptimizerPerParameter"/> × every (Keras) parameter, once per step.</summary>
    public long OptimizerPerStep => Parameters * OptimizerPerParameter;

    /// <summary>One full batch: <see cref="BatchSize"/> samples and one optimizer update.</summary>
    public long PerStep => BatchSize * PerSample + OptimizerPerStep;

    /// <summary>An epoch of <paramref name="samples"/> in <paramref name="steps"/> batches (the last may be partial).</summary>
    public double PerEpoch(int samples, int steps) => (double)samples * PerSample + (double)steps * OptimizerPerStep;
}

/// <summary>
/// The one place that counts a model's FLOPs. Conventions (README, "What each run costs"):
/// <list type="bullet">
/// <item>A multiply-add is 2 FLOPs; every other scalar add, subtract, multiply, divide, maximum, comparison, square root,
/// exp, log or tanh is 1. Copies, gathers, index routing and random numbers are 0.</item>
/// <item>Activations per element, forward / backward (the derivative times the incoming gradient): linear 0 / 0,
/// relu 1 / 1, sigmoid 3 / 3 (exp, add, divide / 1 − s, × s, × g), tanh 1 / 3 (1 − t², × g), softmax 4 / 4.</item>
/// <item>Backward computes weight and bias gradients always, and a layer's input gradient only when a layer before it
/// has parameters (no engine differentiates with respect to the data: the first Dense or Conv2D of a model, and the
/// LSTM after a one-hot input, skip it).</item>
/// <item>Convolutions count every kernel position over the padded input, as im2col and libtorch compute it.</item>
/// <item>Dropout is counted (one multiply by the scaled mask each way); the optimizer update is counted separately, per
/// parameter and step (<see cref="OptimizerPerParameter"/>): it is small for dense models but dominates fasttext_imdb.</item>
/// </list>
/// </summary>
public static class ModelFlops
{
    public static StepFlops Count(WorkloadSpec workload, int dataDimension = 0)
    {
        var resolved = ModelShape.Resolve(workload, dataDimension);
        var fused = ModelShape.OutputActivation(workload);
        var layers = new List<LayerFlops>(resolved.Count);
        bool parametersBefore = false;
        for (int i = 0; i < resolved.Count; i++)
        {
            // The model's last layer (Dense or Activation) ends in the output activation, which is counted with the loss.
            layers.Add(Layer(resolved[i], inputGradient: parametersBefore, activationFusedWithLoss: i == resolved.Count - 1));
            parametersBefore |= resolved[i].KerasParameters > 0;
        }
        int outputs = resolved[^1].OutputShape.Aggregate(1, (a, b) => a * b);
        return new StepFlops(layers, Loss(fused, outputs), resolved.Sum(l => l.KerasParameters), OptimizerPerParameter(workload.Optimizer), workload.BatchSize);
    }

    /// <summary>One layer, one sample.</summary>
    /// <param name="inputGradient">Whether backward must compute the gradient with respect to the layer's input.</param>
    /// <param name="activationFusedWithLoss">The layer's activation is the model's output activation, counted in <see cref="Loss"/>.</param>
    public static LayerFlops Layer(ResolvedLayer layer, bool inputGradient, bool activationFusedWithLoss = false) =>
        layer.Layer.Accept(new LayerCount(layer, inputGradient, activationFusedWithLoss));

    /// <summary>One layer's formula, by kind; <see cref="Layer"/> says what each argument means.</summary>
    private sealed class LayerCount(ResolvedLayer at, bool inputGradient, bool activationFusedWithLoss) : ILayerVisitor<LayerFlops>
    {
        private readonly long _inputSize = at.InputShape.Aggregate(1L, (a, b) => a * b);
        private readonly long _outputSize = at.OutputShape.Aggregate(1L, (a, b) => a * b);
        private readonly string _name = at.Layer.GetType().Name;

        private Activation Effective(Activation a) => activationFusedWithLoss ? Activation.Linear : a;

        /// <summary>A multiply-accumulate layer (Dense, Conv2D): products, bias and activation each way.</summary>
        private LayerFlops Affine(long macs, Activation activation) => new(_name,
            2 * macs + _outputSize + ActivationForward(Effective(activation), _outputSize),
            ActivationBackward(Effective(activation), _outputSize) + (inputGradient ? 2 * macs : 0) + 2 * macs + _outputSize);

        public LayerFlops Visit(Dense layer) => Affine(at.InputShape[0] * _outputSize, layer.Activation);

        public LayerFlops Visit(Conv2D layer) => Affine((long)layer.KernelSize * layer.KernelSize * at.InputShape[0] * _outputSize, layer.Activation);

        // p² − 1 comparisons per output; backward routes each gradient to its maximum (no arithmetic).
        public LayerFlops Visit(MaxPool2D layer) => new(_name, ((long)layer.PoolSize * layer.PoolSize - 1) * _outputSize, 0);

        public LayerFlops Visit(Dropout layer) => new(_name, _inputSize, _inputSize);

        public LayerFlops Visit(ActivationLayer layer) =>
            new(_name, ActivationForward(Effective(layer.Activation), _outputSize), ActivationBackward(Effective(layer.Activation), _outputSize));

        public LayerFlops Visit(Flatten layer) => new(_name, 0, 0);

        public LayerFlops Visit(OneHot layer) => new(_name, 0, 0);

        // Forward gathers rows; backward adds each position's gradient into its row.
        public LayerFlops Visit(Embedding layer) => new(_name, 0, _outputSize);

        // T − 1 adds and one divide per feature; backward hands every position gradient / T.
        public LayerFlops Visit(GlobalAveragePooling1D layer) => new(_name, _inputSize, _inputSize);

        public LayerFlops Visit(Lstm layer)
        {
            var (forward, backward) = LstmFlops(layer.Units, at.InputShape[1], at.InputShape[0], inputGradient);
            return new(_name, forward, backward);
        }

        public LayerFlops Visit(Bidirectional layer)
        {
            var (forward, backward) = LstmFlops(layer.Layer.Units, at.InputShape[1], at.InputShape[0], inputGradient);
            return new(_name, 2 * forward, 2 * backward);
        }
    }

    /// <summary>
    /// One LSTM direction over <paramref name="steps"/> steps. Per step, forward: the four gates' matrix products
    /// 2·4u(f + u), their bias 4u, and 19u elementwise (three sigmoids 9u, the candidate's tanh u, c = f·c + i·g 3u,
    /// h = o·tanh(c) 2u). Backward: the gradient to the previous output 2·4u·u, to the input 2·4u·f (when needed), the
    /// weight gradients 2·4u(f + u), the bias gradient 4u, and twice the forward's elementwise work, 38u.
    /// </summary>
    public static (long Forward, long Backward) LstmFlops(int units, int features, int steps, bool inputGradient)
    {
        long u = units, f = features;
        long forward = 8 * u * (f + u) + 4 * u + 19 * u;
        long backward = 8 * u * u + (inputGradient ? 8 * u * f : 0) + 8 * u * (f + u) + 4 * u + 38 * u;
        return (steps * forward, steps * backward);
    }

    /// <summary>
    /// The output activation fused with the loss, per sample over <paramref name="outputs"/> units. Softmax with categorical
    /// cross-entropy: softmax 4k, −log of the true class 1, its share of the batch mean 1; backward (p − y) / N, 2k.
    /// Sigmoid with binary cross-entropy: sigmoid 3k, −[y·log p + (1 − y)·log(1 − p)] 7k, batch mean 1; backward 2k.
    /// </summary>
    public static LayerFlops Loss(Activation outputActivation, int outputs) => outputActivation switch
    {
        Activation.Softmax => new LayerFlops("softmax + categorical cross-entropy", 4L * outputs + 2, 2L * outputs),
        Activation.Sigmoid => new LayerFlops("sigmoid + binary cross-entropy", 10L * outputs + 1, 2L * outputs),
        _ => throw new NotSupportedException($"No loss is fused with a {outputActivation} output."),
    };

    /// <summary>
    /// FLOPs of one parameter's update. RMSprop 9: v = ρv + (1 − ρ)g² (4), w −= lr·g / (√v + ε) (5). Adam 14:
    /// m = β₁m + (1 − β₁)g (3), v = β₂v + (1 − β₂)g² (4), w −= lr·m̂ / (√v̂ + ε) with m̂, v̂ bias-corrected (7).
    /// Adadelta 16: the squared-gradient average (4), u = √(d + ε) / √(a + ε)·g (6), the squared-update average (4),
    /// w −= lr·u (2). Per-step scalars (the decayed learning rate, bias-correction factors) are not counted.
    /// </summary>
    public static long OptimizerPerParameter(OptimizerSpec optimizer) => optimizer switch
    {
        RmsPropSpec => 9,
        AdamSpec => 14,
        AdadeltaSpec => 16,
        _ => throw new NotSupportedException($"No FLOP count for {optimizer.GetType().Name}."),
    };

    public static long ActivationForward(Activation activation, long elements) => activation switch
    {
        Activation.Linear => 0,
        Activation.Relu => elements,
        Activation.Sigmoid => 3 * elements,
        Activation.Tanh => elements,
        Activation.Softmax => 4 * elements,
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    public static long ActivationBackward(Activation activation, long elements) => activation switch
    {
        Activation.Linear => 0,
        Activation.Relu => elements,
        Activation.Sigmoid => 3 * elements,
        Activation.Tanh => 3 * elements,
        Activation.Softmax => 4 * elements,
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };
}
