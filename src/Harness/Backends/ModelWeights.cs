namespace PerfTests.Harness.Backends;

/// <summary>
/// All parameters of a model, one entry per tensor, in layer order, in one canonical layout that
/// every backend converts to and from (so two backends can start from the same weights):
/// Dense: "kernel" [in, out], "bias" [out]. Conv2D: "kernel" [out, in, kh, kw], "bias" [out].
/// Embedding: "embeddings" [vocabulary, dim]. LSTM (Keras layout, gate order i, f, c, o):
/// "kernel" [in, 4u], "recurrent_kernel" [u, 4u], "bias" [4u] (one bias: a backend with two stores
/// it in the first and zeros in the second). Bidirectional: "forward/…" then "backward/…".
/// </summary>
public sealed record ModelWeights(IReadOnlyList<NamedTensor> Tensors)
{
    public NamedTensor this[string name] =>
        Tensors.FirstOrDefault(t => t.Name == name) ?? throw new KeyNotFoundException($"No weight tensor '{name}'. Present: {string.Join(", ", Tensors.Select(t => t.Name))}.");
}

/// <param name="Name">"&lt;layer index&gt;.&lt;kind&gt;", e.g. "0.kernel", "1.forward/recurrent_kernel".</param>
public sealed record NamedTensor(string Name, IReadOnlyList<int> Shape, float[] Values)
{
    public override string ToString() => $"{Name}[{string.Join('×', Shape)}]";
}
