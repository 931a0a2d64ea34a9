using System.Numerics;
using System.Numerics.Tensors;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Backends.Managed;

/// <summary>A trainable tensor: values, a gradient of the same size, and its canonical (Keras-layout) shape.</summary>
internal sealed class Parameter(string name, int[] shape)
{
    public string Name { get; } = name;
    public int[] Shape { get; } = shape;
    public float[] Value { get; } = new float[shape.Aggregate(1, (a, b) => a * b)];
    public float[] Grad { get; } = new float[shape.Aggregate(1, (a, b) => a * b)];
    public int Length => Value.Length;

    public Parameter(WeightSpec spec) : this(spec.Name, spec.Shape.ToArray()) { }
}

/// <summary>Small deterministic generator (xoshiro128**), allocation-free, for initialisation and dropout masks.</summary>
internal sealed class Rng
{
    private uint _s0, _s1, _s2, _s3;

    public Rng(int seed)
    {
        ulong z = (ulong)seed * 0x9E3779B97F4A7C15UL + 0x632BE59BD9B4E019UL;
        _s0 = (uint)Next64(ref z); _s1 = (uint)Next64(ref z); _s2 = (uint)Next64(ref z); _s3 = (uint)Next64(ref z);
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1;
    }

    private static ulong Next64(ref ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        ulong r = z;
        r = (r ^ (r >> 30)) * 0xBF58476D1CE4E5B9UL;
        r = (r ^ (r >> 27)) * 0x94D049BB133111EBUL;
        return r ^ (r >> 31);
    }

    public uint NextUInt()
    {
        uint result = uint.RotateLeft(_s1 * 5, 7) * 9;
        uint t = _s1 << 9;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = uint.RotateLeft(_s3, 11);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public float NextFloat() => (NextUInt() >> 8) * (1f / (1 << 24));

    public double NextDouble() => (((ulong)NextUInt() << 21) ^ (NextUInt() >> 11)) * (1.0 / (1UL << 53));

    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public void Uniform(Span<float> values, double limit)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)((2 * NextDouble() - 1) * limit);
    }
}

/// <summary>Keras initialisers, as the TorchSharp backend applies them.</summary>
internal static class Init
{
    public static void GlorotUniform(Rng rng, Span<float> values, int fanIn, int fanOut) =>
        rng.Uniform(values, Math.Sqrt(6.0 / (fanIn + fanOut)));

    /// <summary>Keras recurrent kernel [units, 4·units] with orthonormal rows (PyTorch's orthogonal_ on the transposed [4u, u]).</summary>
    public static void OrthogonalRows(Rng rng, Span<float> values, int rows, int columns)
    {
        var q = new double[rows, columns];
        for (int r = 0; r < rows; r++) for (int c = 0; c < columns; c++) q[r, c] = rng.NextGaussian();
        for (int r = 0; r < rows; r++)
        {
            for (int pass = 0; pass < 2; pass++)
            {
                for (int p = 0; p < r; p++)
                {
                    double dot = 0;
                    for (int c = 0; c < columns; c++) dot += q[r, c] * q[p, c];
                    for (int c = 0; c < columns; c++) q[r, c] -= dot * q[p, c];
                }
            }
            double norm = 0;
            for (int c = 0; c < columns; c++) norm += q[r, c] * q[r, c];
            norm = Math.Sqrt(norm);
            for (int c = 0; c < columns; c++) q[r, c] /= norm;
        }
        for (int r = 0; r < rows; r++) for (int c = 0; c < columns; c++) values[r * columns + c] = (float)q[r, c];
    }
}

/// <summary>Element-wise activations (vectorised by TensorPrimitives) and their derivatives from the output.</summary>
internal static class Activations
{
    public static void Forward(Activation activation, Span<float> values)
    {
        long started = EngineProfile.Start();
        Apply(activation, values);
        EngineProfile.Stop(EngineWork.BiasAndActivation, started);
    }

