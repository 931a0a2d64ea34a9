using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics;
using System.Numerics;
using System.Numerics.Tensors;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Backends.Managed;

/// <summary>
/// The managed engine's layers for <see cref="ModelBuilder"/>, with buffers for <paramref name="capacity"/> samples. Initial
/// weights come from one generator seeded with the session's seed, drawn in layer order.
/// </summary>
internal sealed class ManagedLayers(WorkerPool pool, int capacity, int seed) : ILayerFactory<Layer>
{
    private readonly Rng _rng = new(seed);

    public Layer Dense(LayerContext at, KernelAndBias weights, Activation activation) => new DenseLayer(pool, weights, activation, capacity, _rng);

    public Layer Conv2D(LayerContext at, Conv2D layer, KernelAndBias weights) => new Conv2DLayer(pool, at.InputShape, layer, weights, capacity, _rng);

    public Layer MaxPool2D(LayerContext at, int poolSize) => new MaxPool2DLayer(pool, at.InputShape, poolSize, capacity);

    public Layer Activation(LayerContext at, Activation activation) => new ActivationOnlyLayer(activation, at.OutputSize, capacity);

    /// <summary>Each dropout layer hashes its masks from its own seed (the session's seed and the layer's index).</summary>
    public Layer Dropout(LayerContext at, double rate) => new DropoutLayer(pool, rate, at.OutputSize, capacity, seed * 7919 + at.Index);

    /// <summary>Activations are row-major per-sample buffers already.</summary>
    public Layer? Flatten(LayerContext at) => null;

    public Layer Embedding(LayerContext at, WeightSpec embeddings) => new EmbeddingLayer(pool, embeddings, at.InputShape[0], capacity, _rng);

    public Layer GlobalAveragePooling1D(LayerContext at) => new GlobalAveragePooling1DLayer(pool, at.InputShape[0], at.InputShape[1], capacity);

    /// <summary>Folded into the LSTM that follows: x·W of a one-hot x is a gather of kernel rows.</summary>
    public Layer? OneHot(LayerContext at, int depth) => null;

    public Layer Lstm(LayerContext at, IReadOnlyList<LstmDirection> directions, bool oneHotInput) =>
        new LstmLayer(pool, directions, at.InputShape[0], oneHotInput, capacity, _rng);
}

/// <summary>
/// One layer with buffers for <c>capacity</c> samples, allocated at construction. Forward returns the layer's
/// output buffer (or its input, for layers that change nothing); Backward may overwrite <c>dy</c> and returns the
/// gradient of the input (null when not asked for). Parameter gradients are overwritten, not accumulated.
/// </summary>
internal abstract class Layer
{
    public List<Parameter> Parameters { get; } = [];

    public virtual float[] Forward(float[] x, int n, bool training) =>
        throw new InvalidOperationException($"{GetType().Name} takes token input.");

    public virtual float[]? Backward(float[] x, float[] y, float[] dy, int n, bool needInputGradient) =>
        throw new InvalidOperationException($"{GetType().Name} takes token input.");

    public virtual bool TakesTokens => false;

    /// <summary>
    /// Takes over the activation of an Activation layer that follows, when this layer's own is linear (Keras's cifar10_cnn
    /// writes Conv2D then Activation('relu')): the layer then applies it to its output in place, where the separate layer
    /// copied the tensor and ran on one thread. The same function on the same values, so the same bits.
    /// </summary>
    public virtual bool TryFoldActivation(Activation activation) => false;

    public virtual float[] Forward(int[] tokens, int n, bool training) =>
        throw new InvalidOperationException($"{GetType().Name} takes float input.");

    public virtual void Backward(int[] tokens, float[] dy, int n) =>
        throw new InvalidOperationException($"{GetType().Name} takes float input.");
}

/// <summary>x·W + b, then the activation; the bias, activation and activation gradient run as passes split over the workers.</summary>
internal sealed class DenseLayer : Layer, IRangeJob
{
    private readonly WorkerPool _pool;
    private readonly float[] _y, _dx;
    private readonly float[]? _partial;
    private float[] _yOut = null!, _dy = null!;
    private bool _backward;
    public int In { get; }
    public int Out { get; }
    public Activation Activation { get; private set; }
    public Parameter Kernel { get; }
    public Parameter Bias { get; }

