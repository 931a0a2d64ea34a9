using PerfTests.Harness.Devices;
using PerfTests.Harness.Workloads;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using KerasActivation = PerfTests.Harness.Workloads.Activation;
using KerasEmbedding = PerfTests.Harness.Workloads.Embedding;
using Dropout = PerfTests.Harness.Workloads.Dropout;
using Flatten = PerfTests.Harness.Workloads.Flatten;

namespace PerfTests.Harness.Backends.TorchSharp;

/// <summary>A workload's model, loss and optimizer in TorchSharp. Each step runs in its own dispose scope; only scalars leave it.</summary>
internal sealed class TorchSharpSession : ITrainingSession
{
    private readonly WorkloadSpec _workload;
    private readonly Device _device;
    private readonly Sequential _model;
    private readonly List<(int Index, LayerSpec Spec, nn.Module Module)> _parameterised = [];
    private readonly optim.Optimizer _optimizer;
    private readonly KerasActivation _outputActivation;
    private readonly long[] _sampleShape;
    private readonly ScalarType _dtype;
    private long _updates;

    private static readonly Lock DefaultGeneratorLock = new();

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
            _model = Build(workload, dimensions, options.DisableDropout);
        }
        _model.to(_device);
        if (options.Float64) _model.to(ScalarType.Float64);
        _optimizer = CreateOptimizer(workload.Optimizer, _model.parameters());
        _sampleShape = workload.Input.Shape.Select(d => (long)d).ToArray();
        ParameterCount = _model.parameters().Sum(p => p.numel());
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

    private Sequential Build(WorkloadSpec workload, ModelDimensions dimensions, bool disableDropout)
    {
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        var resolved = ModelShape.Resolve(workload, dimensions.DataDimension);
        for (int i = 0; i < resolved.Count; i++)
        {
            var (layer, input, output) = (resolved[i].Layer, resolved[i].InputShape, resolved[i].OutputShape);
            bool isLast = i == resolved.Count - 1;
            string name = $"l{i}";
            switch (layer)
            {
                case Dense d:
                    var linear = nn.Linear(input[0], output[0]);
                    InitGlorot(linear.weight!, linear.bias);
                    modules.Add((name, linear));
                    _parameterised.Add((i, layer, linear));
                    if (!isLast) AddActivation(modules, name, d.Activation);
                    break;
                case Conv2D c:
                    var conv = nn.Conv2d(input[0], c.Filters, c.KernelSize, padding: c.Padding == ConvPadding.Same ? (c.KernelSize - 1) / 2 : 0);
                    InitGlorot(conv.weight!, conv.bias);
                    modules.Add((name, conv));
                    _parameterised.Add((i, layer, conv));
                    AddActivation(modules, name, c.Activation);
                    break;
                case ActivationLayer a:
                    if (!isLast) AddActivation(modules, name, a.Activation);
                    break;
                case Dropout dr:
                    if (!disableDropout) modules.Add((name, nn.Dropout(dr.Rate)));
                    break;
                case MaxPool2D p:
                    modules.Add((name, nn.MaxPool2d(p.PoolSize)));
                    break;
                case Flatten:
                    modules.Add((name, nn.Flatten()));
                    break;
                case KerasEmbedding e:
                    var embedding = nn.Embedding(ModelShape.Size(e.InputDim, dimensions.DataDimension, workload.Name), e.OutputDim);
                    using (no_grad()) nn.init.uniform_(embedding.weight!, -0.05, 0.05);
                    modules.Add((name, embedding));
                    _parameterised.Add((i, layer, embedding));
                    break;
                case GlobalAveragePooling1D:
                    modules.Add((name, new GlobalAveragePooling1d()));
                    break;
                case OneHot:
                    modules.Add((name, new OneHotEncoding(output[1], _dtype)));
                    break;
                case Lstm l:
                    modules.Add((name, AddLstm(i, layer, input[1], l.Units, bidirectional: false)));
                    break;
                case Bidirectional b:
                    modules.Add((name, AddLstm(i, layer, input[1], b.Layer.Units, bidirectional: true)));
                    break;
                default:
                    throw new NotSupportedException($"{workload.Name}: torchsharp has no {layer.GetType().Name}.");
            }
        }
        return nn.Sequential(modules.ToArray());
    }

    private LastOutputLstm AddLstm(int index, LayerSpec spec, int features, int units, bool bidirectional)
    {
        var lstm = new LastOutputLstm(features, units, bidirectional);
        using (no_grad())
        {
            foreach (var (name, parameter) in lstm.Inner.named_parameters())
            {
                if (name.StartsWith("weight_ih", StringComparison.Ordinal)) nn.init.xavier_uniform_(parameter);
                else if (name.StartsWith("weight_hh", StringComparison.Ordinal)) nn.init.orthogonal_(parameter);
                else if (name.StartsWith("bias_ih", StringComparison.Ordinal))
                {
                    nn.init.zeros_(parameter);
                    parameter[TensorIndex.Slice(units, 2 * units)].fill_(1.0f); // Keras unit_forget_bias
                }
                else nn.init.zeros_(parameter);
            }
        }
        _parameterised.Add((index, spec, lstm));
        return lstm;
    }

    private static void InitGlorot(Tensor weight, Tensor? bias)
    {
        using var _ = no_grad();
        nn.init.xavier_uniform_(weight);
        if (bias is not null) nn.init.zeros_(bias);
    }

    private static void AddActivation(List<(string, nn.Module<Tensor, Tensor>)> modules, string name, KerasActivation activation)
    {
        nn.Module<Tensor, Tensor>? module = activation switch
        {
            KerasActivation.Linear => null,
            KerasActivation.Relu => nn.ReLU(),
            KerasActivation.Sigmoid => nn.Sigmoid(),
            KerasActivation.Tanh => nn.Tanh(),
            KerasActivation.Softmax => nn.Softmax(1),
            _ => throw new NotSupportedException(activation.ToString()),
        };
        if (module is not null) modules.Add(($"{name}_{activation.ToString().ToLowerInvariant()}", module));
    }

    private static optim.Optimizer CreateOptimizer(OptimizerSpec spec, IEnumerable<Parameter> parameters) => spec switch
    {
        AdamSpec a => optim.Adam(parameters, a.LearningRate, a.Beta1, a.Beta2, a.Epsilon),
        RmsPropSpec r => optim.RMSProp(parameters, r.LearningRate, alpha: r.Rho, eps: r.Epsilon),
        AdadeltaSpec d => optim.Adadelta(parameters, d.LearningRate, rho: d.Rho, eps: d.Epsilon),
        _ => throw new NotSupportedException($"torchsharp has no optimizer for {spec.GetType().Name}."),
    };

    public ModelWeights GetWeights() => Collect(gradients: false);

    public ModelWeights GetGradients() => Collect(gradients: true);

    /// <summary>Parameters or their gradients in the canonical layout. PyTorch's two LSTM biases sum to the canonical bias;
    /// both receive the canonical bias's gradient, so either one's gradient is it.</summary>
    private ModelWeights Collect(bool gradients)
    {
        using var _ = no_grad();
        // Gradient handles, transposes and float32 copies are all temporaries: disposed here, not left to finalizers.
        using var scope = NewDisposeScope();
        Tensor Of(Tensor parameter) => gradients
            ? parameter.grad ?? throw new InvalidOperationException("No gradients yet: GetGradients reads the last TrainStep's.")
            : parameter;
        var tensors = new List<NamedTensor>();
        foreach (var (index, _, module) in _parameterised)
        {
            switch (module)
            {
                case Linear linear:
                    tensors.Add(Export($"{index}.kernel", Of(linear.weight!).t()));
                    tensors.Add(Export($"{index}.bias", Of(linear.bias!)));
                    break;
                case Conv2d conv:
                    tensors.Add(Export($"{index}.kernel", Of(conv.weight!)));
                    tensors.Add(Export($"{index}.bias", Of(conv.bias!)));
                    break;
                case global::TorchSharp.Modules.Embedding embedding:
                    tensors.Add(Export($"{index}.embeddings", Of(embedding.weight!)));
                    break;
                case LastOutputLstm lstm:
                    foreach (var (direction, suffix) in Directions(lstm))
                    {
                        var p = LstmParameters(lstm, suffix);
                        tensors.Add(Export($"{index}.{direction}kernel", Of(p.Ih).t()));
                        tensors.Add(Export($"{index}.{direction}recurrent_kernel", Of(p.Hh).t()));
                        tensors.Add(Export($"{index}.{direction}bias", gradients ? Of(p.BiasIh) : p.BiasIh + p.BiasHh));
                    }
                    break;
            }
        }
        return new ModelWeights(tensors);
    }

    public void SetWeights(ModelWeights weights)
    {
        using var _ = no_grad();
        foreach (var (index, _, module) in _parameterised)
        {
            switch (module)
            {
                case Linear linear:
                    Import(linear.weight!, weights[$"{index}.kernel"], transpose: true);
                    Import(linear.bias!, weights[$"{index}.bias"]);
                    break;
                case Conv2d conv:
                    Import(conv.weight!, weights[$"{index}.kernel"]);
                    Import(conv.bias!, weights[$"{index}.bias"]);
                    break;
                case global::TorchSharp.Modules.Embedding embedding:
                    Import(embedding.weight!, weights[$"{index}.embeddings"]);
                    break;
                case LastOutputLstm lstm:
                    foreach (var (direction, suffix) in Directions(lstm))
                    {
                        var p = LstmParameters(lstm, suffix);
                        Import(p.Ih, weights[$"{index}.{direction}kernel"], transpose: true);
                        Import(p.Hh, weights[$"{index}.{direction}recurrent_kernel"], transpose: true);
                        Import(p.BiasIh, weights[$"{index}.{direction}bias"]);
                        p.BiasHh.zero_();
                    }
                    break;
            }
        }
    }

    private static IEnumerable<(string Direction, string Suffix)> Directions(LastOutputLstm lstm) =>
        lstm.Bidirectional ? [("forward/", "_l0"), ("backward/", "_l0_reverse")] : [("", "_l0")];

    private static (Tensor Ih, Tensor Hh, Tensor BiasIh, Tensor BiasHh) LstmParameters(LastOutputLstm lstm, string suffix)
    {
        var named = lstm.Inner.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        return (named["weight_ih" + suffix], named["weight_hh" + suffix], named["bias_ih" + suffix], named["bias_hh" + suffix]);
    }

    private static NamedTensor Export(string name, Tensor t)
    {
        var cpu = t.detach().cpu().contiguous().to(ScalarType.Float32);
        return new NamedTensor(name, cpu.shape.Select(d => (int)d).ToArray(), cpu.data<float>().ToArray());
    }

    private void Import(Tensor target, NamedTensor source, bool transpose = false)
    {
        var shape = source.Shape.Select(d => (long)d).ToArray();
        using var value = tensor(source.Values, shape);
        using var oriented = transpose ? value.t() : value.alias();
        if (!oriented.shape.SequenceEqual(target.shape))
            throw new ArgumentException($"Weight {source.Name}: shape [{string.Join('×', source.Shape)}] does not fit [{string.Join('×', target.shape)}].");
        target.copy_(oriented.to(_device));
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
    }
}
