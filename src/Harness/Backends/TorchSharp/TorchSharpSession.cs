using PerfTests.Harness.Devices;
using PerfTests.Harness.Workloads;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using KerasActivation = PerfTests.Harness.Workloads.Activation;

namespace PerfTests.Harness.Backends.TorchSharp;

/// <summary>A workload's model, loss and optimizer in TorchSharp. Each step runs in its own dispose scope; only scalars leave it.</summary>
internal sealed class TorchSharpSession : ITrainingSession, IAccountsForStepThreads
{
    private readonly WorkloadSpec _workload;
    private readonly Device _device;
    private readonly Sequential _model;
    private readonly IReadOnlyList<WeightBinding> _weights;
    private readonly optim.Optimizer _optimizer;
    private readonly KerasActivation _outputActivation;
    private readonly long[] _sampleShape;
    private readonly ScalarType _dtype;
    private long _updates;

    private static readonly Lock DefaultGeneratorLock = new();

    /// <summary>
    /// TorchSharp makes its managed objects on the calling thread; libtorch's own threads are native and allocate nothing on
    /// the managed heap.
    /// </summary>
    public long HelperThreadAllocatedBytes => 0;

    public TorchSharpSession(WorkloadSpec workload, ModelDimensions dimensions, ComputeDevice device, SessionOptions options)
    {
        _workload = workload;
        _device = device.Kind == DeviceKind.Cpu ? CPU : new Device(DeviceType.CUDA, device.Index);
        if (options.Threads > 0) set_num_threads(options.Threads);
        _outputActivation = ModelShape.OutputActivation(workload);
        _dtype = options.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        // Layer constructors draw their initial weights from libtorch's one process-wide generator. Seeding and
        // building under one lock keeps a seed's weights the same when another session is built at the same time.
        lock (DefaultGeneratorLock)
        {
            manual_seed(options.Seed);
            if (device.Kind == DeviceKind.Cuda) cuda.manual_seed(options.Seed);
            var layers = ModelBuilder.Build(workload, dimensions.DataDimension, new TorchSharpLayers(_dtype), options.DisableDropout);
            _model = nn.Sequential(layers.SelectMany(l => l.Modules).ToArray());
            _weights = layers.SelectMany(l => l.Weights).ToList();
        }
        TorchSharpWeights.CheckShapes(_weights);
        _model.to(_device);
        if (options.Float64) _model.to(ScalarType.Float64);
        _optimizer = TorchSharpOptimizers.Create(workload.Optimizer, _model.parameters());
        _sampleShape = workload.Input.Shape.Select(d => (long)d).ToArray();
        using (NewDisposeScope()) ParameterCount = _model.parameters().Sum(p => p.numel());
    }

    public long ParameterCount { get; }

    public float TrainStep(Batch batch)
    {
        using var scope = NewDisposeScope();
        _model.train();
        if (_workload.Optimizer.Decay != 0)
        {
            foreach (var group in _optimizer.ParamGroups) group.LearningRate = _workload.Optimizer.LearningRateAt(_updates);
        }
        _optimizer.zero_grad();
        var output = _model.forward(Inputs(batch));
        var loss = Loss(output, batch, nn.Reduction.Mean);
        loss.backward();
        _optimizer.step();
        _updates++;
        return (float)loss.to(ScalarType.Float64).item<double>();
    }

    public EvaluationResult Evaluate(Batch batch)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        _model.eval();
        var output = _model.forward(Inputs(batch));
        double lossSum = Loss(output, batch, nn.Reduction.Sum).to(ScalarType.Float64).item<double>();
        var predicted = _workload.Loss == LossKind.BinaryCrossEntropy ? output.gt(0).squeeze(1).to(ScalarType.Int64) : output.argmax(1);
        int correct = (int)predicted.eq(Labels(batch)).sum().item<long>();
        return new EvaluationResult(lossSum, correct, batch.Count);
    }

    public float[] Predict(Batch batch)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        _model.eval();
        var output = _model.forward(Inputs(batch));
        var probabilities = _outputActivation == KerasActivation.Sigmoid ? output.sigmoid() : output.softmax(1);
        return probabilities.cpu().to(ScalarType.Float32).data<float>().ToArray();
    }

    private Tensor Inputs(Batch batch)
    {
        var shape = new long[_sampleShape.Length + 1];
        shape[0] = batch.Count;
        _sampleShape.CopyTo(shape, 1);
        int length = batch.Count * batch.SampleSize;
        var input = batch.Features is { } features
            ? tensor(features.AsMemory(0, length), shape).to(_dtype)
            : tensor(batch.Tokens!.AsMemory(0, length), shape).to(ScalarType.Int64);
        return input.to(_device);
    }

    private Tensor Labels(Batch batch) => tensor(batch.Labels.AsMemory(0, batch.Count), [batch.Count]).to(ScalarType.Int64).to(_device);

    /// <summary>The final softmax/sigmoid is fused into the loss (log-sum-exp forms), so the model outputs logits.</summary>
    private Tensor Loss(Tensor logits, Batch batch, nn.Reduction reduction) => _workload.Loss switch
    {
        LossKind.CategoricalCrossEntropy => nn.functional.cross_entropy(logits, Labels(batch), reduction: reduction),
        LossKind.BinaryCrossEntropy => nn.functional.binary_cross_entropy_with_logits(
            logits, Labels(batch).to(_dtype).unsqueeze(1), reduction: reduction),
        _ => throw new NotSupportedException(_workload.Loss.ToString()),
    };

    public ModelWeights GetWeights() => TorchSharpWeights.Export(_weights, gradients: false);

    public ModelWeights GetGradients() => TorchSharpWeights.Export(_weights, gradients: true);

    public void SetWeights(ModelWeights weights) => TorchSharpWeights.Import(_weights, weights);

    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
    }
}