    public DenseLayer(WorkerPool pool, KernelAndBias weights, Activation activation, int capacity, Rng rng)
    {
        _pool = pool;
        (In, Out, Activation) = (weights.Kernel.Shape[0], weights.Kernel.Shape[1], activation);
        Kernel = new Parameter(weights.Kernel);
        Bias = new Parameter(weights.Bias);
        Init.GlorotUniform(rng, Kernel.Value, In, Out);
        Parameters.Add(Kernel);
        Parameters.Add(Bias);
        _y = new float[capacity * Out];
        _dx = new float[capacity * In];
        if (InHalves) _partial = new float[capacity * Out];
    }

    /// <summary>
    /// Large kernels multiply in two halves of their input rows (<see cref="Gemm.MultiplyInHalves"/>): each worker reads
    /// only the kernel rows its optimizer block writes, where splitting the output's columns made each worker read half of
    /// the other's rows every step, and made the optimizer's writes take those lines back. The workloads' kernels are
    /// either 256K floats and more (784×512, 512×512, 9216×128, 2304×512) or 7K and less (the output layers); the small
    /// ones keep one multiply, and their bits.
    /// </summary>
    private bool InHalves => (long)In * Out >= 1 << 18;

    public override bool TryFoldActivation(Activation activation)
    {
        if (Activation != Activation.Linear) return false;
        Activation = activation;
        return true;
    }

    public override float[] Forward(float[] x, int n, bool training)
    {
        if (InHalves) Blas.GemmInHalves(_pool, n, Out, In, x, Kernel.Value, _y, _partial!);
        else Blas.Gemm(_pool, false, false, n, Out, In, x, 0, In, Kernel.Value, 0, Out, 0f, _y, 0, Out);
        _backward = false;
        _pool.RunRanges(this, n * Out, Out);
        return _y;
    }

    public override float[]? Backward(float[] x, float[] y, float[] dy, int n, bool needInputGradient)
    {
        (_yOut, _dy, _backward) = (y, dy, true);
        _pool.RunRanges(this, n * Out, Out);
        // In halves, the gradient's rows too: the optimizer's blocks are rows.
        Blas.Gemm(_pool, true, false, In, Out, n, x, 0, In, dy, 0, Out, 0f, Kernel.Grad, 0, Out, splitColumns: InHalves ? false : null);
        Blas.ColumnSums(dy, n, Out, Bias.Grad);
        if (!needInputGradient) return null;
        Blas.Gemm(_pool, false, true, n, In, Out, dy, 0, Out, Kernel.Value, 0, Out, 0f, _dx, 0, In);
        return _dx;
    }

    /// <summary>Rows [start/Out, end/Out): bias and activation, each row while it is in cache; or the activation's gradient.</summary>
    public void Execute(int start, int end)
    {
        if (_backward)
        {
            Activations.Backward(Activation, _yOut.AsSpan(start, end - start), _dy.AsSpan(start, end - start));
            return;
        }
        long started = EngineProfile.Start();
        for (int row = start; row < end; row += Out)
        {
            var values = _y.AsSpan(row, Out);
            if (_partial is not null) TensorPrimitives.Add(values, _partial.AsSpan(row, Out), values);
            TensorPrimitives.Add(values, Bias.Value, values);
            Activations.Apply(Activation, values);
        }
        EngineProfile.Stop(EngineWork.BiasAndActivation, started);
    }
}

/// <summary>Stride-1 square convolution, channels first, via im2col + GEMM per sample, samples spread over the workers.</summary>
internal sealed class Conv2DLayer : Layer, IParallelJob
{
    private readonly WorkerPool _pool;
    private readonly int _c, _h, _w, _k, _pad, _ho, _wo, _f, _ckk, _hw;
    private readonly float[] _y, _dx;
    private readonly float[][] _col, _dW, _db;
    private Activation _activation;
    private float[] _x = null!, _yOut = null!, _dy = null!;
    private bool _backward, _needInput;
    private int _n, _chunks;

    public Parameter Kernel { get; }
    public Parameter Bias { get; }

