using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PerfTests.Harness.Backends.TorchSharp;

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
