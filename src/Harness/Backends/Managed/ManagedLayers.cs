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

    /// <summary>Each dropout layer draws its masks from its own generator (seeded by the session's seed and its index).</summary>
    public Layer Dropout(LayerContext at, double rate) => new DropoutLayer(rate, at.OutputSize, capacity, new Rng(seed * 7919 + at.Index));

    /// <summary>Activations are row-major per-sample buffers already.</summary>
    public Layer? Flatten(LayerContext at) => null;

    public Layer Embedding(LayerContext at, WeightSpec embeddings) => new EmbeddingLayer(embeddings, at.InputShape[0], capacity, _rng);

    public Layer GlobalAveragePooling1D(LayerContext at) => new GlobalAveragePooling1DLayer(at.InputShape[0], at.InputShape[1], capacity);

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

    public virtual float[] Forward(int[] tokens, int n, bool training) =>
        throw new InvalidOperationException($"{GetType().Name} takes float input.");

    public virtual void Backward(int[] tokens, float[] dy, int n) =>
        throw new InvalidOperationException($"{GetType().Name} takes float input.");
}

internal sealed class DenseLayer : Layer
{
    private readonly WorkerPool _pool;
    private readonly float[] _y, _dx;
    public int In { get; }
    public int Out { get; }
    public Activation Activation { get; }
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
    }

    public override float[] Forward(float[] x, int n, bool training)
    {
        Blas.Gemm(_pool, false, false, n, Out, In, x, 0, In, Kernel.Value, 0, Out, 0f, _y, 0, Out);
        Blas.AddBiasRows(_y, n, Bias.Value);
        Activations.Forward(Activation, _y.AsSpan(0, n * Out));
        return _y;
    }

    public override float[]? Backward(float[] x, float[] y, float[] dy, int n, bool needInputGradient)
    {
        Activations.Backward(Activation, y.AsSpan(0, n * Out), dy.AsSpan(0, n * Out));
        Blas.Gemm(_pool, true, false, In, Out, n, x, 0, In, dy, 0, Out, 0f, Kernel.Grad, 0, Out);
        Blas.ColumnSums(dy, n, Out, Bias.Grad);
        if (!needInputGradient) return null;
        Blas.Gemm(_pool, false, true, n, In, Out, dy, 0, Out, Kernel.Value, 0, Out, 0f, _dx, 0, In);
        return _dx;
    }
}

/// <summary>Stride-1 square convolution, channels first, via im2col + GEMM per sample, samples spread over the workers.</summary>
internal sealed class Conv2DLayer : Layer, IParallelJob
{
    private readonly WorkerPool _pool;
    private readonly int _c, _h, _w, _k, _pad, _ho, _wo, _f, _ckk, _hw;
    private readonly float[] _y, _dx;
    private readonly float[][] _col, _dW, _db;
    private readonly Activation _activation;
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
        Im2Col(_x, s * _c * _h * _w, col);
        int yOffset = s * _f * _hw;
        if (!_backward)
        {
            Blas.GemmOn(_pool, worker, false, false, _f, _hw, _ckk, Kernel.Value, 0, _ckk, col, 0, _hw, 0f, _y, yOffset, _hw);
            long started = EngineProfile.Start();
            for (int f = 0; f < _f; f++)
            {
                var row = _y.AsSpan(yOffset + f * _hw, _hw);
                TensorPrimitives.Add(row, Bias.Value[f], row);
            }
            EngineProfile.Stop(EngineWork.BiasAndActivation, started);
            Activations.Forward(_activation, _y.AsSpan(yOffset, _f * _hw));
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
        Col2Im(col, _dx, s * _c * _h * _w);
    }

    private void Im2Col(float[] x, int xOffset, float[] col)
    {
        long started = EngineProfile.Start();
        int row = 0;
        for (int c = 0; c < _c; c++)
        for (int ky = 0; ky < _k; ky++)
        for (int kx = 0; kx < _k; kx++, row++)
        {
            var dst = col.AsSpan(row * _hw, _hw);
            int x0 = Math.Max(0, _pad - kx), x1 = Math.Min(_wo, _w + _pad - kx);
            for (int oy = 0; oy < _ho; oy++)
            {
                var line = dst.Slice(oy * _wo, _wo);
                int iy = oy + ky - _pad;
                if (iy < 0 || iy >= _h || x1 <= x0) { line.Clear(); continue; }
                if (x0 > 0) line[..x0].Clear();
                if (x1 < _wo) line[x1..].Clear();
                x.AsSpan(xOffset + (c * _h + iy) * _w + x0 + kx - _pad, x1 - x0).CopyTo(line[x0..x1]);
            }
        }
        EngineProfile.Stop(EngineWork.Im2Col, started);
    }

