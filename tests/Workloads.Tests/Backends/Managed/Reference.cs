using PerfTests.Harness.Backends.Managed;
using static TorchSharp.torch;

namespace PerfTests.Workloads.Tests.Backends.Managed;

/// <summary>float64 TorchSharp references (autograd) for the managed kernels, and comparison helpers.</summary>
internal static class Reference
{
    public static float[] RandomFloats(Random random, int count, double scale = 1.0)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        return values;
    }

    /// <summary>A float64 leaf tensor holding <paramref name="values"/> (the first product of <paramref name="shape"/> of them).</summary>
    public static Tensor Leaf(float[] values, params long[] shape)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        var data = new double[count];
        for (int i = 0; i < count; i++) data[i] = values[i];
        return tensor(data, shape, dtype: ScalarType.Float64, requires_grad: true);
    }

    public static Tensor Constant(float[] values, params long[] shape)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        var data = new double[count];
        for (int i = 0; i < count; i++) data[i] = values[i];
        return tensor(data, shape, dtype: ScalarType.Float64);
    }

    public static double[] Values(Tensor t) => t.detach().cpu().contiguous().to(ScalarType.Float64).data<double>().ToArray();

    /// <summary>max |actual − expected| / max |expected| over the first expected.Length values.</summary>
    public static double RelativeError(ReadOnlySpan<float> actual, IReadOnlyList<double> expected)
    {
        double diff = 0, scale = 1e-30;
        for (int i = 0; i < expected.Count; i++)
        {
            diff = Math.Max(diff, Math.Abs(actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }
        return diff / scale;
    }

    public static void ShouldMatch(ReadOnlySpan<float> actual, Tensor expected, string what, double tolerance = 1e-4)
    {
        var values = Values(expected);
        double error = RelativeError(actual, values);
        error.Should().BeLessThan(tolerance, $"{what} should match the float64 TorchSharp reference ({values.Length} values)");
    }

    public static WorkerPool Pool(int workers = 2) => new(workers);
}
