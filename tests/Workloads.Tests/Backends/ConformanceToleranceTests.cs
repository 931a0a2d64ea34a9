using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Backends;

/// <summary>The conformance bounds pass rounding and fail real errors: otherwise the suite could not fail.</summary>
[Trait("Category", "Unit")]
public sealed class ConformanceToleranceTests
{
    private static readonly float[] Gradient = [0.5f, -0.25f, 1e-3f, -2e-6f, 0f, 0.125f];

    [Fact]
    public void Float32Tolerance_RoundingOfAFewUlps_Passes()
    {
        var rounded = Gradient.Select(g => g == 0 ? 0 : BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(g) + 3)).ToArray();

        Float32Tolerance.Error(rounded, Gradient).Should().BeLessThan(Float32Tolerance.Bound / 100);
    }

    [Fact]
    public void Float32Tolerance_OnePercentOff_Fails()
    {
        var off = Gradient.Select(g => g * 1.01f).ToArray();

        Float32Tolerance.Error(off, Gradient).Should().BeGreaterThan(10 * Float32Tolerance.Bound);
    }

    [Fact]
    public void Float32Tolerance_WrongSignOfASmallElement_FailsUnlessItsSamplesCancel()
    {
        var flipped = (float[])Gradient.Clone();
        flipped[3] = -flipped[3];
        double[] ownMagnitudes = Gradient.Select(g => (double)Math.Abs(g)).ToArray();
        double[] cancelling = (double[])ownMagnitudes.Clone();
        cancelling[3] = 0.5; // eight samples of ±0.5 summed to −2e-6: float32 cannot decide that sign

        Float32Tolerance.Error(flipped, Gradient, ownMagnitudes).Should().BeLessThan(Float32Tolerance.Bound,
            "against the tensor's largest magnitude, 4e-6 is rounding");
        Float32Tolerance.Error([flipped[3]], [Gradient[3]]).Should().BeGreaterThan(Float32Tolerance.Bound,
            "alone, a flipped sign is an error of 100%");
        Float32Tolerance.Error([flipped[3]], [Gradient[3]], [cancelling[3]]).Should().BeLessThan(Float32Tolerance.Bound);
    }

    [Fact]
    public void Float32Tolerance_NaN_Fails()
    {
        var broken = (float[])Gradient.Clone();
        broken[1] = float.NaN;

        Float32Tolerance.Error(broken, Gradient).Should().Be(double.PositiveInfinity);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    public void OptimizerReference_AdamStepCountedOnceOrTwice_IsOnlyRightForTheStepsTaken(int stepsTaken, int stepsExpectedWrongly)
    {
        var adam = new OptimizerReference(new AdamSpec());
        float[] before = [0.1f, -0.2f, 0.3f];
        float[] gradient = [0.01f, -0.02f, 1e-9f];
        var after = before.Select((w, i) => (float)(w - stepsTaken * adam.FirstUpdate(gradient[i]))).ToArray();

        OptimizerReference.WorstUpdateError(before, gradient, after, g => stepsTaken * adam.FirstUpdate(g)).Should().BeLessThan(OptimizerReference.Bound);
        OptimizerReference.WorstUpdateError(before, gradient, after, g => stepsExpectedWrongly * adam.FirstUpdate(g)).Should().BeGreaterThan(1e-3);
    }

    [Fact]
    public void OptimizerReference_FirstSteps_FollowTheClosedForms()
    {
        // Adam's first step is lr·g/(|g|+ε); RMSprop's lr·g/(√(1−ρ)|g|+ε); Adadelta's lr·√ε·g/√((1−ρ)g²+ε).
        new OptimizerReference(new AdamSpec()).FirstUpdate(0.5).Should().BeApproximately(0.001 * 0.5 / (0.5 + 1e-8), 1e-15);
        new OptimizerReference(new RmsPropSpec()).FirstUpdate(0.5).Should().BeApproximately(0.001 * 0.5 / (Math.Sqrt(0.1) * 0.5 + 1e-8), 1e-15);
        new OptimizerReference(new AdadeltaSpec()).FirstUpdate(0.5).Should().BeApproximately(1e-4 * 0.5 / Math.Sqrt(0.05 * 0.25 + 1e-8), 1e-12);
    }
}
