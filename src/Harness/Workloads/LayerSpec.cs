namespace PerfTests.Harness.Workloads;

public enum Activation { Linear, Relu, Sigmoid, Tanh, Softmax }

public enum ConvPadding { Valid, Same }

/// <summary>One layer of a Keras-style sequential model, in the seed's terms. Backends build these; nothing here runs.</summary>
public abstract record LayerSpec
{
    /// <summary>Marks a size the data decides (the character vocabulary of <c>lstm_textgen</c>).</summary>
    public const int FromData = 0;

    /// <summary>Calls the <paramref name="visitor"/>'s method for this kind of layer: the one place a layer's type is dispatched on.</summary>
    public abstract T Accept<T>(ILayerVisitor<T> visitor);
}

/// <summary>Fully connected layer; Keras init: Glorot-uniform kernel, zero bias.</summary>
public sealed record Dense(int Units, Activation Activation = Activation.Linear) : LayerSpec
{
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

public sealed record Dropout(double Rate) : LayerSpec
{
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>Square-kernel 2-D convolution, stride 1, channels first; Glorot-uniform kernel, zero bias.</summary>
public sealed record Conv2D(int Filters, int KernelSize, ConvPadding Padding, Activation Activation = Activation.Linear) : LayerSpec
{
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

public sealed record MaxPool2D(int PoolSize) : LayerSpec
{
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

public sealed record Flatten : LayerSpec
{
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

public sealed record ActivationLayer(Activation Activation) : LayerSpec
{
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>Token embedding; Keras init: uniform in [-0.05, 0.05]. <see cref="InputDim"/> may be <see cref="LayerSpec.FromData"/>.</summary>
public sealed record Embedding(int InputDim, int OutputDim) : LayerSpec
{
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>Mean over the time axis (padding positions included, as Keras does without a mask).</summary>
public sealed record GlobalAveragePooling1D : LayerSpec
{
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>
/// LSTM returning its last output only. Keras init: Glorot-uniform input kernel, orthogonal
/// recurrent kernel, zero bias but 1 on the forget gate. Gate activation: the ordinary sigmoid
/// (what cuDNN and PyTorch use), not Keras 2.0's hard sigmoid.
/// </summary>
public sealed record Lstm(int Units) : LayerSpec
{
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>Runs <see cref="Layer"/> forwards and backwards over the sequence and concatenates the two last outputs.</summary>
public sealed record Bidirectional(Lstm Layer) : LayerSpec
{
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>Turns token indices into one-hot vectors of <see cref="Depth"/> (may be <see cref="LayerSpec.FromData"/>).</summary>
public sealed record OneHot(int Depth) : LayerSpec
{
    public override T Accept<T>(ILayerVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>
/// One method per kind of layer, so a rule written per kind (shapes, parameter counts, FLOPs, a backend's layers) is a
/// visitor, and adding a kind of layer is a compile error in every rule that has not handled it yet.
/// </summary>
public interface ILayerVisitor<out T>
{
    T Visit(Dense layer);
    T Visit(Dropout layer);
    T Visit(Conv2D layer);
    T Visit(MaxPool2D layer);
    T Visit(Flatten layer);
    T Visit(ActivationLayer layer);
    T Visit(Embedding layer);
    T Visit(GlobalAveragePooling1D layer);
    T Visit(Lstm layer);
    T Visit(Bidirectional layer);
    T Visit(OneHot layer);
}
