namespace PerfTests.Harness.Workloads;

public enum Activation { Linear, Relu, Sigmoid, Tanh, Softmax }

public enum ConvPadding { Valid, Same }

/// <summary>One layer of a Keras-style sequential model, in the seed's terms. Backends build these; nothing here runs.</summary>
public abstract record LayerSpec
{
    /// <summary>Marks a size the data decides (the character vocabulary of <c>lstm_textgen</c>).</summary>
    public const int FromData = 0;
}

/// <summary>Fully connected layer; Keras init: Glorot-uniform kernel, zero bias.</summary>
public sealed record Dense(int Units, Activation Activation = Activation.Linear) : LayerSpec;

public sealed record Dropout(double Rate) : LayerSpec;

/// <summary>Square-kernel 2-D convolution, stride 1, channels first; Glorot-uniform kernel, zero bias.</summary>
public sealed record Conv2D(int Filters, int KernelSize, ConvPadding Padding, Activation Activation = Activation.Linear) : LayerSpec;

public sealed record MaxPool2D(int PoolSize) : LayerSpec;

public sealed record Flatten : LayerSpec;

public sealed record ActivationLayer(Activation Activation) : LayerSpec;

/// <summary>Token embedding; Keras init: uniform in [-0.05, 0.05]. <see cref="InputDim"/> may be <see cref="LayerSpec.FromData"/>.</summary>
public sealed record Embedding(int InputDim, int OutputDim) : LayerSpec;

/// <summary>Mean over the time axis (padding positions included, as Keras does without a mask).</summary>
public sealed record GlobalAveragePooling1D : LayerSpec;

/// <summary>
/// LSTM returning its last output only. Keras init: Glorot-uniform input kernel, orthogonal
/// recurrent kernel, zero bias but 1 on the forget gate. Gate activation: the ordinary sigmoid
/// (what cuDNN and PyTorch use), not Keras 2.0's hard sigmoid.
/// </summary>
public sealed record Lstm(int Units) : LayerSpec;

/// <summary>Runs <see cref="Layer"/> forwards and backwards over the sequence and concatenates the two last outputs.</summary>
public sealed record Bidirectional(Lstm Layer) : LayerSpec;

/// <summary>Turns token indices into one-hot vectors of <see cref="Depth"/> (may be <see cref="LayerSpec.FromData"/>).</summary>
public sealed record OneHot(int Depth) : LayerSpec;
