using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Backends;

/// <summary>
/// All parameters of a model, one entry per tensor, in layer order, in the canonical layout of <see cref="CanonicalWeights"/>
/// that every backend converts to and from (so two backends can start from the same weights).
/// </summary>
public sealed record ModelWeights(IReadOnlyList<NamedTensor> Tensors)
{
    public NamedTensor this[string name] =>
        Tensors.FirstOrDefault(t => t.Name == name) ?? throw new KeyNotFoundException($"No weight tensor '{name}'. Present: {string.Join(", ", Tensors.Select(t => t.Name))}.");

    /// <summary>
    /// The canonical names and shapes of a workload's parameters, in layer order: the model walk of <see cref="ModelBuilder"/>
    /// with a factory that only records what each layer is given (<see cref="CanonicalWeights"/> decides names and shapes).
    /// </summary>
    public static IReadOnlyList<WeightSpec> Layout(WorkloadSpec workload, int dataDimension) =>
        ModelBuilder.Build(workload, dataDimension, new LayoutRecorder()).SelectMany(weights => weights).ToList();

    private sealed class LayoutRecorder : ILayerFactory<IReadOnlyList<WeightSpec>>
    {
        private static readonly IReadOnlyList<WeightSpec> None = [];

        public IReadOnlyList<WeightSpec> Dense(LayerContext at, KernelAndBias weights, Activation activation) => weights.All;
        public IReadOnlyList<WeightSpec> Conv2D(LayerContext at, Conv2D layer, KernelAndBias weights) => weights.All;
        public IReadOnlyList<WeightSpec> Embedding(LayerContext at, WeightSpec embeddings) => [embeddings];
        public IReadOnlyList<WeightSpec> Lstm(LayerContext at, IReadOnlyList<LstmDirection> directions, bool oneHotInput) =>
            directions.SelectMany(d => d.All).ToList();
        public IReadOnlyList<WeightSpec> MaxPool2D(LayerContext at, int poolSize) => None;
        public IReadOnlyList<WeightSpec> Activation(LayerContext at, Activation activation) => None;
        public IReadOnlyList<WeightSpec> Dropout(LayerContext at, double rate) => None;
        public IReadOnlyList<WeightSpec>? Flatten(LayerContext at) => null;
        public IReadOnlyList<WeightSpec> GlobalAveragePooling1D(LayerContext at) => None;
        public IReadOnlyList<WeightSpec>? OneHot(LayerContext at, int depth) => null;
    }
}

/// <summary>One parameter tensor of the canonical layout.</summary>
/// <param name="Name">"&lt;layer index&gt;.&lt;kind&gt;", e.g. "0.kernel", "1.forward/recurrent_kernel".</param>
public sealed record WeightSpec(string Name, IReadOnlyList<int> Shape)
{
    public int Length => Shape.Aggregate(1, (a, b) => a * b);

    public override string ToString() => $"{Name}[{string.Join('×', Shape)}]";
}

/// <summary>The parameters of a Dense or Conv2D layer.</summary>
public sealed record KernelAndBias(WeightSpec Kernel, WeightSpec Bias)
{
    public IReadOnlyList<WeightSpec> All => [Kernel, Bias];
}

/// <summary>One direction of an LSTM, Keras layout, gate order i, f, c, o. <see cref="Reverse"/>: reads the sequence backwards.</summary>
public sealed record LstmDirection(WeightSpec Kernel, WeightSpec RecurrentKernel, WeightSpec Bias, bool Reverse)
{
    public int Features => Kernel.Shape[0];
    public int Units => RecurrentKernel.Shape[0];
    public IReadOnlyList<WeightSpec> All => [Kernel, RecurrentKernel, Bias];
}

/// <summary>
/// The canonical weight layout, written once; every backend converts to and from it. Dense: "kernel" [in, out], "bias" [out].
/// Conv2D: "kernel" [out, in, kh, kw], "bias" [out]. Embedding: "embeddings" [vocabulary, dim]. LSTM (Keras layout, gate
/// order i, f, c, o): "kernel" [in, 4u], "recurrent_kernel" [u, 4u], "bias" [4u] (one bias: a backend with two stores it in
/// the first and zeros in the second). Bidirectional: "forward/…" then "backward/…". A LSTM after OneHot takes the one-hot
/// depth as its input size. Names start with the layer's index in the workload.
/// </summary>
public static class CanonicalWeights
{
    public static KernelAndBias KernelAndBias(int index, int[] kernelShape, int outputs) =>
        new(new WeightSpec($"{index}.kernel", kernelShape), new WeightSpec($"{index}.bias", [outputs]));

    public static WeightSpec Embeddings(int index, int vocabulary, int dimension) => new($"{index}.embeddings", [vocabulary, dimension]);

    public static IReadOnlyList<LstmDirection> Lstm(int index, int features, int units, bool bidirectional) => bidirectional
        ? [Direction($"{index}.forward/", features, units, reverse: false), Direction($"{index}.backward/", features, units, reverse: true)]
        : [Direction($"{index}.", features, units, reverse: false)];

    private static LstmDirection Direction(string prefix, int features, int units, bool reverse) => new(
        new WeightSpec(prefix + "kernel", [features, 4 * units]),
        new WeightSpec(prefix + "recurrent_kernel", [units, 4 * units]),
        new WeightSpec(prefix + "bias", [4 * units]),
        reverse);
}

/// <param name="Name">"&lt;layer index&gt;.&lt;kind&gt;", e.g. "0.kernel", "1.forward/recurrent_kernel".</param>
public sealed record NamedTensor(string Name, IReadOnlyList<int> Shape, float[] Values)
{
    public override string ToString() => $"{Name}[{string.Join('×', Shape)}]";
}