    public Conv2DLayer(WorkerPool pool, IReadOnlyList<int> input, Conv2D spec, KernelAndBias weights, int capacity, Rng rng)
    {
        _pool = pool;
        (_c, _h, _w, _k, _f, _activation) = (input[0], input[1], input[2], spec.KernelSize, spec.Filters, spec.Activation);
        _pad = spec.Padding == ConvPadding.Same ? (_k - 1) / 2 : 0;
        _ho = _h + 2 * _pad - _k + 1;
        _wo = _w + 2 * _pad - _k + 1;
        _ckk = _c * _k * _k;
        _hw = _ho * _wo;
        Kernel = new Parameter(weights.Kernel);
        Bias = new Parameter(weights.Bias);
        if (!Kernel.Shape.SequenceEqual([_f, _c, _k, _k])) throw new ArgumentException($"{weights.Kernel} does not fit a {_k}×{_k} convolution from {_c} to {_f} channels.", nameof(weights));
        Init.GlorotUniform(rng, Kernel.Value, _c * _k * _k, _f * _k * _k);
        Parameters.Add(Kernel);
        Parameters.Add(Bias);
        _y = new float[capacity * _f * _hw];
        _dx = new float[capacity * _c * _h * _w];
        _col = new float[pool.Workers][];
        for (int w = 0; w < pool.Workers; w++) _col[w] = new float[_ckk * _hw];
        _dW = new float[pool.Workers * WorkerPool.ChunksPerWorker][];
        _db = new float[_dW.Length][];
        for (int c = 0; c < _dW.Length; c++)
        {
            _dW[c] = new float[_f * _ckk];
            _db[c] = new float[_f];
        }
    }

    public override bool TryFoldActivation(Activation activation)
    {
        if (_activation != Activation.Linear) return false;
        _activation = activation;
        return true;
    }

    public override float[] Forward(float[] x, int n, bool training)
    {
        (_x, _backward) = (x, false);
        RunChunks(n);
        return _y;
    }

    /// <summary>
    /// Splits the samples into contiguous chunks, a few per worker, claimed dynamically; the weight-gradient partial sums
    /// belong to the chunk, not to whichever thread ran it, so the reduction order, and the result, is the same every run.
    /// </summary>
    private void RunChunks(int n)
    {
        _n = n;
        _chunks = Math.Min(n, _dW.Length);
        _pool.Run(this, _chunks);
    }

    public override float[]? Backward(float[] x, float[] y, float[] dy, int n, bool needInputGradient)
    {
        (_x, _yOut, _dy, _backward, _needInput) = (x, y, dy, true, needInputGradient);
        RunChunks(n);
        long started = EngineProfile.Start();
        Array.Copy(_dW[0], Kernel.Grad, Kernel.Length);
        Array.Copy(_db[0], Bias.Grad, _f);
        for (int w = 1; w < _chunks; w++)
        {
            TensorPrimitives.Add(Kernel.Grad, _dW[w], Kernel.Grad);
            TensorPrimitives.Add(Bias.Grad, _db[w], Bias.Grad);
        }
        EngineProfile.Stop(EngineWork.LayoutAndReduce, started);
        return needInputGradient ? _dx : null;
    }

    public void Execute(int chunk, int worker)
    {
        var (first, end) = WorkerPool.ChunkRange(chunk, _n, _chunks);
        if (_backward)
        {
            long started = EngineProfile.Start();
            Array.Clear(_dW[chunk]);
            Array.Clear(_db[chunk]);
            EngineProfile.Stop(EngineWork.LayoutAndReduce, started);
        }
        for (int s = first; s < end; s++) Sample(s, chunk, worker);
    }

    private void Sample(int s, int chunk, int worker)
    {
        var col = _col[worker];
        int xOffset = s * _c * _h * _w, yOffset = s * _f * _hw;
        ColumnMatrix(_x, xOffset, col, scatter: false);
        if (!_backward)
        {
            Blas.GemmOn(_pool, worker, false, false, _f, _hw, _ckk, Kernel.Value, 0, _ckk, col, 0, _hw, 0f, _y, yOffset, _hw);
            long started = EngineProfile.Start();
            for (int f = 0; f < _f; f++)
            {
                var row = _y.AsSpan(yOffset + f * _hw, _hw);
                TensorPrimitives.Add(row, Bias.Value[f], row);
                Activations.Apply(_activation, row);
            }
            EngineProfile.Stop(EngineWork.BiasAndActivation, started);
            return;
        }
        Activations.Backward(_activation, _yOut.AsSpan(yOffset, _f * _hw), _dy.AsSpan(yOffset, _f * _hw));
        Blas.GemmOn(_pool, worker, false, true, _f, _ckk, _hw, _dy, yOffset, _hw, col, 0, _hw, 1f, _dW[chunk], 0, _ckk);
        long sumsStarted = EngineProfile.Start();
        var db = _db[chunk];
        for (int f = 0; f < _f; f++) db[f] += TensorPrimitives.Sum(_dy.AsSpan(yOffset + f * _hw, _hw));
        EngineProfile.Stop(EngineWork.BiasAndActivation, sumsStarted);
        if (!_needInput) return;
        Blas.GemmOn(_pool, worker, true, false, _ckk, _hw, _f, Kernel.Value, 0, _ckk, _dy, yOffset, _hw, 0f, col, 0, _hw);
        _dx.AsSpan(xOffset, _c * _h * _w).Clear();
        ColumnMatrix(_dx, xOffset, col, scatter: true);
    }

