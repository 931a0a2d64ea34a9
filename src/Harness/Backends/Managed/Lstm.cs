using System.Numerics;
using System.Numerics.Tensors;

namespace PerfTests.Harness.Backends.Managed;

/// <summary>
/// One LSTM direction returning its last hidden state. Keras layout: kernel [F, 4U], recurrent kernel [U, 4U],
/// one bias [4U], gate order i, f, c, o, sigmoid gates. Time-major buffers ([T, n, ·]) make the input projection
/// and the weight gradients single GEMMs over T·n rows. With <c>oneHotDepth</c> &gt; 0 the input is token indices
/// and x·W is a gather of kernel rows (the OneHot layer folded in); its kernel gradient is a scatter-add.
/// </summary>
internal sealed class LstmCore : IRangeJob
{
    private readonly WorkerPool _pool;
    private readonly int _t, _f, _u, _g;
    private readonly bool _reverse, _oneHot;
    private readonly float[] _xt, _gates, _cs, _tc, _hs, _dz, _dh, _dc, _dxt;
    private int _cellStep, _cellSamples;
    private bool _cellBackward;

    public Parameter Kernel { get; }
    public Parameter Recurrent { get; }
    public Parameter Bias { get; }
    public float[] Dx { get; }

    public LstmCore(WorkerPool pool, LstmDirection direction, int length, bool oneHot, int capacity, Rng rng)
    {
        _pool = pool;
        int features = direction.Features, units = direction.Units;
        (_t, _f, _u, _g, _reverse, _oneHot) = (length, features, units, 4 * units, direction.Reverse, oneHot);
        Kernel = new Parameter(direction.Kernel);
        Recurrent = new Parameter(direction.RecurrentKernel);
        Bias = new Parameter(direction.Bias);
        Init.GlorotUniform(rng, Kernel.Value, features, _g);
        Init.OrthogonalRows(rng, Recurrent.Value, units, _g);
        Bias.Value.AsSpan(units, units).Fill(1f);
        _xt = oneHot ? [] : new float[length * capacity * features];
        _dxt = oneHot ? [] : new float[length * capacity * features];
        Dx = oneHot ? [] : new float[capacity * length * features];
        _gates = new float[length * capacity * _g];
        _dz = new float[length * capacity * _g];
        _cs = new float[length * capacity * units];
        _tc = new float[length * capacity * units];
        _hs = new float[(length + 1) * capacity * units];
        _dh = new float[capacity * units];
        _dc = new float[capacity * units];
    }

    /// <summary>The last hidden state: n × U at offset <see cref="LastOffset"/> of <see cref="Hidden"/>.</summary>
    public float[] Hidden => _hs;

    public int LastOffset(int n) => _t * n * _u;

    /// <param name="parallel">Whether GEMMs may use every worker; false inside a job, then <paramref name="worker"/>'s buffers.</param>
    public void Forward(float[]? x, int[]? tokens, int n, bool parallel, int worker)
    {
        int g = _g, u = _u;
        if (_oneHot)
        {
            long gatherStarted = EngineProfile.Start();
            for (int t = 0; t < _t; t++)
            {
                int source = _reverse ? _t - 1 - t : t;
                for (int s = 0; s < n; s++)
                {
                    int token = tokens![s * _t + source];
                    if ((uint)token >= (uint)_f) throw new ArgumentOutOfRangeException(nameof(tokens), $"Token {token} is outside the one-hot depth {_f}.");
                    TensorPrimitives.Add(Kernel.Value.AsSpan(token * g, g), Bias.Value, _gates.AsSpan((t * n + s) * g, g));
                }
            }
            EngineProfile.Stop(EngineWork.Embedding, gatherStarted);
        }
        else
        {
            long copyStarted = EngineProfile.Start();
            for (int t = 0; t < _t; t++)
            {
                int source = _reverse ? _t - 1 - t : t;
                for (int s = 0; s < n; s++)
                    x!.AsSpan((s * _t + source) * _f, _f).CopyTo(_xt.AsSpan((t * n + s) * _f, _f));
            }
            EngineProfile.Stop(EngineWork.LayoutAndReduce, copyStarted);
            Gemm(parallel, worker, false, false, _t * n, g, _f, _xt, 0, _f, Kernel.Value, 0, g, 0f, _gates, 0, g);
            Blas.AddBiasRows(_gates, _t * n, Bias.Value);
        }
        _hs.AsSpan(0, n * u).Clear();
        for (int t = 0; t < _t; t++)
        {
            int gateOffset = t * n * g;
            if (t > 0) Gemm(parallel, worker, false, false, n, g, u, _hs, t * n * u, u, Recurrent.Value, 0, g, 1f, _gates, gateOffset, g);
            Cells(t, n, backward: false, parallel);
        }
    }

