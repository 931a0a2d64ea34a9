using System.Numerics;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Backends.Managed;

/// <summary>
/// Keras 2.0 optimizers with the update rules of the TorchSharp backend (PyTorch's formulas, Keras's hyper-parameters):
/// epsilon outside the square root for Adam and RMSprop, inside for Adadelta; Keras time-based decay of the learning rate.
/// Updates are dense, as Keras 2.0 and PyTorch's dense Adam do: a row of an embedding the batch did not use still moves
/// with Adam's momentum, so updating only used rows would change the results.
/// </summary>
internal abstract class Optimizer(OptimizerSpec spec, IReadOnlyList<Parameter> parameters, WorkerPool? pool) : IRangeJob
{
    private int _index;
    private float _lr;

    protected IReadOnlyList<Parameter> Parameters { get; private set; } = parameters;

    /// <summary>Moves the optimizer state to a rebuilt model's parameters (same shapes, same order).</summary>
    public void Rebind(IReadOnlyList<Parameter> parameters)
    {
        for (int i = 0; i < parameters.Count; i++)
            if (parameters[i].Length != Parameters[i].Length) throw new InvalidOperationException($"Parameter {parameters[i].Name} changed size.");
        Parameters = parameters;
    }

    public long Updates { get; private set; }

    public void Step()
    {
        float lr = (float)spec.LearningRateAt(Updates);
        Updates++;
        // The update is memory-bound; a large tensor is still split over the workers, since one core alone does not use all of
        // the memory bandwidth.
        for (int i = 0; i < Parameters.Count; i++)
        {
            (_index, _lr) = (i, lr);
            if (pool is null) Execute(0, Parameters[i].Length);
            else pool.RunRanges(this, Parameters[i].Length);
        }
    }

    public void Execute(int start, int end)
    {
        long started = EngineProfile.Start();
        Update(_index, Parameters[_index], _lr, start, end);
        EngineProfile.Stop(EngineWork.Optimizer, started);
    }

    /// <summary>Updates elements [<paramref name="start"/>, <paramref name="end"/>) of parameter <paramref name="index"/> (<paramref name="p"/>) with its gradient.</summary>
    protected abstract void Update(int index, Parameter p, float lr, int start, int end);

    protected float[][] State() => Parameters.Select(p => new float[p.Length]).ToArray();

    /// <param name="pool">Splits large tensors over its workers; null updates on the calling thread.</param>
    public static Optimizer Create(OptimizerSpec spec, IReadOnlyList<Parameter> parameters, WorkerPool? pool = null) => spec switch
    {
        AdamSpec a => new Adam(a, parameters, pool),
        RmsPropSpec r => new RmsProp(r, parameters, pool),
        AdadeltaSpec d => new Adadelta(d, parameters, pool),
        _ => throw new NotSupportedException($"managed has no optimizer for {spec.GetType().Name}."),
    };
}

/// <summary>m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε).</summary>
internal sealed class Adam : Optimizer
{
    private readonly AdamSpec _spec;
    private readonly float[][] _m, _v;

    public Adam(AdamSpec spec, IReadOnlyList<Parameter> parameters, WorkerPool? pool) : base(spec, parameters, pool)
    {
        _spec = spec;
        _m = State();
        _v = State();
    }

    protected override void Update(int index, Parameter p, float lr, int start, int end)
    {
        long t = Updates;
        float b1 = (float)_spec.Beta1, b2 = (float)_spec.Beta2, eps = (float)_spec.Epsilon;
        // The complements in double: 1 − 0.999f is 0.00100005, 4.7e-5 off, which moved every update by up to 2e-5 (relative).
        float b1c = (float)(1 - _spec.Beta1), b2c = (float)(1 - _spec.Beta2);
        float stepSize = (float)(lr / (1 - Math.Pow(_spec.Beta1, t)));
        float bc2Sqrt = (float)Math.Sqrt(1 - Math.Pow(_spec.Beta2, t));
        var w = p.Value.AsSpan(start, end - start);
        var g = p.Grad.AsSpan(start, end - start);
        var m = _m[index].AsSpan(start, end - start);
        var v = _v[index].AsSpan(start, end - start);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            var vb1 = new Vector<float>(b1); var vb1c = new Vector<float>(b1c);
            var vb2 = new Vector<float>(b2); var vb2c = new Vector<float>(b2c);
            var vEps = new Vector<float>(eps); var vBc = new Vector<float>(bc2Sqrt); var vStep = new Vector<float>(stepSize);
            for (; i <= w.Length - width; i += width)
            {
                var gi = new Vector<float>(g[i..]);
                var mi = vb1 * new Vector<float>(m[i..]) + vb1c * gi;
                var vi = vb2 * new Vector<float>(v[i..]) + vb2c * gi * gi;
                var wi = new Vector<float>(w[i..]) - vStep * mi / (Vector.SquareRoot(vi) / vBc + vEps);
                mi.CopyTo(m[i..]); vi.CopyTo(v[i..]); wi.CopyTo(w[i..]);
            }
        }
        for (; i < w.Length; i++)
        {
            m[i] = b1 * m[i] + b1c * g[i];
            v[i] = b2 * v[i] + b2c * g[i] * g[i];
            w[i] -= stepSize * m[i] / (MathF.Sqrt(v[i]) / bc2Sqrt + eps);
        }
    }
}

