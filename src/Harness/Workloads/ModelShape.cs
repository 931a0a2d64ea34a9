namespace PerfTests.Harness.Workloads;

/// <summary>A layer with its sizes resolved: what it takes, what it gives, and its Keras parameter count.</summary>
public sealed record ResolvedLayer(LayerSpec Layer, IReadOnlyList<int> InputShape, IReadOnlyList<int> OutputShape, long KerasParameters);

/// <summary>
/// Walks a workload's layers and resolves every shape (per sample, no batch axis) from the input
/// and the data's dimensions. One place decides shapes, so backends and tests agree.
/// </summary>
public static class ModelShape
{
    /// <param name="dataDimension">What <see cref="LayerSpec.FromData"/> stands for: the vocabulary of a character workload.</param>
    public static IReadOnlyList<ResolvedLayer> Resolve(WorkloadSpec workload, int dataDimension = 0)
    {
        var layers = new List<ResolvedLayer>();
        IReadOnlyList<int> shape = workload.Input.Shape;
        foreach (var layer in workload.Layers)
        {
            var (output, parameters) = layer.Accept(new ShapeRule(shape, dataDimension, workload.Name));
            layers.Add(new ResolvedLayer(layer, shape, output, parameters));
            shape = output;
        }
        return layers;
    }

    /// <summary>
    /// The model's last activation, which the backends fuse with the loss: sigmoid for binary cross-entropy,
    /// softmax for categorical. Any other ending is a model the backends cannot build.
    /// </summary>
    public static Activation OutputActivation(WorkloadSpec workload)
    {
        var activation = workload.Layers[^1] switch
        {
            Dense d => d.Activation,
            ActivationLayer a => a.Activation,
            var other => throw new NotSupportedException($"{workload.Name}: the model must end in Dense or Activation, not {other.GetType().Name}."),
        };
        var expected = workload.Loss == LossKind.BinaryCrossEntropy ? Activation.Sigmoid : Activation.Softmax;
        if (activation != expected)
            throw new NotSupportedException($"{workload.Name}: {workload.Loss} needs a final {expected}, found {activation}.");
        return activation;
    }

    public static long KerasParameterCount(WorkloadSpec workload, int dataDimension = 0) =>
        Resolve(workload, dataDimension).Sum(l => l.KerasParameters);

    /// <summary>Resolves <see cref="LayerSpec.FromData"/> sizes in a workload's layers.</summary>
    public static int Size(int declared, int dataDimension, string workload) =>
        declared != LayerSpec.FromData ? declared
        : dataDimension > 0 ? dataDimension
        : throw new InvalidOperationException($"{workload}: a layer takes its size from the data, but no data dimension was given.");
}

/// <summary>One layer's output shape (per sample) and Keras parameter count, from its input shape.</summary>
internal sealed class ShapeRule(IReadOnlyList<int> input, int dataDimension, string workload) : ILayerVisitor<ShapeRule.Result>
{
    public readonly record struct Result(IReadOnlyList<int> Output, long Parameters);

    public Result Visit(Dense layer)
    {
        int units = ModelShape.Size(layer.Units, dataDimension, workload);
        RequireRank(layer, 1);
        return new([units], (long)input[0] * units + units);
    }

    public Result Visit(Dropout layer) => new(input, 0);

    public Result Visit(ActivationLayer layer) => new(input, 0);

    public Result Visit(Conv2D layer)
    {
        RequireRank(layer, 3);
        int shrink = layer.Padding == ConvPadding.Valid ? layer.KernelSize - 1 : 0;
        return new([layer.Filters, input[1] - shrink, input[2] - shrink], (long)layer.KernelSize * layer.KernelSize * input[0] * layer.Filters + layer.Filters);
    }

    public Result Visit(MaxPool2D layer)
    {
        RequireRank(layer, 3);
        return new([input[0], input[1] / layer.PoolSize, input[2] / layer.PoolSize], 0);
    }

    public Result Visit(Flatten layer) => new([input.Aggregate(1, (a, b) => a * b)], 0);

    public Result Visit(Embedding layer)
    {
        RequireRank(layer, 1);
        int vocabulary = ModelShape.Size(layer.InputDim, dataDimension, workload);
        return new([input[0], layer.OutputDim], (long)vocabulary * layer.OutputDim);
    }

    public Result Visit(OneHot layer)
    {
        RequireRank(layer, 1);
        return new([input[0], ModelShape.Size(layer.Depth, dataDimension, workload)], 0);
    }

    public Result Visit(GlobalAveragePooling1D layer)
    {
        RequireRank(layer, 2);
        return new([input[1]], 0);
    }

    public Result Visit(Lstm layer)
    {
        RequireRank(layer, 2);
        return new([layer.Units], LstmParameters(layer, input[1]));
    }

    public Result Visit(Bidirectional layer)
    {
        RequireRank(layer, 2);
        return new([2 * layer.Layer.Units], 2 * LstmParameters(layer.Layer, input[1]));
    }

    /// <summary>Keras: 4 gates × (input kernel + recurrent kernel + one bias).</summary>
    private static long LstmParameters(Lstm layer, int features) => 4L * (layer.Units * (features + layer.Units) + layer.Units);

    private void RequireRank(LayerSpec layer, int rank)
    {
        if (input.Count != rank)
            throw new InvalidOperationException($"{workload}: {layer.GetType().Name} needs rank-{rank} input per sample, got [{string.Join('×', input)}].");
    }
}
