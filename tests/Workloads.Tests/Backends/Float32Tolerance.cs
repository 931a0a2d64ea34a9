namespace PerfTests.Workloads.Tests.Backends;

/// <summary>
/// How far a float32 engine may be from a float64 reference after one forward and backward pass. With unit roundoff
/// u = 2⁻²⁴ ≈ 6e-8, a sum of K products carries a rounding error of about √K·u of the magnitudes summed (random-walk
/// accumulation; blocked GEMM kernels do no worse), and a value that went through D such stages (layers forward and back,
/// LSTM time steps) about D·√K·u of the magnitudes it was summed from. Those magnitudes are M: for a gradient, the mean
/// over the batch of each sample's own |gradient| (≥ |r|; far larger where samples cancel, as in an output bias), and the
/// tensor's largest M covers cancellation inside one sample's sums:
///     |a − r| ≤ c · (M_i + max M),   c = D·√K·u.
/// The deepest chain in the catalog is bilstm_imdb's: D ≈ 100 time steps × 2 passes, K ≈ 192 (64 units + 128 features),
/// so D·√K·u ≈ 200 · 14 · 6e-8 ≈ 1.7e-4. <see cref="Bound"/> is that, rounded up to 2e-4. It bounds rounding, not
/// algorithms: a gradient off by 1% (or a wrong sign) fails it by a factor of 50.
/// </summary>
internal static class Float32Tolerance
{
    public const double Bound = 2e-4;

    /// <summary>max over i of |a_i − r_i| / (M_i + max M), with M = |r| where no better magnitude is known.</summary>
    public static double Error(IReadOnlyList<float> actual, IReadOnlyList<float> reference, IReadOnlyList<double>? magnitude = null)
    {
        if (actual.Count != reference.Count) throw new ArgumentException($"{actual.Count} values against {reference.Count}.");
        double M(int i) => magnitude?[i] ?? Math.Abs((double)reference[i]);
        double scale = 0;
        for (int i = 0; i < reference.Count; i++) scale = Math.Max(scale, M(i));
        double worst = 0;
        for (int i = 0; i < reference.Count; i++)
        {
            double difference = Math.Abs((double)actual[i] - reference[i]);
            if (difference == 0) continue;
            if (!double.IsFinite(difference)) return double.PositiveInfinity;
            worst = Math.Max(worst, difference / (M(i) + scale));
        }
        return worst;
    }
}