/// <summary>v ← ρ·v + (1−ρ)·g²; p ← p − lr · g / (√v + ε).</summary>
internal sealed class RmsProp : Optimizer
{
    private readonly RmsPropSpec _spec;
    private readonly float[][] _v;

    public RmsProp(RmsPropSpec spec, IReadOnlyList<Parameter> parameters, WorkerPool? pool) : base(spec, parameters, pool)
    {
        _spec = spec;
        _v = State();
    }

    protected override void Update(int index, Parameter p, float lr, int start, int end)
    {
        float rho = (float)_spec.Rho, eps = (float)_spec.Epsilon;
        var w = p.Value.AsSpan(start, end - start);
        var g = p.Grad.AsSpan(start, end - start);
        var v = _v[index].AsSpan(start, end - start);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            var vr = new Vector<float>(rho); var vrc = new Vector<float>(1 - rho); var vEps = new Vector<float>(eps); var vLr = new Vector<float>(lr);
            for (; i <= w.Length - width; i += width)
            {
                var gi = new Vector<float>(g[i..]);
                var vi = vr * new Vector<float>(v[i..]) + vrc * gi * gi;
                var wi = new Vector<float>(w[i..]) - vLr * gi / (Vector.SquareRoot(vi) + vEps);
                vi.CopyTo(v[i..]); wi.CopyTo(w[i..]);
            }
        }
        for (; i < w.Length; i++)
        {
            v[i] = rho * v[i] + (1 - rho) * g[i] * g[i];
            w[i] -= lr * g[i] / (MathF.Sqrt(v[i]) + eps);
        }
    }
}

/// <summary>v ← ρ·v + (1−ρ)·g²; Δ = √(u + ε)/√(v + ε)·g; u ← ρ·u + (1−ρ)·Δ²; p ← p − lr·Δ.</summary>
internal sealed class Adadelta : Optimizer
{
    private readonly AdadeltaSpec _spec;
    private readonly float[][] _v, _u;

    public Adadelta(AdadeltaSpec spec, IReadOnlyList<Parameter> parameters, WorkerPool? pool) : base(spec, parameters, pool)
    {
        _spec = spec;
        _v = State();
        _u = State();
    }

    protected override void Update(int index, Parameter p, float lr, int start, int end)
    {
        float rho = (float)_spec.Rho, eps = (float)_spec.Epsilon;
        var w = p.Value.AsSpan(start, end - start);
        var g = p.Grad.AsSpan(start, end - start);
        var v = _v[index].AsSpan(start, end - start);
        var u = _u[index].AsSpan(start, end - start);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            var vr = new Vector<float>(rho); var vrc = new Vector<float>(1 - rho); var vEps = new Vector<float>(eps); var vLr = new Vector<float>(lr);
            for (; i <= w.Length - width; i += width)
            {
                var gi = new Vector<float>(g[i..]);
                var vi = vr * new Vector<float>(v[i..]) + vrc * gi * gi;
                var ui = new Vector<float>(u[i..]);
                var delta = Vector.SquareRoot(ui + vEps) / Vector.SquareRoot(vi + vEps) * gi;
                ui = vr * ui + vrc * delta * delta;
                var wi = new Vector<float>(w[i..]) - vLr * delta;
                vi.CopyTo(v[i..]); ui.CopyTo(u[i..]); wi.CopyTo(w[i..]);
            }
        }
        for (; i < w.Length; i++)
        {
            v[i] = rho * v[i] + (1 - rho) * g[i] * g[i];
            float delta = MathF.Sqrt(u[i] + eps) / MathF.Sqrt(v[i] + eps) * g[i];
            u[i] = rho * u[i] + (1 - rho) * delta * delta;
            w[i] -= lr * delta;
        }
    }
}