    /// <summary>
    /// The sample's column matrix, col[(c·k + ky)·k + kx, oy·Wo + ox] = x[c, oy + ky − pad, ox + kx − pad] (zero outside the
    /// image): gathered from the image (im2col), or, with <paramref name="scatter"/>, added back onto it (col2im). Rows are
    /// short (the output width), so copies and adds are inlined.
    /// </summary>
    private unsafe void ColumnMatrix(float[] image, int imageOffset, float[] col, bool scatter)
    {
        long started = EngineProfile.Start();
        fixed (float* imageBase = image)
        fixed (float* colBase = col)
        {
            int row = 0;
            for (int c = 0; c < _c; c++)
            for (int ky = 0; ky < _k; ky++)
            for (int kx = 0; kx < _k; kx++, row++)
            {
                // The output columns whose input column ox + kx − pad lies inside the image.
                int x0 = Math.Max(0, _pad - kx), x1 = Math.Max(x0, Math.Min(_wo, _w + _pad - kx));
                for (int oy = 0; oy < _ho; oy++)
                {
                    float* line = colBase + row * _hw + oy * _wo;
                    int iy = oy + ky - _pad;
                    bool inside = iy >= 0 && iy < _h;
                    float* source = imageBase + imageOffset + (c * _h + iy) * _w + kx - _pad;
                    if (scatter)
                    {
                        if (inside) AddShort(line + x0, source + x0, x1 - x0);
                        continue;
                    }
                    if (!inside)
                    {
                        new Span<float>(line, _wo).Clear();
                        continue;
                    }
                    for (int i = 0; i < x0; i++) line[i] = 0f;
                    for (int i = x1; i < _wo; i++) line[i] = 0f;
                    CopyShort(source + x0, line + x0, x1 - x0);
                }
            }
        }
        EngineProfile.Stop(scatter ? EngineWork.Col2Im : EngineWork.Im2Col, started);
    }

    /// <summary>Copies a few dozen floats without a call: 8-wide, the last block overlapping the one before it.</summary>
    private static unsafe void CopyShort(float* src, float* dst, int count)
    {
        if (count < 8)
        {
            for (int i = 0; i < count; i++) dst[i] = src[i];
            return;
        }
        int j = 0;
        for (; j <= count - 8; j += 8) Vector256.Store(Vector256.Load(src + j), dst + j);
        if (j < count) Vector256.Store(Vector256.Load(src + count - 8), dst + count - 8);
    }

    /// <summary>dst[i] += src[i] for a few dozen floats, 8-wide then one at a time.</summary>
    private static unsafe void AddShort(float* src, float* dst, int count)
    {
        int i = 0;
        for (; i <= count - 8; i += 8) Vector256.Store(Vector256.Load(dst + i) + Vector256.Load(src + i), dst + i);
        for (; i < count; i++) dst[i] += src[i];
    }
}

internal sealed unsafe class MaxPool2DLayer : Layer, IParallelJob
{
    private readonly WorkerPool _pool;
    private readonly int _c, _h, _w, _p, _ho, _wo;
    private readonly float[] _y, _dx;
    private readonly int[] _argmax;
    private float[] _x = null!, _dy = null!;
    private bool _backward;
    private int _n, _chunks;

    public MaxPool2DLayer(WorkerPool pool, IReadOnlyList<int> input, int poolSize, int capacity)
    {
        _pool = pool;
        (_c, _h, _w, _p) = (input[0], input[1], input[2], poolSize);
        (_ho, _wo) = (_h / _p, _w / _p);
        _y = new float[capacity * _c * _ho * _wo];
        _argmax = new int[_y.Length];
        _dx = new float[capacity * _c * _h * _w];
    }

    public override float[] Forward(float[] x, int n, bool training)
    {
        (_x, _backward) = (x, false);
        Run(n);
        return _y;
    }

    public override float[]? Backward(float[] x, float[] y, float[] dy, int n, bool needInputGradient)
    {
        if (!needInputGradient) return null;
        (_dy, _backward) = (dy, true);
        Run(n);
        return _dx;
    }

