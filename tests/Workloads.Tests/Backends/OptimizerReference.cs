using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Backends;

/// <summary>
/// The first update of each optimizer from zero state, in float64, with the formulas both engines implement (PyTorch's,
/// with Keras's hyper-parameters; README, Backends). First steps only: the state is then a function of the one gradient.
/// </summary>
internal sealed class OptimizerReference(OptimizerSpec spec)
{
    /// <summary>
    /// An update computed in float32 takes a handful of roundings (moments, square root, division, subtraction), each
    /// relative u = 6e-8 of the value it rounds; 16u ≈ 1e-6 of |w| + |Δ| leaves room for all of them.
    /// </summary>
    public const double Bound = 1e-6;

    /// <summary>The amount the first update subtracts from a weight whose gradient is <paramref name="g"/>.</summary>
    public double FirstUpdate(double g)
    {
        double lr = spec.LearningRateAt(0);
        return spec switch
        {
            // m = (1−β1)g, v = (1−β2)g²; Δ = lr/(1−β1) · m / (√v/√(1−β2) + ε) = lr · g / (|g| + ε)
            AdamSpec a => lr / (1 - a.Beta1) * ((1 - a.Beta1) * g) / (Math.Sqrt((1 - a.Beta2) * g * g) / Math.Sqrt(1 - a.Beta2) + a.Epsilon),
            // v = (1−ρ)g²; Δ = lr · g / (√v + ε)
            RmsPropSpec r => lr * g / (Math.Sqrt((1 - r.Rho) * g * g) + r.Epsilon),
            // v = (1−ρ)g², accumulated update 0; Δ = lr · √(0 + ε) / √(v + ε) · g
            AdadeltaSpec d => lr * Math.Sqrt(d.Epsilon) / Math.Sqrt((1 - d.Rho) * g * g + d.Epsilon) * g,
            _ => throw new NotSupportedException($"no float64 reference for {spec.GetType().Name}"),
        };
    }

    /// <summary>max over i of |after_i − (before_i − update(g_i))| / (|before_i| + |update(g_i)|).</summary>
    public static double WorstUpdateError(IReadOnlyList<float> before, IReadOnlyList<float> gradients, IReadOnlyList<float> after, Func<double, double> update)
    {
        double worst = 0;
        for (int i = 0; i < before.Count; i++)
        {
            double step = update(gradients[i]);
            double expected = before[i] - step;
            double difference = Math.Abs(after[i] - expected);
            if (difference == 0) continue;
            if (!double.IsFinite(difference)) return double.PositiveInfinity;
            worst = Math.Max(worst, difference / (Math.Abs((double)before[i]) + Math.Abs(step)));
        }
        return worst;
    }
}
