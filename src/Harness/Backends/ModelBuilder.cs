using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Backends;

/// <summary>Where a layer sits in the model, as <see cref="ModelBuilder"/> hands it to a backend's layer factory.</summary>
/// <param name="Index">The layer's position in the workload (weight names start with it).</param>
/// <param name="IsLast">Whether it is the model's last layer, whose softmax/sigmoid the builder has already dropped.</param>
public sealed record LayerContext(WorkloadSpec Workload, int Index, ResolvedLayer Resolved, bool IsLast)
{
    public IReadOnlyList<int> InputShape => Resolved.InputShape;
    public IReadOnlyList<int> OutputShape => Resolved.OutputShape;
    public int OutputSize => Resolved.OutputShape.Aggregate(1, (a, b) => a * b);
}

/// <summary>
/// A backend's native layers, one method per kind of layer. <see cref="ModelBuilder"/> calls them in layer order
/// (which is the order a backend's generator draws initial weights in), with every rule that is not the engine's own
/// already applied: the output activation fused into the loss, dropout disabled, token input checked, and every
/// parameter's canonical name and shape (<see cref="WeightSpec"/>) decided. A method returns null when the engine needs
/// no layer for it.
/// </summary>
public interface ILayerFactory<TLayer> where TLayer : class
{
    /// <param name="activation"><see cref="Activation.Linear"/> on the last layer: its softmax/sigmoid is part of the loss.</param>
    TLayer Dense(LayerContext at, KernelAndBias weights, Activation activation);

    TLayer Conv2D(LayerContext at, Conv2D layer, KernelAndBias weights);

    TLayer MaxPool2D(LayerContext at, int poolSize);

    /// <summary>Not called for the last layer (fused into the loss).</summary>
    TLayer Activation(LayerContext at, Activation activation);

    /// <summary>Not called when the session disables dropout, or for rate 0.</summary>
    TLayer Dropout(LayerContext at, double rate);

    /// <summary>Rank-n per-sample input to its row-major vector: an engine whose activations are flat buffers returns null.</summary>
    TLayer? Flatten(LayerContext at);

    /// <summary>Always the first layer, on token input.</summary>
    TLayer Embedding(LayerContext at, WeightSpec embeddings);

    TLayer GlobalAveragePooling1D(LayerContext at);

    /// <summary>Always the first layer, on token input, directly before an LSTM (whose <c>oneHotInput</c> is then true):
    /// an engine that folds the one-hot product into the LSTM as a row gather returns null.</summary>
    TLayer? OneHot(LayerContext at, int depth);

    /// <summary>An LSTM returning its last output: one direction, or forward and backward (Bidirectional, outputs concatenated).</summary>
    /// <param name="oneHotInput">The input is token indices one-hot encoded by the layer before (<see cref="OneHot"/>).</param>
    TLayer Lstm(LayerContext at, IReadOnlyList<LstmDirection> directions, bool oneHotInput);
}

/// <summary>
/// The one walk from a workload's layers to a backend's: resolves shapes (<see cref="ModelShape.Resolve"/>), applies the
/// rules every backend shares, and calls the backend's <see cref="ILayerFactory{TLayer}"/> once per layer, in order.
/// </summary>
public static class ModelBuilder
{
    /// <param name="dataDimension">What <see cref="LayerSpec.FromData"/> stands for (<see cref="ModelDimensions.DataDimension"/>).</param>
    /// <param name="disableDropout">Leave out dropout layers (<see cref="SessionOptions.DisableDropout"/>).</param>
    public static IReadOnlyList<TLayer> Build<TLayer>(WorkloadSpec workload, int dataDimension, ILayerFactory<TLayer> factory, bool disableDropout = false)
        where TLayer : class
    {
        if (workload.Layers.Count == 0) throw new NotSupportedException($"{workload.Name}: no layers.");
        ModelShape.OutputActivation(workload);
        var resolved = ModelShape.Resolve(workload, dataDimension);
        var layers = new List<TLayer>();
        for (int i = 0; i < resolved.Count; i++)
        {
            var at = new LayerContext(workload, i, resolved[i], IsLast: i == resolved.Count - 1);
            var layer = resolved[i].Layer.Accept(new Step<TLayer>(factory, at, resolved, dataDimension, disableDropout));
            if (layer is not null) layers.Add(layer);
        }
        if (workload.Input.Kind == InputKind.Tokens && resolved[0].Layer is not (Embedding or OneHot))
            throw new NotSupportedException($"{workload.Name}: token input needs a first layer that takes tokens (Embedding, or OneHot before an LSTM), not {resolved[0].Layer.GetType().Name}.");
        return layers;
    }

    /// <summary>One layer of the walk: the rules shared by every backend, then the factory's method for its kind.</summary>
    private sealed class Step<TLayer>(ILayerFactory<TLayer> factory, LayerContext at, IReadOnlyList<ResolvedLayer> model, int dataDimension, bool disableDropout)
        : ILayerVisitor<TLayer?> where TLayer : class
    {
        private int Index => at.Index;

        public TLayer? Visit(Dense layer) =>
            factory.Dense(at, CanonicalWeights.KernelAndBias(Index, [at.InputShape[0], at.OutputShape[0]], at.OutputShape[0]),
                at.IsLast ? Activation.Linear : layer.Activation);

        public TLayer? Visit(Conv2D layer) =>
            factory.Conv2D(at, layer, CanonicalWeights.KernelAndBias(Index, [layer.Filters, at.InputShape[0], layer.KernelSize, layer.KernelSize], layer.Filters));

        public TLayer? Visit(MaxPool2D layer) => factory.MaxPool2D(at, layer.PoolSize);

        public TLayer? Visit(ActivationLayer layer) => at.IsLast ? null : factory.Activation(at, layer.Activation);

        public TLayer? Visit(Dropout layer) => disableDropout || layer.Rate == 0 ? null : factory.Dropout(at, layer.Rate);

        public TLayer? Visit(Flatten layer) => factory.Flatten(at);

        public TLayer? Visit(Embedding layer)
        {
            RequireTokenInput(layer);
            int vocabulary = ModelShape.Size(layer.InputDim, dataDimension, at.Workload.Name);
            return factory.Embedding(at, CanonicalWeights.Embeddings(Index, vocabulary, layer.OutputDim));
        }

        public TLayer? Visit(GlobalAveragePooling1D layer) => factory.GlobalAveragePooling1D(at);

        public TLayer? Visit(OneHot layer)
        {
            RequireTokenInput(layer);
            if (Index + 1 >= model.Count || model[Index + 1].Layer is not (Lstm or Bidirectional))
                throw new NotSupportedException($"{at.Workload.Name}: OneHot must come directly before an LSTM (the only use the backends implement).");
            return factory.OneHot(at, at.OutputShape[1]);
        }

        public TLayer? Visit(Lstm layer) => factory.Lstm(at, CanonicalWeights.Lstm(Index, at.InputShape[1], layer.Units, bidirectional: false), OneHotInput);

        public TLayer? Visit(Bidirectional layer) => factory.Lstm(at, CanonicalWeights.Lstm(Index, at.InputShape[1], layer.Layer.Units, bidirectional: true), OneHotInput);

        private bool OneHotInput => Index > 0 && model[Index - 1].Layer is OneHot;

        private void RequireTokenInput(LayerSpec layer)
        {
            if (Index != 0 || at.Workload.Input.Kind != InputKind.Tokens)
                throw new NotSupportedException($"{at.Workload.Name}: {layer.GetType().Name} takes token indices, so it must be the first layer of a model with token input (it is layer {Index}, input {at.Workload.Input.Kind}).");
        }
    }
}
