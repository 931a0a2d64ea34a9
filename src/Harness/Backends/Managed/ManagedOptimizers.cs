using System.Numerics;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Backends.Managed;

/// <summary>
/// Keras 2.0 optimizers with the update rules of the TorchSharp backend (PyTorch's formulas, Keras's hyper-parameters):
/// epsilon outside the square root for Adam and RMSprop, inside for Adadelta; Keras time-based decay of the learning rate.
/// Updates are dense, as Keras 2.0 and PyTorch's dense Adam do: a row of an embedding the batch did not use still moves
/// with Adam's momentum, so updating only used rows would change the results.
/// </summary>
internal abstract class Optimizer(OptimizerSpec spec, IReadOnlyList<Parameter> parameters)
{
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
        // Single-threaded on purpose: the update is memory-bound, and splitting it over the two cores measured slower.
        long started = EngineProfile.Start();
        for (int i = 0; i < Parameters.Count; i++) Update(i, Parameters[i], lr);
        EngineProfile.Stop(EngineWork.Optimizer, started);
    }

    /// <summary>Updates parameter <paramref name="index"/> (<paramref name="p"/>) with its gradient.</summary>
    protected abstract void Update(int index, Parameter p, float lr);

    protected float[][] State() => Parameters.Select(p => new float[p.Length]).ToArray();

    public static Optimizer Create(OptimizerSpec spec, IReadOnlyList<Parameter> parameters) => spec switch
    {
        AdamSpec a => new Adam(a, parameters),
        RmsPropSpec r => new RmsProp(r, parameters),
        AdadeltaSpec d => new Adadelta(d, parameters),
        _ => throw new NotSupportedException($"managed has no optimizer for {spec.GetType().Name}."),
    };
}

/// <summary>m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε).</summary>
internal sealed class Adam : Optimizer
{
    private readonly AdamSpec _spec;
    private readonly float[][] _m, _v;

    public Adam(AdamSpec spec, IReadOnlyList<Parameter> parameters) : base(spec, parameters)
    {
        _spec = spec;
        _m = State();
        _v = State();
    }

    protected override void Update(int index, Parameter p, float lr)
    {
        long t = Updates;
        float b1 = (float)_spec.Beta1, b2 = (float)_spec.Beta2, eps = (float)_spec.Epsilon;
        // The complements in double: 1 − 0.999f is 0.00100005, 4.7e-5 off, which moved every update by up to 2e-5 (relative).
        float b1c = (float)(1 - _spec.Beta1), b2c = (float)(1 - _spec.Beta2);
        float stepSize = (float)(lr / (1 - Math.Pow(_spec.Beta1, t)));
        float bc2Sqrt = (float)Math.Sqrt(1 - Math.Pow(_spec.Beta2, t));
        var w = p.Value.AsSpan();
        var g = p.Grad.AsSpan();
        var m = _m[index].AsSpan();
        var v = _v[index].AsSpan();
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

    public RmsProp(RmsPropSpec spec, IReadOnlyList<Parameter> parameters) : base(spec, parameters)
    {
        _spec = spec;
        _v = State();
    }

    protected override void Update(int index, Parameter p, float lr)
    {
        float rho = (float)_spec.Rho, eps = (float)_spec.Epsilon;
        var w = p.Value.AsSpan();
        var g = p.Grad.AsSpan();
        var v = _v[index].AsSpan();
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

    public Adadelta(AdadeltaSpec spec, IReadOnlyList<Parameter> parameters) : base(spec, parameters)
    {
        _spec = spec;
        _v = State();
        _u = State();
    }

    protected override void Update(int index, Parameter p, float lr)
    {
        float rho = (float)_spec.Rho, eps = (float)_spec.Epsilon;
        var w = p.Value.AsSpan();
        var g = p.Grad.AsSpan();
        var v = _v[index].AsSpan();
        var u = _u[index].AsSpan();
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
