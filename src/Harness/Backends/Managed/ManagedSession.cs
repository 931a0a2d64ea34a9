using PerfTests.Harness.Data;
using PerfTests.Harness.Workloads;
using KerasActivation = PerfTests.Harness.Workloads.Activation;

namespace PerfTests.Harness.Backends.Managed;

/// <summary>
/// A workload's model in plain C#: layers with buffers for <see cref="WorkloadSpec.BatchSize"/> samples (grown once if a
/// larger batch arrives), a fused softmax/sigmoid cross-entropy, and a Keras-semantics optimizer. After the first step a
/// TrainStep allocates nothing on the managed heap.
/// </summary>
internal sealed class ManagedSession : ITrainingSession, IAccountsForStepThreads, IGathersBatches
{
    private readonly WorkloadSpec _workload;
    private readonly ModelDimensions _dimensions;
    private readonly SessionOptions _options;
    private readonly WorkerPool _pool;
    private readonly BatchGatherer _gatherer;
    private Model _model;
    private readonly KerasActivation _outputActivation;

    public ManagedSession(WorkloadSpec workload, ModelDimensions dimensions, SessionOptions options)
    {
        _workload = workload;
        _dimensions = dimensions;
        _options = options;
        _outputActivation = ModelShape.OutputActivation(workload);
        _pool = new WorkerPool(options.Threads > 0 ? options.Threads : Environment.ProcessorCount);
        _model = new Model(workload, dimensions, options, _pool, Math.Max(1, workload.BatchSize));
        _gatherer = new BatchGatherer(_pool);
        ParameterCount = _model.Parameters.Sum(p => (long)p.Length);
    }

    public long ParameterCount { get; }

    internal IReadOnlyList<Parameter> Parameters => _model.Parameters;

    internal WorkerPool Pool => _pool;

    /// <summary>What the pool's helper threads allocated while running jobs; the calling thread is worker 0.</summary>
    public long HelperThreadAllocatedBytes => _pool.WorkerAllocatedBytes;

    public float TrainStep(Batch batch)
    {
        EnsureCapacity(batch);
        return _model.TrainStep(batch);
    }

    public void Gather(Batch batch, DataSplit split, ArraySegment<int> indices) => _gatherer.Gather(batch, split, indices);

    public EvaluationResult Evaluate(Batch batch)
    {
        EnsureCapacity(batch);
        var logits = _model.Forward(batch, training: false);
        int n = batch.Count, classes = _model.Outputs;
        double lossSum = 0;
        int correct = 0;
        for (int s = 0; s < n; s++)
        {
            var row = logits.AsSpan(s * classes, classes);
            int label = batch.Labels[s];
            if (_workload.Loss == LossKind.BinaryCrossEntropy)
            {
                lossSum += Loss.BinaryWithLogits(row[0], label);
                if ((row[0] > 0 ? 1 : 0) == label) correct++;
            }
            else
            {
                lossSum += Loss.SoftmaxCrossEntropy(row, label);
                int best = 0;
                for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
                if (best == label) correct++;
            }
        }
        return new EvaluationResult(lossSum, correct, n);
    }

    public float[] Predict(Batch batch)
    {
        EnsureCapacity(batch);
        var logits = _model.Forward(batch, training: false);
        int n = batch.Count, classes = _model.Outputs;
        var result = new float[n * classes];
        for (int s = 0; s < n; s++)
        {
            var row = logits.AsSpan(s * classes, classes);
            var output = result.AsSpan(s * classes, classes);
            if (_outputActivation == KerasActivation.Sigmoid) output[0] = Loss.Sigmoid(row[0]);
            else Loss.Softmax(row, output);
        }
        return result;
    }

    public ModelWeights GetWeights() => ManagedWeights.Values(_model.Parameters);

    public ModelWeights GetGradients() => ManagedWeights.Gradients(_model.Parameters);

    public void SetWeights(ModelWeights weights) => ManagedWeights.Import(_model.Parameters, weights);

    /// <summary>A batch larger than the workload's batch size rebuilds the buffers once (weights and optimizer state kept).</summary>
    private void EnsureCapacity(Batch batch)
    {
        if (batch.Count <= _model.Capacity) return;
        var weights = GetWeights();
        _model = new Model(_workload, _dimensions, _options, _pool, batch.Count, _model.Optimizer);
        SetWeights(weights);
    }

    public void Dispose() => _pool.Dispose();
}

/// <summary>Numerically stable fused losses on logits.</summary>
internal static class Loss
{
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        float max = logits[0];
        for (int i = 1; i < logits.Length; i++) max = Math.Max(max, logits[i]);
        float sum = 0;
        for (int i = 0; i < logits.Length; i++) sum += probabilities[i] = MathF.Exp(logits[i] - max);
        for (int i = 0; i < logits.Length; i++) probabilities[i] /= sum;
    }

    /// <summary>−log softmax(z)[label] = logΣexp(z − max) + max − z[label].</summary>
    public static double SoftmaxCrossEntropy(ReadOnlySpan<float> logits, int label)
    {
        if ((uint)label >= (uint)logits.Length) throw new ArgumentOutOfRangeException(nameof(label), $"Label {label} is not one of {logits.Length} classes.");
        double max = logits[0];
        for (int i = 1; i < logits.Length; i++) max = Math.Max(max, logits[i]);
        double sum = 0;
        for (int i = 0; i < logits.Length; i++) sum += Math.Exp(logits[i] - max);
        return Math.Log(sum) + max - logits[label];
    }

    public static float Sigmoid(float z) => 1f / (1f + MathF.Exp(-z));

    /// <summary>max(z, 0) − z·y + log(1 + e^−|z|).</summary>
    public static double BinaryWithLogits(float z, int label) => Math.Max(z, 0) - z * (double)label + Math.Log(1 + Math.Exp(-Math.Abs(z)));
}