    /// <summary>Scatter-adds the column matrix back onto the image; rows are short (the output width), so the adds are inlined.</summary>
    private unsafe void Col2Im(float[] col, float[] dx, int dxOffset)
    {
        long started = EngineProfile.Start();
        dx.AsSpan(dxOffset, _c * _h * _w).Clear();
        fixed (float* colBase = col)
        fixed (float* dxBase = dx)
        {
            int row = 0;
            for (int c = 0; c < _c; c++)
            for (int ky = 0; ky < _k; ky++)
            for (int kx = 0; kx < _k; kx++, row++)
            {
                int x0 = Math.Max(0, _pad - kx), x1 = Math.Min(_wo, _w + _pad - kx), length = x1 - x0;
                if (length <= 0) continue;
                for (int oy = 0; oy < _ho; oy++)
                {
                    int iy = oy + ky - _pad;
                    if (iy < 0 || iy >= _h) continue;
                    float* src = colBase + row * _hw + oy * _wo + x0;
                    float* dst = dxBase + dxOffset + (c * _h + iy) * _w + x0 + kx - _pad;
                    int i = 0;
                    for (; i <= length - 8; i += 8)
                        System.Runtime.Intrinsics.Vector256.Store(System.Runtime.Intrinsics.Vector256.Load(dst + i) + System.Runtime.Intrinsics.Vector256.Load(src + i), dst + i);
                    for (; i < length; i++) dst[i] += src[i];
                }
            }
        }
        EngineProfile.Stop(EngineWork.Col2Im, started);
    }
}

internal sealed class MaxPool2DLayer : Layer, IParallelJob
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
        if (_backward)
        {
            _dx.AsSpan(first * _c * inPlane, (end - first) * _c * inPlane).Clear();
            for (int o = first * _c * outPlane; o < end * _c * outPlane; o++) _dx[_argmax[o]] += _dy[o];
            return;
        }
        var x = _x;
        int k = first * _c * outPlane;
        for (int plane = first * _c; plane < end * _c; plane++)
        {
            int planeOffset = plane * inPlane;
            for (int oy = 0; oy < _ho; oy++)
            for (int ox = 0; ox < _wo; ox++, k++)
            {
                int best = planeOffset + oy * _p * _w + ox * _p;
                float max = x[best];
                for (int dy = 0; dy < _p; dy++)
                for (int dx = 0; dx < _p; dx++)
                {
                    int i = planeOffset + (oy * _p + dy) * _w + ox * _p + dx;
                    if (x[i] > max) { max = x[i]; best = i; }
                }
                _y[k] = max;
                _argmax[k] = best;
            }
        }
    }
}

/// <summary>Inverted dropout (scale kept values by 1/(1-rate)) in training; identity otherwise.</summary>
internal sealed class DropoutLayer : Layer
{
    private readonly float _rate, _scale;
    private readonly float[] _mask, _y;
    private readonly Rng _rng;
    private bool _active;

    public DropoutLayer(double rate, int size, int capacity, Rng rng)
    {
        _rate = (float)rate;
        _scale = 1f / (1f - _rate);
        _mask = new float[capacity * size];
        _y = new float[capacity * size];
        _rng = rng;
        Size = size;
    }

    public int Size { get; }

    public override float[] Forward(float[] x, int n, bool training)
    {
        _active = training && _rate > 0;
        if (!_active) return x;
        long started = EngineProfile.Start();
        int count = n * Size;
        for (int i = 0; i < count; i++) _mask[i] = _rng.NextFloat() < _rate ? 0f : _scale;
        TensorPrimitives.Multiply(x.AsSpan(0, count), _mask.AsSpan(0, count), _y.AsSpan(0, count));
        EngineProfile.Stop(EngineWork.Dropout, started);
        return _y;
    }

    public override float[]? Backward(float[] x, float[] y, float[] dy, int n, bool needInputGradient)
    {
        if (!_active) return dy;
        long started = EngineProfile.Start();
        var span = dy.AsSpan(0, n * Size);
        TensorPrimitives.Multiply(span, _mask.AsSpan(0, n * Size), span);
        EngineProfile.Stop(EngineWork.Dropout, started);
        return dy;
    }
}

internal sealed class ActivationOnlyLayer : Layer
{
    private readonly Activation _activation;
    private readonly float[] _y;
    private readonly int _size;

    public ActivationOnlyLayer(Activation activation, int size, int capacity)
    {
        (_activation, _size) = (activation, size);
        _y = new float[capacity * size];
    }