    /// <summary>
    /// Step <paramref name="t"/>'s cell for every sample: the gates' activations and the new c and h forward, or the gate
    /// gradients backward. Samples are independent, so with <paramref name="parallel"/> blocks of whole samples (U cell
    /// values each) are split over the workers.
    /// </summary>
    private void Cells(int t, int n, bool backward, bool parallel)
    {
        (_cellStep, _cellSamples, _cellBackward) = (t, n, backward);
        if (parallel) _pool.RunRanges(this, n * _u, _u);
        else Execute(0, n * _u);
    }

    /// <summary>The samples whose cell values are [start, end).</summary>
    public void Execute(int start, int end)
    {
        long started = EngineProfile.Start();
        if (_cellBackward) CellsBackward(_cellStep, _cellSamples, start / _u, end / _u);
        else CellsForward(_cellStep, _cellSamples, start / _u, end / _u);
        EngineProfile.Stop(EngineWork.LstmCell, started);
    }

    private void CellsForward(int t, int n, int first, int end)
    {
        int g = _g, u = _u, gateOffset = t * n * g;
        for (int s = first; s < end; s++)
        {
            var z = _gates.AsSpan(gateOffset + s * g, g);
            TensorPrimitives.Sigmoid(z[..(2 * u)], z[..(2 * u)]);
            TensorPrimitives.Tanh(z.Slice(2 * u, u), z.Slice(2 * u, u));
            TensorPrimitives.Sigmoid(z[(3 * u)..], z[(3 * u)..]);
            var c = _cs.AsSpan((t * n + s) * u, u);
            var tc = _tc.AsSpan((t * n + s) * u, u);
            var h = _hs.AsSpan(((t + 1) * n + s) * u, u);
            var i = z[..u];
            var f = z.Slice(u, u);
            var cc = z.Slice(2 * u, u);
            var o = z[(3 * u)..];
            TensorPrimitives.Multiply(i, cc, c);
            if (t > 0) TensorPrimitives.FusedMultiplyAdd(f, _cs.AsSpan(((t - 1) * n + s) * u, u), c, c);
            TensorPrimitives.Tanh(c, tc);
            TensorPrimitives.Multiply(o, tc, h);
        }
    }

    /// <summary>Back-propagates dL/dh_T (n × U at <paramref name="dyOffset"/> with row stride <paramref name="dyStride"/>).</summary>
    public void Backward(float[] dy, int dyOffset, int dyStride, int[]? tokens, int n, bool needInputGradient, bool parallel, int worker)
    {
        int g = _g, u = _u;
        for (int s = 0; s < n; s++) dy.AsSpan(dyOffset + s * dyStride, u).CopyTo(_dh.AsSpan(s * u, u));
        _dc.AsSpan(0, n * u).Clear();
        for (int t = _t - 1; t >= 0; t--)
        {
            Cells(t, n, backward: true, parallel);
            if (t > 0) Gemm(parallel, worker, false, true, n, u, g, _dz, t * n * g, g, Recurrent.Value, 0, g, 0f, _dh, 0, u);
        }
        int rows = _t * n;
        // h_0 = 0, so rows of hs[0..T) pair with dz[0..T).
        Gemm(parallel, worker, true, false, u, g, rows, _hs, 0, u, _dz, 0, g, 0f, Recurrent.Grad, 0, g);
        Blas.ColumnSums(_dz, rows, g, Bias.Grad);
        if (_oneHot)
        {
            long scatterStarted = EngineProfile.Start();
            Array.Clear(Kernel.Grad);
            for (int t = 0; t < _t; t++)
            {
                int source = _reverse ? _t - 1 - t : t;
                for (int s = 0; s < n; s++)
                {
                    var row = Kernel.Grad.AsSpan(tokens![s * _t + source] * g, g);
                    TensorPrimitives.Add(row, _dz.AsSpan((t * n + s) * g, g), row);
                }
            }
            EngineProfile.Stop(EngineWork.Embedding, scatterStarted);
            return;
        }
        Gemm(parallel, worker, true, false, _f, g, rows, _xt, 0, _f, _dz, 0, g, 0f, Kernel.Grad, 0, g);
        if (!needInputGradient) return;
        Gemm(parallel, worker, false, true, rows, _f, g, _dz, 0, g, Kernel.Value, 0, g, 0f, _dxt, 0, _f);
        long copyStarted = EngineProfile.Start();
        for (int t = 0; t < _t; t++)
        {
            int target = _reverse ? _t - 1 - t : t;
            for (int s = 0; s < n; s++)
                _dxt.AsSpan((t * n + s) * _f, _f).CopyTo(Dx.AsSpan((s * _t + target) * _f, _f));
        }
        EngineProfile.Stop(EngineWork.LayoutAndReduce, copyStarted);
    }