    private void Run(int n)
    {
        _n = n;
        _chunks = Math.Min(n, WorkerPool.ChunksPerWorker * _pool.Workers);
        _pool.Run(this, _chunks);
    }

    public void Execute(int chunk, int worker)
    {
        long started = EngineProfile.Start();
        Pool(chunk);
        EngineProfile.Stop(EngineWork.Pooling, started);
    }

    private void Pool(int chunk)
    {
        var (first, end) = WorkerPool.ChunkRange(chunk, _n, _chunks);
        int outPlane = _ho * _wo, inPlane = _h * _w;
        fixed (float* x = _x, y = _y, dx = _dx, dy = _dy)
        fixed (int* argmax = _argmax)
        {
            if (_backward)
            {
                // Windows do not overlap, so each input is the maximum of at most one output: clear, then scatter.
                new Span<float>(dx + (long)first * _c * inPlane, (end - first) * _c * inPlane).Clear();
                for (int o = first * _c * outPlane; o < end * _c * outPlane; o++) dx[argmax[o]] += dy[o];
                return;
            }
            for (int plane = first * _c; plane < end * _c; plane++)
            {
                int k = plane * outPlane;
                for (int oy = 0; oy < _ho; oy++, k += _wo)
                {
                    int rowStart = plane * inPlane + oy * _p * _w;
                    int ox = _p == 2 && Vector256.IsHardwareAccelerated && Avx2.IsSupported ? Pool2Row(x, rowStart, y + k, argmax + k) : 0;
                    for (; ox < _wo; ox++)
                    {
                        int best = rowStart + ox * _p;
                        float max = x[best];
                        for (int wy = 0; wy < _p; wy++)
                        for (int wx = 0; wx < _p; wx++)
                        {
                            int i = rowStart + wy * _w + ox * _p + wx;
                            if (x[i] > max) { max = x[i]; best = i; }
                        }
                        y[k + ox] = max;
                        argmax[k + ox] = best;
                    }
                }
            }
        }
    }

    /// <summary>
    /// One output row of a 2×2 pool, eight outputs at a time and branch-free (the maximum of a window is a coin toss for the
    /// branch predictor); ties go to the first element in row-major order, as the scalar loop and PyTorch do. Returns how
    /// many outputs it wrote: all of them, or none when the row has fewer than eight.
    /// </summary>
    private int Pool2Row(float* x, int rowStart, float* y, int* argmax)
    {
        if (_wo < 8) return 0;
        var lanes = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
        var width = Vector256.Create(_w);
        // The last block overlaps the one before it (15 outputs: 0–7, then 7–14), writing equal values twice.
        for (int block = 0; block < _wo; block += 8)
        {
            int ox = Math.Min(block, _wo - 8);
            float* top = x + rowStart + 2 * ox, bottom = top + _w;
            var (a, b) = Deinterleave(Avx.LoadVector256(top), Avx.LoadVector256(top + 8));
            var (c, d) = Deinterleave(Avx.LoadVector256(bottom), Avx.LoadVector256(bottom + 8));
            var max = a;
            var offset = Vector256<int>.Zero;
            var take = Avx.CompareGreaterThan(b, max);
            max = Avx.BlendVariable(max, b, take);
            offset = Avx2.BlendVariable(offset, Vector256<int>.One, take.AsInt32());
            take = Avx.CompareGreaterThan(c, max);
            max = Avx.BlendVariable(max, c, take);
            offset = Avx2.BlendVariable(offset, width, take.AsInt32());
            take = Avx.CompareGreaterThan(d, max);
            max = Avx.BlendVariable(max, d, take);
            offset = Avx2.BlendVariable(offset, width + Vector256<int>.One, take.AsInt32());
            Avx.Store(y + ox, max);
            Avx.Store(argmax + ox, Vector256.Create(rowStart + 2 * ox) + lanes + offset);
        }
        return _wo;
    }

    /// <summary>Elements 0, 2, 4, … and 1, 3, 5, … of the 16 floats in <paramref name="low"/> then <paramref name="high"/>, in order.</summary>
    private static (Vector256<float> Even, Vector256<float> Odd) Deinterleave(Vector256<float> low, Vector256<float> high)
    {
        // Shuffle works within 128-bit lanes: [l0 l2 h0 h2 | l4 l6 h4 h6]; the 64-bit permute puts the pairs in order.
        var even = Avx.Shuffle(low, high, 0b10_00_10_00).AsDouble();
        var odd = Avx.Shuffle(low, high, 0b11_01_11_01).AsDouble();
        return (Avx2.Permute4x64(even, 0b11_01_10_00).AsSingle(), Avx2.Permute4x64(odd, 0b11_01_10_00).AsSingle());
    }
}

