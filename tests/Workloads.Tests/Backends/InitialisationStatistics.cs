using PerfTests.Harness.Backends;

namespace PerfTests.Workloads.Tests.Backends;

/// <summary>Keras 2.0's initialisers, checked by their bounds and moments (never by values: each engine has its own generator).</summary>
internal static class InitialisationStatistics
{
    /// <summary>Glorot uniform: U(−b, b) with b = √(6 / (fan_in + fan_out)).</summary>
    public static void ShouldBeGlorotUniform(NamedTensor kernel, int fanIn, int fanOut) =>
        ShouldBeUniform(kernel, Math.Sqrt(6.0 / (fanIn + fanOut)));

    /// <summary>
    /// U(−b, b): every value within b; the mean within 5 standard errors of 0 (σ = b/√3); for 1,000 values or more, the
    /// largest magnitude above 0.9·b and the standard deviation within 10% of b/√3.
    /// </summary>
    public static void ShouldBeUniform(NamedTensor tensor, double bound)
    {
        var values = tensor.Values;
        values.Should().OnlyContain(v => Math.Abs(v) <= bound * (1 + 1e-6), $"{tensor} lies within ±{bound:G4}");
        double sigma = bound / Math.Sqrt(3);
        double mean = values.Average(v => (double)v);
        Math.Abs(mean).Should().BeLessThan(5 * sigma / Math.Sqrt(values.Length), $"{tensor} is centred on zero");
        if (values.Length < 1000) return;
        values.Max(v => Math.Abs(v)).Should().BeGreaterThan((float)(0.9 * bound), $"{tensor} fills its range");
        double sd = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
        sd.Should().BeApproximately(sigma, 0.1 * sigma, $"{tensor} is uniform, not clustered");
    }

    /// <summary>Keras LSTM: Glorot-uniform input kernel [in, 4u], orthogonal recurrent kernel [u, 4u] (orthonormal rows), bias 0 but 1 on the forget gate.</summary>
    public static void ShouldBeKerasLstm(ModelWeights weights, string prefix)
    {
        var kernel = weights[prefix + "kernel"];
        ShouldBeGlorotUniform(kernel, fanIn: kernel.Shape[0], fanOut: kernel.Shape[1]);

        var recurrent = weights[prefix + "recurrent_kernel"];
        int units = recurrent.Shape[0], width = recurrent.Shape[1];
        for (int a = 0; a < Math.Min(units, 6); a++)
        for (int b = a; b < Math.Min(units, 6); b++)
        {
            double dot = 0;
            for (int j = 0; j < width; j++) dot += (double)recurrent.Values[a * width + j] * recurrent.Values[b * width + j];
            dot.Should().BeApproximately(a == b ? 1 : 0, 1e-4, $"rows {a} and {b} of {recurrent} are orthonormal");
        }

        var bias = weights[prefix + "bias"].Values;
        bias.Take(units).Should().OnlyContain(v => v == 0, "the input gate's bias starts at zero");
        bias.Skip(units).Take(units).Should().OnlyContain(v => v == 1, "Keras's unit_forget_bias sets the forget gate's to one");
        bias.Skip(2 * units).Should().OnlyContain(v => v == 0, "the cell and output gates' biases start at zero");
    }
}