    private void CellsBackward(int t, int n, int first, int end)
    {
        int g = _g, u = _u;
        for (int s = first; s < end; s++)
        {
            int zo = t * n * g + s * g, co = (t * n + s) * u, po = ((t - 1) * n + s) * u;
            GateGradients(zo, co, t > 0 ? po : -1, s * u);
        }
    }

    /// <summary>
    /// One sample's step back through the cell: from dh and the carried dc to the four pre-activation gradients dz
    /// (written at <paramref name="zo"/>) and the dc handed to the previous step. Vectorised over the units.
    /// </summary>
    private void GateGradients(int zo, int co, int po, int so)
    {
        int u = _u, k = 0;
        var gates = _gates.AsSpan(zo, 4 * u);
        var dz = _dz.AsSpan(zo, 4 * u);
        var tcs = _tc.AsSpan(co, u);
        var dhs = _dh.AsSpan(so, u);
        var dcs = _dc.AsSpan(so, u);
        var prev = po >= 0 ? _cs.AsSpan(po, u) : default;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            var one = Vector<float>.One;
            for (; k <= u - width; k += width)
            {
                var ig = new Vector<float>(gates[k..]);
                var fg = new Vector<float>(gates[(u + k)..]);
                var cg = new Vector<float>(gates[(2 * u + k)..]);
                var og = new Vector<float>(gates[(3 * u + k)..]);
                var tc = new Vector<float>(tcs[k..]);
                var dh = new Vector<float>(dhs[k..]);
                var cPrev = po >= 0 ? new Vector<float>(prev[k..]) : Vector<float>.Zero;
                var dc = new Vector<float>(dcs[k..]) + dh * og * (one - tc * tc);
                (dc * cg * ig * (one - ig)).CopyTo(dz[k..]);
                (dc * cPrev * fg * (one - fg)).CopyTo(dz[(u + k)..]);
                (dc * ig * (one - cg * cg)).CopyTo(dz[(2 * u + k)..]);
                (dh * tc * og * (one - og)).CopyTo(dz[(3 * u + k)..]);
                (dc * fg).CopyTo(dcs[k..]);
            }
        }
        for (; k < u; k++)
        {
            float ig = gates[k], fg = gates[u + k], cg = gates[2 * u + k], og = gates[3 * u + k];
            float tc = tcs[k], dh = dhs[k];
            float cPrev = po >= 0 ? prev[k] : 0f;
            float dc = dcs[k] + dh * og * (1f - tc * tc);
            dz[k] = dc * cg * ig * (1f - ig);
            dz[u + k] = dc * cPrev * fg * (1f - fg);
            dz[2 * u + k] = dc * ig * (1f - cg * cg);
            dz[3 * u + k] = dh * tc * og * (1f - og);
            dcs[k] = dc * fg;
        }
    }

    private void Gemm(bool parallel, int worker, bool ta, bool tb, int m, int n, int k, float[] a, int ao, int lda, float[] b, int bo, int ldb,
        float beta, float[] c, int co, int ldc)
    {
        if (parallel) Blas.Gemm(_pool, ta, tb, m, n, k, a, ao, lda, b, bo, ldb, beta, c, co, ldc);
        else Blas.GemmOn(_pool, worker, ta, tb, m, n, k, a, ao, lda, b, bo, ldb, beta, c, co, ldc);
    }
}