/// <summary>
/// Inverted dropout (scale kept values by 1/(1-rate)) in training; identity otherwise. Each call's mask comes from a
/// counter-based hash of (the layer's seed, the call's number, the element's index), so any block of the batch draws its
/// own part of the mask on any worker, in the pass that applies it, and the mask does not depend on the number of workers.
/// </summary>
internal sealed class DropoutLayer : Layer, IRangeJob
{
    private readonly WorkerPool _pool;
    private readonly float _scale;
    private readonly uint _threshold;
    private readonly ulong _seed;
    private readonly float[] _mask, _y;
    private float[] _x = null!, _dy = null!;
    private uint _offset, _key;
    private ulong _calls;
    private bool _active, _backward;

    public DropoutLayer(WorkerPool pool, double rate, int size, int capacity, int seed)
    {
        _pool = pool;
        _scale = (float)(1 / (1 - rate));
        // An element is dropped when the hash's top 24 bits, read as a fraction, are below the rate.
        _threshold = (uint)Math.Ceiling(rate * (1 << 24));
        _seed = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL;
        _mask = new float[capacity * size];
        _y = new float[capacity * size];
        Size = size;
    }

    public int Size { get; }

    public override float[] Forward(float[] x, int n, bool training)
    {
        _active = training && _threshold > 0;
        if (!_active) return x;
        ulong key = SplitMix(_seed + ++_calls);
        (_x, _offset, _key, _backward) = (x, (uint)key, (uint)(key >> 32), false);
        _pool.RunRanges(this, n * Size);
        return _y;
    }

    public override float[]? Backward(float[] x, float[] y, float[] dy, int n, bool needInputGradient)
    {
        if (!_active) return dy;
        (_dy, _backward) = (dy, true);
        _pool.RunRanges(this, n * Size);
        return dy;
    }

    public void Execute(int start, int end)
    {
        long started = EngineProfile.Start();
        var mask = _mask.AsSpan(start, end - start);
        if (_backward)
        {
            var dy = _dy.AsSpan(start, end - start);
            TensorPrimitives.Multiply(dy, mask, dy);
        }
        else
        {
            var x = _x.AsSpan(start, end - start);
            var y = _y.AsSpan(start, end - start);
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var offset = new Vector<uint>(_offset);
                var key = new Vector<uint>(_key);
                var threshold = new Vector<uint>(_threshold);
                var scale = new Vector<float>(_scale);
                for (; i <= mask.Length - Vector<uint>.Count; i += Vector<uint>.Count)
                {
                    var index = new Vector<uint>((uint)(start + i)) + Vector<uint>.Indices;
                    var hash = Mix(Mix(index + offset) ^ key);
                    var dropped = Vector.LessThan(Vector.ShiftRightLogical(hash, 8), threshold);
                    var m = Vector.ConditionalSelect(Vector.AsVectorSingle(dropped), Vector<float>.Zero, scale);
                    m.CopyTo(mask[i..]);
                    (new Vector<float>(x[i..]) * m).CopyTo(y[i..]);
                }
            }
            for (; i < mask.Length; i++)
            {
                uint hash = Mix(Mix((uint)(start + i) + _offset) ^ _key);
                mask[i] = hash >> 8 < _threshold ? 0f : _scale;
                y[i] = x[i] * mask[i];
            }
        }
        EngineProfile.Stop(EngineWork.Dropout, started);
    }

    /// <summary>A 32-bit integer hash with low bias (Wellons' lowbias32), on one value and on a vector of them.</summary>
    internal static uint Mix(uint x)
    {
        x ^= x >> 16;
        x *= 0x7feb352dU;
        x ^= x >> 15;
        x *= 0x846ca68bU;
        return x ^ (x >> 16);
    }

    private static Vector<uint> Mix(Vector<uint> x)
    {
        x ^= Vector.ShiftRightLogical(x, 16);
        x *= new Vector<uint>(0x7feb352dU);
        x ^= Vector.ShiftRightLogical(x, 15);
        x *= new Vector<uint>(0x846ca68bU);
        return x ^ Vector.ShiftRightLogical(x, 16);
    }

    private static ulong SplitMix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

internal sealed class ActivationOnlyLayer : Layer
{
    private readonly float[] _y;
    private readonly int _size;

