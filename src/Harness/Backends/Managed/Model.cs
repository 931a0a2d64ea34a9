using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Backends.Managed;

/// <summary>The layers of one workload (built by <see cref="ModelBuilder"/>) with buffers for <see cref="Capacity"/> samples, the loss gradient and the optimizer.</summary>
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
        _layers = Fold(ModelBuilder.Build(workload, dimensions.DataDimension, new ManagedLayers(pool, capacity, options.Seed), options.DisableDropout), capacity);
        if (_layers.Length == 0) throw new NotSupportedException($"{workload.Name}: no layer the managed engine computes.");
        Outputs = ModelShape.Resolve(workload, dimensions.DataDimension)[^1].OutputShape[0];
        Parameters = _layers.SelectMany(l => l.Parameters).ToList();
        _outputs = new float[_layers.Length][];
        _dLogits = new float[capacity * Outputs];
        if (optimizer is null) Optimizer = Optimizer.Create(workload.Optimizer, Parameters, pool);
        else
        {
            optimizer.Rebind(Parameters);
            Optimizer = optimizer;
        }
    }

    /// <summary>
    /// Folds a layer into the one before it where that saves a pass over the tensor and computes the same bits: an
    /// Embedding followed by GlobalAveragePooling1D (fasttext) averages as it gathers, and an Activation layer after a
    /// convolution or dense layer with a linear activation (cifar10_cnn) becomes that layer's activation.
    /// </summary>
    private static Layer[] Fold(IReadOnlyList<Layer> layers, int capacity)
    {
        var folded = new List<Layer>(layers.Count);
        foreach (var layer in layers)
        {
            var previous = folded.Count > 0 ? folded[^1] : null;
            if (previous is EmbeddingLayer { AveragesSequence: false } embedding && layer is GlobalAveragePooling1DLayer)
            {
                embedding.AverageSequence(capacity);
                continue;
            }
            if (previous is not null && layer is ActivationOnlyLayer activation && previous.TryFoldActivation(activation.Activation)) continue;
            folded.Add(layer);
        }
        return folded.ToArray();
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
        long started = EngineProfile.Start();
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
        EngineProfile.Stop(EngineWork.Loss, started);
        float[] dy = _dLogits;
        // Layer i's input is layer i−1's output; every layer above the first passes a gradient down.
        for (int i = _layers.Length - 1; i >= 1; i--) dy = _layers[i].Backward(_outputs[i - 1]!, _outputs[i]!, dy, n, needInputGradient: true)!;
        if (_layers[0].TakesTokens) _layers[0].Backward(batch.Tokens!, dy, n);
        else _layers[0].Backward(batch.Features!, _outputs[0]!, dy, n, needInputGradient: false);
        Optimizer.Step();
        return (float)(loss / n);
    }
}