/// <summary>LSTM or Bidirectional(LSTM) returning the last output(s); the two directions run on two workers at once.</summary>
internal sealed class LstmLayer : Layer, IParallelJob
{
    private readonly WorkerPool _pool;
    private readonly LstmCore[] _directions;
    private readonly int _u, _t, _f;
    private readonly float[] _y, _dx;
    private float[]? _x, _dy;
    private int[]? _tokens;
    private int _n;
    private bool _backward, _needInput;

    /// <param name="directions">One, or forward then backward (Bidirectional): built, and so initialised, in this order.</param>
    public LstmLayer(WorkerPool pool, IReadOnlyList<LstmDirection> directions, int length, bool oneHot, int capacity, Rng rng)
    {
        _pool = pool;
        if (directions.Count is not (1 or 2)) throw new ArgumentException($"An LSTM has one or two directions, not {directions.Count}.", nameof(directions));
        int units = directions[0].Units, features = directions[0].Features;
        bool bidirectional = directions.Count == 2;
        (_u, _t, _f) = (units, length, features);
        _directions = directions.Select(d => new LstmCore(pool, d, length, oneHot, capacity, rng)).ToArray();
        foreach (var d in _directions)
        {
            Parameters.Add(d.Kernel);
            Parameters.Add(d.Recurrent);
            Parameters.Add(d.Bias);
        }
        OneHot = oneHot;
        _y = new float[capacity * units * _directions.Length];
        _dx = oneHot || !bidirectional ? [] : new float[capacity * length * features];
    }

    public bool OneHot { get; }

    public override bool TakesTokens => OneHot;

    public override float[] Forward(float[] x, int n, bool training) => Run(x, null, n);

    public override float[] Forward(int[] tokens, int n, bool training) => Run(null, tokens, n);

    private float[] Run(float[]? x, int[]? tokens, int n)
    {
        (_x, _tokens, _n, _backward) = (x, tokens, n, false);
        if (_directions.Length == 1) _directions[0].Forward(x, tokens, n, parallel: true, worker: 0);
        else _pool.Run(this, 2);
        int width = _u * _directions.Length;
        for (int d = 0; d < _directions.Length; d++)
        {
            var core = _directions[d];
            int last = core.LastOffset(n);
            for (int s = 0; s < n; s++) core.Hidden.AsSpan(last + s * _u, _u).CopyTo(_y.AsSpan(s * width + d * _u, _u));
        }
        return _y;
    }

    public override float[]? Backward(float[] x, float[] y, float[] dy, int n, bool needInputGradient)
    {
        (_tokens, _dy, _n, _backward, _needInput) = (null, dy, n, true, needInputGradient);
        if (_directions.Length == 1)
        {
            _directions[0].Backward(dy, 0, _u, null, n, needInputGradient, parallel: true, worker: 0);
            return needInputGradient ? _directions[0].Dx : null;
        }
        _pool.Run(this, 2);
        if (!needInputGradient) return null;
        long started = EngineProfile.Start();
        int count = n * _t * _f;
        TensorPrimitives.Add(_directions[0].Dx.AsSpan(0, count), _directions[1].Dx.AsSpan(0, count), _dx.AsSpan(0, count));
        EngineProfile.Stop(EngineWork.LayoutAndReduce, started);
        return _dx;
    }

    public override void Backward(int[] tokens, float[] dy, int n)
    {
        (_tokens, _dy, _n, _backward, _needInput) = (tokens, dy, n, true, false);
        if (_directions.Length == 1) _directions[0].Backward(dy, 0, _u, tokens, n, false, parallel: true, worker: 0);
        else _pool.Run(this, 2);
    }

    public void Execute(int item, int worker)
    {
        // Each direction runs on its own worker, so its GEMMs stay on that worker (with one worker, the pool runs both inline).
        if (!_backward) _directions[item].Forward(_x, _tokens, _n, parallel: false, worker);
        else _directions[item].Backward(_dy!, item * _u, 2 * _u, _tokens, _n, _needInput, parallel: false, worker);
    }
}
