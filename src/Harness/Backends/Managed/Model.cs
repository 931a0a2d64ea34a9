using PerfTests.Harness.Workloads;
using KerasDropout = PerfTests.Harness.Workloads.Dropout;
using KerasEmbedding = PerfTests.Harness.Workloads.Embedding;

namespace PerfTests.Harness.Backends.Managed;

/// <summary>The layers of one workload with buffers for <see cref="Capacity"/> samples, the loss gradient and the optimizer.</summary>
internal sealed class Model
{
    private readonly WorkloadSpec _workload;
    private readonly Layer[] _layers;
    private readonly float[]?[] _outputs;
    private readonly float[] _dLogits;

    public Model(WorkloadSpec workload, ModelDimensions dimensions, SessionOptions options, WorkerPool pool, int capacity,
        Optimizer? optimizer = null)
    {
        _workload = workload;
        Capacity = capacity;
        var rng = new Rng(options.Seed);
        var resolved = ModelShape.Resolve(workload, dimensions.DataDimension);
        var layers = new List<Layer>();
        for (int i = 0; i < resolved.Count; i++)
        {
            var (layer, input, output) = (resolved[i].Layer, resolved[i].InputShape, resolved[i].OutputShape);
            bool isLast = i == resolved.Count - 1;
            int outSize = output.Aggregate(1, (a, b) => a * b);
            switch (layer)
            {
                case Dense d:
                    layers.Add(new DenseLayer(pool, i, input[0], output[0], isLast ? Activation.Linear : d.Activation, capacity, rng));
                    break;
                case Conv2D c:
                    layers.Add(new Conv2DLayer(pool, i, input, c, capacity, rng));
                    break;
                case ActivationLayer a:
                    if (!isLast) layers.Add(new ActivationOnlyLayer(a.Activation, outSize, capacity));
                    break;
                case KerasDropout dr:
                    if (!options.DisableDropout && dr.Rate > 0) layers.Add(new DropoutLayer(dr.Rate, outSize, capacity, new Rng(options.Seed * 7919 + i)));
                    break;
                case MaxPool2D p:
                    layers.Add(new MaxPool2DLayer(pool, input, p.PoolSize, capacity));
                    break;
                case Flatten:
                    break;
                case KerasEmbedding e:
                    if (i != 0) throw new NotSupportedException($"{workload.Name}: managed supports Embedding as the first layer only.");
                    layers.Add(new EmbeddingLayer(i, ModelShape.Size(e.InputDim, dimensions.DataDimension, workload.Name), e.OutputDim, input[0], capacity, rng));
                    break;
                case GlobalAveragePooling1D:
                    layers.Add(new GlobalAveragePooling1DLayer(input[0], input[1], capacity));
                    break;
                case OneHot:
                    // Folded into the next layer, which must be an LSTM: x·W becomes a gather of kernel rows.
                    if (i != 0 || i + 1 >= resolved.Count || resolved[i + 1].Layer is not (Lstm or Bidirectional))
                        throw new NotSupportedException($"{workload.Name}: managed supports OneHot only as the first layer, directly before an LSTM.");
                    break;
                case Lstm l:
                    layers.Add(new LstmLayer(pool, i, input[0], input[1], l.Units, bidirectional: false, oneHot: i > 0 && resolved[i - 1].Layer is OneHot, capacity, rng));
                    break;
                case Bidirectional b:
                    layers.Add(new LstmLayer(pool, i, input[0], input[1], b.Layer.Units, bidirectional: true, oneHot: i > 0 && resolved[i - 1].Layer is OneHot, capacity, rng));
                    break;
                default:
                    throw new NotSupportedException($"{workload.Name}: managed has no {layer.GetType().Name} layer.");
            }
        }
        _layers = layers.ToArray();
        if (_layers.Length == 0) throw new NotSupportedException($"{workload.Name}: no layers.");
        if ((workload.Input.Kind == InputKind.Tokens) != _layers[0].TakesTokens)
            throw new NotSupportedException($"{workload.Name}: {workload.Input.Kind} input needs a first layer that takes {(workload.Input.Kind == InputKind.Tokens ? "tokens (Embedding, or OneHot before an LSTM)" : "features")}.");
        Outputs = resolved[^1].OutputShape[0];
        Parameters = _layers.SelectMany(l => l.Parameters).ToList();
        _outputs = new float[_layers.Length][];
        _dLogits = new float[capacity * Outputs];
        if (optimizer is null) Optimizer = Optimizer.Create(workload.Optimizer, Parameters);
        else
        {
            optimizer.Rebind(Parameters);
            Optimizer = optimizer;
        }
    }

    public int Capacity { get; }
    public int Outputs { get; }
    public IReadOnlyList<Parameter> Parameters { get; }
    public Optimizer Optimizer { get; }

    /// <summary>Logits (n × outputs) of the batch; the buffer is reused by the next call.</summary>
    public float[] Forward(Batch batch, bool training)
    {
        int n = batch.Count;
        float[] x = _layers[0].TakesTokens ? _layers[0].Forward(batch.Tokens!, n, training) : _layers[0].Forward(batch.Features!, n, training);
        _outputs[0] = x;
        for (int i = 1; i < _layers.Length; i++)
        {
            x = _layers[i].Forward(x, n, training);
            _outputs[i] = x;
        }
        return x;
    }

    public float TrainStep(Batch batch)
    {
        int n = batch.Count;
        if (n == 0) throw new ArgumentException("Empty batch.", nameof(batch));
        var logits = Forward(batch, training: true);
        double loss = 0;
        float inverse = 1f / n;
        int classes = Outputs;
        for (int s = 0; s < n; s++)
        {
            var row = logits.AsSpan(s * classes, classes);
            var grad = _dLogits.AsSpan(s * classes, classes);
            int label = batch.Labels[s];
            if (_workload.Loss == LossKind.BinaryCrossEntropy)
            {
                loss += Loss.BinaryWithLogits(row[0], label);
                grad[0] = (Loss.Sigmoid(row[0]) - label) * inverse;
            }
            else
            {
                loss += Loss.SoftmaxCrossEntropy(row, label);
                Loss.Softmax(row, grad);
                grad[label] -= 1f;
                for (int c = 0; c < classes; c++) grad[c] *= inverse;
            }
        }
        float[] dy = _dLogits;
        // Layer i's input is layer i−1's output; every layer above the first passes a gradient down.
        for (int i = _layers.Length - 1; i >= 1; i--) dy = _layers[i].Backward(_outputs[i - 1]!, _outputs[i]!, dy, n, needInputGradient: true)!;
        if (_layers[0].TakesTokens) _layers[0].Backward(batch.Tokens!, dy, n);
        else _layers[0].Backward(batch.Features!, _outputs[0]!, dy, n, needInputGradient: false);
        Optimizer.Step();
        return (float)(loss / n);
    }
}
