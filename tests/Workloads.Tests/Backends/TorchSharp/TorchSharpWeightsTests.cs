using PerfTests.Harness.Backends;
using PerfTests.Harness.Backends.TorchSharp;
using static TorchSharp.torch;

namespace PerfTests.Workloads.Tests.Backends.TorchSharp;

/// <summary>The weight bindings a TorchSharp layer records: checked against the canonical shape when the model is built.</summary>
[Trait("Category", "Unit")]
[Collection(LibtorchCollection.Name)]
public sealed class TorchSharpWeightsTests
{
    [Fact]
    public void CheckShapes_LinearWeightBoundTransposed_Passes()
    {
        using var linear = nn.Linear(3, 4);

        var act = () => TorchSharpWeights.CheckShapes([new WeightBinding(new WeightSpec("0.kernel", [3, 4]), linear, "weight", Transpose: true)]);

        act.Should().NotThrow();
    }

    [Fact]
    public void CheckShapes_LinearWeightBoundWithoutTranspose_ThrowsNamingTheWeightAndShape()
    {
        using var linear = nn.Linear(3, 4);

        var act = () => TorchSharpWeights.CheckShapes([new WeightBinding(new WeightSpec("0.kernel", [3, 4]), linear, "weight")]);

        act.Should().Throw<InvalidOperationException>().WithMessage("0.kernel[3×4] is bound to weight of shape [4×3].");
    }

    [Fact]
    public void CheckShapes_UnknownParameter_ThrowsNamingIt()
    {
        using var linear = nn.Linear(3, 4);

        var act = () => TorchSharpWeights.CheckShapes([new WeightBinding(new WeightSpec("0.bias", [4]), linear, "bias_ih")]);

        act.Should().Throw<InvalidOperationException>().WithMessage("0.bias: Linear has no parameter 'bias_ih'.");
    }
}
