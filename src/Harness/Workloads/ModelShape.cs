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
            var (output, parameters) = Apply(layer, shape, dataDimension, workload.Name);
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

    private static (IReadOnlyList<int> Output, long Parameters) Apply(LayerSpec layer, IReadOnlyList<int> input, int dataDimension, string workload)
    {
        switch (layer)
        {
            case Dense d:
            {
                int units = Size(d.Units, dataDimension, workload);
                RequireRank(layer, input, 1, workload);
                return ([units], (long)input[0] * units + units);
            }
            case Dropout or ActivationLayer:
                return (input, 0);
            case Conv2D c:
            {
                RequireRank(layer, input, 3, workload);
                int shrink = c.Padding == ConvPadding.Valid ? c.KernelSize - 1 : 0;
                return ([c.Filters, input[1] - shrink, input[2] - shrink], (long)c.KernelSize * c.KernelSize * input[0] * c.Filters + c.Filters);
            }
            case MaxPool2D p:
                RequireRank(layer, input, 3, workload);
                return ([input[0], input[1] / p.PoolSize, input[2] / p.PoolSize], 0);
            case Flatten:
                return ([input.Aggregate(1, (a, b) => a * b)], 0);
            case Embedding e:
            {
                RequireRank(layer, input, 1, workload);
                int vocabulary = Size(e.InputDim, dataDimension, workload);
                return ([input[0], e.OutputDim], (long)vocabulary * e.OutputDim);
            }
            case OneHot o:
                RequireRank(layer, input, 1, workload);
                return ([input[0], Size(o.Depth, dataDimension, workload)], 0);
            case GlobalAveragePooling1D:
                RequireRank(layer, input, 2, workload);
                return ([input[1]], 0);
            case Lstm l:
                RequireRank(layer, input, 2, workload);
                return ([l.Units], LstmParameters(l, input[1]));
            case Bidirectional b:
                RequireRank(layer, input, 2, workload);
                return ([2 * b.Layer.Units], 2 * LstmParameters(b.Layer, input[1]));
            default:
                throw new NotSupportedException($"{workload}: no shape rule for {layer.GetType().Name}.");
        }
    }

    /// <summary>Keras: 4 gates × (input kernel + recurrent kernel + one bias).</summary>
    private static long LstmParameters(Lstm layer, int features) => 4L * (layer.Units * (features + layer.Units) + layer.Units);

    private static void RequireRank(LayerSpec layer, IReadOnlyList<int> input, int rank, string workload)
    {
        if (input.Count != rank)
            throw new InvalidOperationException($"{workload}: {layer.GetType().Name} needs rank-{rank} input per sample, got [{string.Join('×', input)}].");
    }
}