    public Activation Activation { get; }

    public ActivationOnlyLayer(Activation activation, int size, int capacity)
    {
        (Activation, _size) = (activation, size);
        _y = new float[capacity * size];
    }

    public override float[] Forward(float[] x, int n, bool training)
    {
        long started = EngineProfile.Start();
        x.AsSpan(0, n * _size).CopyTo(_y);
        EngineProfile.Stop(EngineWork.LayoutAndReduce, started);
        Activations.Forward(Activation, _y.AsSpan(0, n * _size));
        return _y;
    }

    public override float[]? Backward(float[] x, float[] y, float[] dy, int n, bool needInputGradient)
    {
        Activations.Backward(Activation, y.AsSpan(0, n * _size), dy.AsSpan(0, n * _size));
        return dy;
    }
}

/// <summary>
/// Token → vector lookup, its rows gathered in blocks of samples over the workers. The gradient is sparse: backward clears
/// and fills only the rows the batch used. It splits the vocabulary, not the batch, over the workers, so no two workers add
/// into one row, and each row still receives its additions in the batch's order: the result does not depend on the split.
/// </summary>
internal sealed class EmbeddingLayer : Layer, IRangeJob, IParallelJob
{
    private readonly WorkerPool _pool;
    private readonly int _t, _d, _v;
    private readonly float[] _y;
    private readonly int[] _stamp;
    private readonly int[][] _touched;
    private readonly int[] _touchedCount;
    private int[] _tokens = null!;
    private float[] _dy = null!;
    private float[] _means = [], _scaledDy = [];
    private int _n, _epoch;

    public Parameter Embeddings { get; }

    /// <summary>
    /// Whether the layer returns each sample's mean over the sequence (a GlobalAveragePooling1D folded in) instead of the
    /// [T, D] vectors: the T·D intermediate, and its gradient, are never written. Same operations in the same order as
    /// the two layers apart, so the same results.
    /// </summary>
    public bool AveragesSequence { get; private set; }

    public void AverageSequence(int capacity)
    {
        AveragesSequence = true;
        _means = new float[capacity * _d];
        _scaledDy = new float[capacity * _d];
    }

    public EmbeddingLayer(WorkerPool pool, WeightSpec embeddings, int length, int capacity, Rng rng)
    {
        _pool = pool;
        int vocabulary = embeddings.Shape[0], dim = embeddings.Shape[1];
        (_v, _d, _t) = (vocabulary, dim, length);
        Embeddings = new Parameter(embeddings);
        rng.Uniform(Embeddings.Value, 0.05);
        Parameters.Add(Embeddings);
        _y = new float[capacity * length * dim];
        _stamp = new int[vocabulary];
        _touched = new int[pool.Workers][];
        _touchedCount = new int[pool.Workers];
        for (int p = 0; p < pool.Workers; p++)
        {
            var (first, end) = WorkerPool.ChunkRange(p, vocabulary, pool.Workers);
            _touched[p] = new int[Math.Min(end - first, capacity * length)];
        }
    }

    public override bool TakesTokens => true;

    /// <summary>Rows the last backward wrote (the rest of the gradient is zero).</summary>
    public int[] TouchedRows => Enumerable.Range(0, _touched.Length).SelectMany(p => _touched[p].Take(_touchedCount[p])).ToArray();

    public override float[] Forward(int[] tokens, int n, bool training)
    {
        CheckTokens(tokens, n);
        (_tokens, _n) = (tokens, n);
        _pool.RunRanges(this, n * _t * _d, _t * _d);
        return AveragesSequence ? _means : _y;
    }

    /// <summary>Checked on the calling thread, before any worker starts: an exception inside a worker would end the process.</summary>
    private void CheckTokens(int[] tokens, int n)
    {
        for (int i = 0; i < n * _t; i++)
            if ((uint)tokens[i] >= (uint)_v) throw new ArgumentOutOfRangeException(nameof(tokens), $"Token {tokens[i]} is outside the embedding's vocabulary of {_v}.");
    }

    /// <summary>The rows of the samples whose [T, D] outputs are [start, end), or their means.</summary>
    void IRangeJob.Execute(int start, int end)
    {
        long started = EngineProfile.Start();
        var table = Embeddings.Value;
        if (!AveragesSequence)
            for (int i = start / _d; i < end / _d; i++) table.AsSpan(_tokens[i] * _d, _d).CopyTo(_y.AsSpan(i * _d, _d));
        else
            for (int s = start / (_t * _d); s < end / (_t * _d); s++)
            {
                var sum = _means.AsSpan(s * _d, _d);
                sum.Clear();
                for (int t = 0; t < _t; t++) TensorPrimitives.Add(sum, table.AsSpan(_tokens[s * _t + t] * _d, _d), sum);
                TensorPrimitives.Multiply(sum, 1f / _t, sum);
            }
        EngineProfile.Stop(EngineWork.Embedding, started);
    }