    public override float[] Forward(float[] x, int n, bool training)
    {
        long started = EngineProfile.Start();
        x.AsSpan(0, n * _size).CopyTo(_y);
        EngineProfile.Stop(EngineWork.LayoutAndReduce, started);
        Activations.Forward(_activation, _y.AsSpan(0, n * _size));
        return _y;
    }

    public override float[]? Backward(float[] x, float[] y, float[] dy, int n, bool needInputGradient)
    {
        Activations.Backward(_activation, y.AsSpan(0, n * _size), dy.AsSpan(0, n * _size));
        return dy;
    }
}

/// <summary>Token → vector lookup. The gradient is sparse: backward clears and fills only the rows the batch used.</summary>
internal sealed class EmbeddingLayer : Layer
{
    private readonly int _t, _d, _v;
    private readonly float[] _y;
    private readonly int[] _stamp, _touched;
    private int _touchedCount, _epoch;

    public Parameter Embeddings { get; }

    public EmbeddingLayer(WeightSpec embeddings, int length, int capacity, Rng rng)
    {
        int vocabulary = embeddings.Shape[0], dim = embeddings.Shape[1];
        (_v, _d, _t) = (vocabulary, dim, length);
        Embeddings = new Parameter(embeddings);
        rng.Uniform(Embeddings.Value, 0.05);
        Parameters.Add(Embeddings);
        _y = new float[capacity * length * dim];
        _stamp = new int[vocabulary];
        _touched = new int[Math.Min(vocabulary, capacity * length)];
    }

    public override bool TakesTokens => true;

    /// <summary>Rows the last backward wrote (the rest of the gradient is zero).</summary>
    public ReadOnlySpan<int> TouchedRows => _touched.AsSpan(0, _touchedCount);

    public override float[] Forward(int[] tokens, int n, bool training)
    {
        long started = EngineProfile.Start();
        int count = n * _t;
        for (int i = 0; i < count; i++)
        {
            int token = tokens[i];
            if ((uint)token >= (uint)_v) throw new ArgumentOutOfRangeException(nameof(tokens), $"Token {token} is outside the embedding's vocabulary of {_v}.");
            Embeddings.Value.AsSpan(token * _d, _d).CopyTo(_y.AsSpan(i * _d, _d));
        }
        EngineProfile.Stop(EngineWork.Embedding, started);
        return _y;
    }

    public override void Backward(int[] tokens, float[] dy, int n)
    {
        long started = EngineProfile.Start();
        var grad = Embeddings.Grad;
        for (int i = 0; i < _touchedCount; i++) grad.AsSpan(_touched[i] * _d, _d).Clear();
        _touchedCount = 0;
        if (++_epoch == int.MaxValue) { Array.Clear(_stamp); _epoch = 1; }
        int count = n * _t;
        for (int i = 0; i < count; i++)
        {
            int token = tokens[i];
            if (_stamp[token] != _epoch)
            {
                _stamp[token] = _epoch;
                _touched[_touchedCount++] = token;
            }
            var row = grad.AsSpan(token * _d, _d);
            TensorPrimitives.Add(row, dy.AsSpan(i * _d, _d), row);
        }
        EngineProfile.Stop(EngineWork.Embedding, started);
    }
}

internal sealed class GlobalAveragePooling1DLayer : Layer
{
    private readonly int _t, _d;
    private readonly float[] _y, _dx;

    public GlobalAveragePooling1DLayer(int length, int dim, int capacity)
    {
        (_t, _d) = (length, dim);
        _y = new float[capacity * dim];
        _dx = new float[capacity * length * dim];
    }

    public override float[] Forward(float[] x, int n, bool training)
    {
        long started = EngineProfile.Start();
        float scale = 1f / _t;
        for (int s = 0; s < n; s++)
        {
            var sum = _y.AsSpan(s * _d, _d);
            sum.Clear();
            for (int t = 0; t < _t; t++) TensorPrimitives.Add(sum, x.AsSpan((s * _t + t) * _d, _d), sum);
            TensorPrimitives.Multiply(sum, scale, sum);
        }
        EngineProfile.Stop(EngineWork.Pooling, started);
        return _y;
    }

    public override float[]? Backward(float[] x, float[] y, float[] dy, int n, bool needInputGradient)
    {
        if (!needInputGradient) return null;
        long started = EngineProfile.Start();
        float scale = 1f / _t;
        for (int s = 0; s < n; s++)
        {
            var g = dy.AsSpan(s * _d, _d);
            for (int t = 0; t < _t; t++) TensorPrimitives.Multiply(g, scale, _dx.AsSpan((s * _t + t) * _d, _d));
        }
        EngineProfile.Stop(EngineWork.Pooling, started);
        return _dx;
    }
}
