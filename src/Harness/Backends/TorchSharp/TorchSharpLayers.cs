using PerfTests.Harness.Workloads;
using TorchSharp.Modules;
using static TorchSharp.torch;
using KerasActivation = PerfTests.Harness.Workloads.Activation;

namespace PerfTests.Harness.Backends.TorchSharp;

/// <summary>One layer of the workload as TorchSharp modules (named "l&lt;index&gt;", an activation after it "l&lt;index&gt;_relu"),
/// with the bindings of its parameters to the canonical weights.</summary>
internal sealed record TorchSharpLayer(IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Module)> Modules, IReadOnlyList<WeightBinding> Weights);

/// <summary>
/// TorchSharp's layers for <see cref="ModelBuilder"/>. Each constructor draws its default initialisation from libtorch's
/// generator, then the Keras initialisers overwrite it; the builder's layer order is therefore the seed's draw order.
/// </summary>
internal sealed class TorchSharpLayers(ScalarType dtype) : ILayerFactory<TorchSharpLayer>
{
    public TorchSharpLayer Dense(LayerContext at, KernelAndBias weights, KerasActivation activation)
    {
        var linear = nn.Linear(weights.Kernel.Shape[0], weights.Kernel.Shape[1]);
        InitGlorot(linear.weight!, linear.bias);
        return WithActivation(at, linear, activation, [new(weights.Kernel, linear, "weight", Transpose: true), new(weights.Bias, linear, "bias")]);
    }

    public TorchSharpLayer Conv2D(LayerContext at, Conv2D layer, KernelAndBias weights)
    {
        var conv = nn.Conv2d(at.InputShape[0], layer.Filters, layer.KernelSize, padding: layer.Padding == ConvPadding.Same ? (layer.KernelSize - 1) / 2 : 0);
        InitGlorot(conv.weight!, conv.bias);
        return WithActivation(at, conv, layer.Activation, [new(weights.Kernel, conv, "weight"), new(weights.Bias, conv, "bias")]);
    }

    public TorchSharpLayer MaxPool2D(LayerContext at, int poolSize) => Single(at, nn.MaxPool2d(poolSize));

    public TorchSharpLayer Activation(LayerContext at, KerasActivation activation) => new(ActivationModule(at, activation), []);

    public TorchSharpLayer Dropout(LayerContext at, double rate) => Single(at, nn.Dropout(rate));

    public TorchSharpLayer Flatten(LayerContext at) => Single(at, nn.Flatten());

    public TorchSharpLayer Embedding(LayerContext at, WeightSpec embeddings)
    {
        var embedding = nn.Embedding(embeddings.Shape[0], embeddings.Shape[1]);
        using (no_grad()) nn.init.uniform_(embedding.weight!, -0.05, 0.05);
        return Single(at, embedding, [new(embeddings, embedding, "weight")]);
    }

    public TorchSharpLayer GlobalAveragePooling1D(LayerContext at) => Single(at, new GlobalAveragePooling1d());

    public TorchSharpLayer OneHot(LayerContext at, int depth) => Single(at, new OneHotEncoding(depth, dtype));

    /// <summary>PyTorch's LSTM has two biases (bias_ih, bias_hh): the canonical bias is their sum, imported into bias_ih with bias_hh zero.</summary>
    public TorchSharpLayer Lstm(LayerContext at, IReadOnlyList<LstmDirection> directions, bool oneHotInput)
    {
        int units = directions[0].Units;
        var lstm = new LastOutputLstm(directions[0].Features, units, bidirectional: directions.Count == 2);
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
        var bindings = new List<WeightBinding>();
        foreach (var direction in directions)
        {
            string suffix = direction.Reverse ? "_l0_reverse" : "_l0";
            bindings.Add(new(direction.Kernel, lstm.Inner, "weight_ih" + suffix, Transpose: true));
            bindings.Add(new(direction.RecurrentKernel, lstm.Inner, "weight_hh" + suffix, Transpose: true));
            bindings.Add(new(direction.Bias, lstm.Inner, "bias_ih" + suffix, Twin: "bias_hh" + suffix));
        }
        return Single(at, lstm, bindings);
    }

    private static string Name(LayerContext at) => $"l{at.Index}";

    private static TorchSharpLayer Single(LayerContext at, nn.Module<Tensor, Tensor> module, IReadOnlyList<WeightBinding>? weights = null) =>
        new([(Name(at), module)], weights ?? []);

    private static TorchSharpLayer WithActivation(LayerContext at, nn.Module<Tensor, Tensor> module, KerasActivation activation, IReadOnlyList<WeightBinding> weights) =>
        new([(Name(at), module), .. ActivationModule(at, activation)], weights);

    private static IReadOnlyList<(string, nn.Module<Tensor, Tensor>)> ActivationModule(LayerContext at, KerasActivation activation)
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
        return module is null ? [] : [($"{Name(at)}_{activation.ToString().ToLowerInvariant()}", module)];
    }

    private static void InitGlorot(Tensor weight, Tensor? bias)
    {
        using var _ = no_grad();
        nn.init.xavier_uniform_(weight);
        if (bias is not null) nn.init.zeros_(bias);
    }
}

/// <summary>LSTM (batch first) returning the last output; bidirectional concatenates forward-last and backward-last, as Keras does.</summary>
internal sealed class LastOutputLstm : nn.Module<Tensor, Tensor>
{
    private readonly LSTM lstm;

    public LastOutputLstm(long inputSize, long units, bool bidirectional) : base(nameof(LastOutputLstm))
    {
        lstm = nn.LSTM(inputSize, units, batchFirst: true, bidirectional: bidirectional);
        Bidirectional = bidirectional;
        Units = units;
        RegisterComponents();
    }

    public bool Bidirectional { get; }
    public long Units { get; }
    public LSTM Inner => lstm;

    public override Tensor forward(Tensor input)
    {
        var (_, hidden, _) = lstm.forward(input);
        // hidden: [directions, batch, units]; forward's last state first, then backward's.
        return Bidirectional ? cat([hidden[0], hidden[1]], 1) : hidden[0];
    }
}

/// <summary>Mean over the time axis of [batch, time, features].</summary>
internal sealed class GlobalAveragePooling1d() : nn.Module<Tensor, Tensor>(nameof(GlobalAveragePooling1d))
{
    public override Tensor forward(Tensor input) => input.mean([1]);
}

/// <summary>int64 indices [batch, time] → float one-hot [batch, time, depth].</summary>
internal sealed class OneHotEncoding(long depth, ScalarType dtype) : nn.Module<Tensor, Tensor>(nameof(OneHotEncoding))
{
    public override Tensor forward(Tensor input) => nn.functional.one_hot(input, depth).to(dtype);
}