    /// <summary><see cref="Forward"/> without the profile's probe, for callers that time a larger pass.</summary>
    public static void Apply(Activation activation, Span<float> values)
    {
        switch (activation)
        {
            case Activation.Linear: break;
            case Activation.Relu: TensorPrimitives.Max(values, 0f, values); break;
            case Activation.Sigmoid: TensorPrimitives.Sigmoid(values, values); break;
            case Activation.Tanh: TensorPrimitives.Tanh(values, values); break;
            default: throw new NotSupportedException($"managed: {activation} is only supported as the final activation (fused into the loss).");
        }
    }

    /// <summary>gradient ← gradient · f'(x), with f'(x) written in terms of the output y = f(x). Vectorised, branch-free.</summary>
    public static void Backward(Activation activation, ReadOnlySpan<float> output, Span<float> gradient)
    {
        if (activation == Activation.Linear) return;
        if (activation is not (Activation.Relu or Activation.Sigmoid or Activation.Tanh)) throw new NotSupportedException(activation.ToString());
        long started = EngineProfile.Start();
        int i = 0, width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var one = Vector<float>.One;
            for (; i <= gradient.Length - width; i += width)
            {
                var y = new Vector<float>(output[i..]);
                var g = new Vector<float>(gradient[i..]);
                g = activation switch
                {
                    Activation.Relu => Vector.ConditionalSelect(Vector.GreaterThan(y, Vector<float>.Zero), g, Vector<float>.Zero),
                    Activation.Sigmoid => g * y * (one - y),
                    _ => g * (one - y * y),
                };
                g.CopyTo(gradient[i..]);
            }
        }
        for (; i < gradient.Length; i++)
        {
            float y = output[i];
            gradient[i] = activation switch
            {
                Activation.Relu => y > 0f ? gradient[i] : 0f,
                Activation.Sigmoid => gradient[i] * y * (1f - y),
                _ => gradient[i] * (1f - y * y),
            };
        }
        EngineProfile.Stop(EngineWork.BiasAndActivation, started);
    }
}

/// <summary>GEMM on managed arrays (pinned for the call).</summary>
internal static unsafe class Blas
{
    public static void Gemm(WorkerPool pool, bool ta, bool tb, int m, int n, int k,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc, bool? splitColumns = null)
    {
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c)
            Managed.Gemm.Multiply(pool, ta, tb, m, n, k, 1f, pa + aOffset, lda, pb + bOffset, ldb, beta, pc + cOffset, ldc, splitColumns);
    }

    /// <summary><see cref="Managed.Gemm.MultiplyInHalves"/> on managed arrays: x (m×k) · w (k×n), row-major, packed.</summary>
    public static void GemmInHalves(WorkerPool pool, int m, int n, int k, float[] x, float[] w, float[] c, float[] partial)
    {
        fixed (float* pa = x) fixed (float* pb = w) fixed (float* pc = c) fixed (float* pp = partial)
            Managed.Gemm.MultiplyInHalves(pool, m, n, k, pa, k, pb, n, pc, pp, n);
    }

    /// <summary>Single-threaded, for use inside a parallel job by <paramref name="worker"/>.</summary>
    public static void GemmOn(WorkerPool pool, int worker, bool ta, bool tb, int m, int n, int k,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc)
    {
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c)
            Managed.Gemm.Serial(ta, tb, m, n, k, 1f, pa + aOffset, lda, pb + bOffset, ldb, beta, pc + cOffset, ldc, pool.PackA(worker), pool.PackB(worker));
    }

    /// <summary>sums[j] = Σ_i rows[i·cols + j] over <paramref name="rowCount"/> rows.</summary>
    public static void ColumnSums(float[] rows, int rowCount, int cols, float[] sums)
    {
        long started = EngineProfile.Start();
        var s = sums.AsSpan(0, cols);
        s.Clear();
        for (int i = 0; i < rowCount; i++) TensorPrimitives.Add(s, rows.AsSpan(i * cols, cols), s);
        EngineProfile.Stop(EngineWork.BiasAndActivation, started);
    }

    public static void AddBiasRows(float[] values, int rowCount, float[] bias)
    {
        long started = EngineProfile.Start();
        int cols = bias.Length;
        for (int i = 0; i < rowCount; i++)
        {
            var row = values.AsSpan(i * cols, cols);
            TensorPrimitives.Add(row, bias, row);
        }
        EngineProfile.Stop(EngineWork.BiasAndActivation, started);
    }
}
