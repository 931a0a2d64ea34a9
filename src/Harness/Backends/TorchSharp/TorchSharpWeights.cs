using TorchSharp;
using static TorchSharp.torch;

namespace PerfTests.Harness.Backends.TorchSharp;

/// <summary>
/// Where one canonical tensor lives: parameter <paramref name="Parameter"/> of <paramref name="Owner"/>, stored transposed
/// (PyTorch keeps [out, in] where Keras keeps [in, out]) or not. <paramref name="Twin"/>: a second parameter of the owner that
/// sums with the first to the canonical tensor (PyTorch's bias_hh beside bias_ih); it is imported as zeros. Recorded when the
/// layer is built; the tensors are looked up by name when used, because moving a module to a device or dtype replaces them.
/// </summary>
internal sealed record WeightBinding(WeightSpec Spec, nn.Module Owner, string Parameter, bool Transpose = false, string? Twin = null);

/// <summary>Weight export and import through the bindings each layer recorded (<see cref="TorchSharpLayer.Weights"/>).</summary>
internal static class TorchSharpWeights
{
    /// <summary>Throws when a layer bound a canonical tensor to a parameter of another shape (a factory bug, found at build time).</summary>
    public static void CheckShapes(IEnumerable<WeightBinding> bindings)
    {
        // A native module's named_parameters() makes new handles each call; the scope keeps them alive until read.
        using var scope = NewDisposeScope();
        foreach (var binding in bindings)
        {
            var shape = Of(binding, binding.Parameter).shape;
            if (binding.Transpose) shape = shape.Reverse().ToArray();
            if (!shape.SequenceEqual(binding.Spec.Shape.Select(d => (long)d)))
                throw new InvalidOperationException($"{binding.Spec} is bound to {binding.Parameter} of shape [{string.Join('×', shape)}]{(binding.Transpose ? " transposed" : "")}.");
        }
    }

    /// <summary>Parameters or their gradients in the canonical layout. A twin's gradient equals its partner's (both receive the
    /// canonical tensor's), so the gradient is the partner's alone.</summary>
    public static ModelWeights Export(IReadOnlyList<WeightBinding> bindings, bool gradients)
    {
        using var _ = no_grad();
        // Gradient handles, transposes and float32 copies are all temporaries: disposed here, not left to finalizers.
        using var scope = NewDisposeScope();
        var tensors = new List<NamedTensor>();
        foreach (var binding in bindings)
        {
            var parameter = Of(binding, binding.Parameter);
            var value = gradients
                ? parameter.grad ?? throw new InvalidOperationException("No gradients yet: GetGradients reads the last TrainStep's.")
                : binding.Twin is { } twin ? parameter + Of(binding, twin) : parameter;
            var cpu = (binding.Transpose ? value.t() : value).detach().cpu().contiguous().to(ScalarType.Float32);
            tensors.Add(new NamedTensor(binding.Spec.Name, cpu.shape.Select(d => (int)d).ToArray(), cpu.data<float>().ToArray()));
        }
        return new ModelWeights(tensors);
    }

    public static void Import(IReadOnlyList<WeightBinding> bindings, ModelWeights weights)
    {
        using var _ = no_grad();
        // As in Export: a parameter handle no local refers to any more could be freed by the finalizer thread while
        // libtorch copies into it; the scope holds every handle made here until the import is done.
        using var scope = NewDisposeScope();
        foreach (var binding in bindings)
        {
            var target = Of(binding, binding.Parameter);
            var source = weights[binding.Spec.Name];
            using var value = tensor(source.Values, source.Shape.Select(d => (long)d).ToArray());
            using var oriented = binding.Transpose ? value.t() : value.alias();
            if (!oriented.shape.SequenceEqual(target.shape))
                throw new ArgumentException($"Weight {source.Name}: shape [{string.Join('×', source.Shape)}] does not fit [{string.Join('×', target.shape)}].");
            using var placed = oriented.to(target.device);
            target.copy_(placed);
            if (binding.Twin is { } twin) Of(binding, twin).zero_();
        }
    }

    private static Tensor Of(WeightBinding binding, string name) =>
        binding.Owner.named_parameters().FirstOrDefault(p => p.name == name).parameter
        ?? throw new InvalidOperationException($"{binding.Spec.Name}: {binding.Owner.GetType().Name} has no parameter '{name}'.");
}
