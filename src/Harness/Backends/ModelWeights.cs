using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Backends;

/// <summary>
/// All parameters of a model, one entry per tensor, in layer order, in one canonical layout that
/// every backend converts to and from (so two backends can start from the same weights). <see cref="Layout"/>
/// is that layout, written once.
/// </summary>
public sealed record ModelWeights(IReadOnlyList<NamedTensor> Tensors)
{
    public NamedTensor this[string name] =>
        Tensors.FirstOrDefault(t => t.Name == name) ?? throw new KeyNotFoundException($"No weight tensor '{name}'. Present: {string.Join(", ", Tensors.Select(t => t.Name))}.");

    /// <summary>
    /// The canonical names and shapes of a workload's parameters. Dense: "kernel" [in, out], "bias" [out].
    /// Conv2D: "kernel" [out, in, kh, kw], "bias" [out]. Embedding: "embeddings" [vocabulary, dim]. LSTM (Keras layout,
    /// gate order i, f, c, o): "kernel" [in, 4u], "recurrent_kernel" [u, 4u], "bias" [4u] (one bias: a backend with two
    /// stores it in the first and zeros in the second). Bidirectional: "forward/…" then "backward/…". A LSTM after
    /// OneHot takes the one-hot depth as its input size.
    /// </summary>
    public static IReadOnlyList<(string Name, int[] Shape)> Layout(WorkloadSpec workload, int dataDimension)
    {
        var layout = new List<(string, int[])>();
        var resolved = ModelShape.Resolve(workload, dataDimension);
        for (int i = 0; i < resolved.Count; i++)
        {
            var (layer, input, output) = (resolved[i].Layer, resolved[i].InputShape, resolved[i].OutputShape);
            switch (layer)
            {
                case Dense:
                    layout.Add(($"{i}.kernel", [input[0], output[0]]));
                    layout.Add(($"{i}.bias", [output[0]]));
                    break;
                case Conv2D c:
                    layout.Add(($"{i}.kernel", [c.Filters, input[0], c.KernelSize, c.KernelSize]));
                    layout.Add(($"{i}.bias", [c.Filters]));
                    break;
                case Embedding e:
                    layout.Add(($"{i}.embeddings", [ModelShape.Size(e.InputDim, dataDimension, workload.Name), e.OutputDim]));
                    break;
                case Lstm l:
                    AddLstm(layout, $"{i}.", input[1], l.Units);
                    break;
                case Bidirectional b:
                    AddLstm(layout, $"{i}.forward/", input[1], b.Layer.Units);
                    AddLstm(layout, $"{i}.backward/", input[1], b.Layer.Units);
                    break;
            }
        }
        return layout;
    }

    private static void AddLstm(List<(string, int[])> layout, string prefix, int features, int units)
    {
        layout.Add(($"{prefix}kernel", [features, 4 * units]));
        layout.Add(($"{prefix}recurrent_kernel", [units, 4 * units]));
        layout.Add(($"{prefix}bias", [4 * units]));
    }
}

/// <param name="Name">"&lt;layer index&gt;.&lt;kind&gt;", e.g. "0.kernel", "1.forward/recurrent_kernel".</param>
public sealed record NamedTensor(string Name, IReadOnlyList<int> Shape, float[] Values)
{
    public override string ToString() => $"{Name}[{string.Join('×', Shape)}]";
}