    public override void Backward(int[] tokens, float[] dy, int n)
    {
        CheckTokens(tokens, n);
        if (++_epoch == int.MaxValue) { Array.Clear(_stamp); _epoch = 1; }
        (_tokens, _dy, _n) = (tokens, dy, n);
        // Each position of a sample receives the sample's gradient over T, as the pooling layer's backward wrote it out.
        if (AveragesSequence) TensorPrimitives.Multiply(dy.AsSpan(0, n * _d), 1f / _t, _scaledDy.AsSpan(0, n * _d));
        // Each part scans every position for its own tokens; below a few thousand positions one part is cheaper.
        if ((long)n * _t * _d < 2L * WorkerPool.MinimumRangeBlock)
            for (int p = 0; p < _pool.Workers; p++) ((IParallelJob)this).Execute(p, 0);
        else _pool.Run(this, _pool.Workers);
    }

    /// <summary>Vocabulary part <paramref name="part"/> of <see cref="WorkerPool.Workers"/>: clears its rows of the last batch, then adds this batch's.</summary>
    void IParallelJob.Execute(int part, int worker)
    {
        long started = EngineProfile.Start();
        var (first, end) = WorkerPool.ChunkRange(part, _v, _pool.Workers);
        var grad = Embeddings.Grad;
        var touched = _touched[part];
        for (int i = 0; i < _touchedCount[part]; i++) grad.AsSpan(touched[i] * _d, _d).Clear();
        int count = 0;
        for (int i = 0; i < _n * _t; i++)
        {
            int token = _tokens[i];
            if (token < first || token >= end) continue;
            if (_stamp[token] != _epoch)
            {
                _stamp[token] = _epoch;
                touched[count++] = token;
            }
            var row = grad.AsSpan(token * _d, _d);
            TensorPrimitives.Add(row, AveragesSequence ? _scaledDy.AsSpan(i / _t * _d, _d) : _dy.AsSpan(i * _d, _d), row);
        }
        _touchedCount[part] = count;
        EngineProfile.Stop(EngineWork.Embedding, started);
    }
}

/// <summary>Mean over the sequence, in blocks of samples over the workers.</summary>
internal sealed class GlobalAveragePooling1DLayer : Layer, IRangeJob
{
    private readonly WorkerPool _pool;
    private readonly int _t, _d;
    private readonly float[] _y, _dx;
    private float[] _x = null!, _dy = null!;
    private bool _backward;

    public GlobalAveragePooling1DLayer(WorkerPool pool, int length, int dim, int capacity)
    {
        _pool = pool;
        (_t, _d) = (length, dim);
        _y = new float[capacity * dim];
        _dx = new float[capacity * length * dim];
    }

    public override float[] Forward(float[] x, int n, bool training)
    {
        (_x, _backward) = (x, false);
        _pool.RunRanges(this, n * _t * _d, _t * _d);
        return _y;
    }

    public override float[]? Backward(float[] x, float[] y, float[] dy, int n, bool needInputGradient)
    {
        if (!needInputGradient) return null;
        (_dy, _backward) = (dy, true);
        _pool.RunRanges(this, n * _t * _d, _t * _d);
        return _dx;
    }

    /// <summary>The samples whose inputs are [start, end).</summary>
    public void Execute(int start, int end)
    {
        long started = EngineProfile.Start();
        float scale = 1f / _t;
        for (int s = start / (_t * _d); s < end / (_t * _d); s++)
        {
            if (_backward)
            {
                var g = _dy.AsSpan(s * _d, _d);
                for (int t = 0; t < _t; t++) TensorPrimitives.Multiply(g, scale, _dx.AsSpan((s * _t + t) * _d, _d));
                continue;
            }
            var sum = _y.AsSpan(s * _d, _d);
            sum.Clear();
            for (int t = 0; t < _t; t++) TensorPrimitives.Add(sum, _x.AsSpan((s * _t + t) * _d, _d), sum);
            TensorPrimitives.Multiply(sum, scale, sum);
        }
        EngineProfile.Stop(EngineWork.Pooling, started);
    }
}
