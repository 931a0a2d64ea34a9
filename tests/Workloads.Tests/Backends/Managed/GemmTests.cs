using PerfTests.Harness.Backends.Managed;

namespace PerfTests.Workloads.Tests.Backends.Managed;

[Trait("Category", "Unit")]
public sealed class GemmTests : IDisposable
{
    private readonly WorkerPool _pool = new(2);

    public void Dispose() => _pool.Dispose();

    public static TheoryData<int, int, int> Sizes => new()
    {
        { 1, 1, 1 }, { 7, 33, 5 }, { 9, 17, 300 }, { 97, 130, 300 }, { 128, 512, 784 }, { 300, 65, 17 }, { 33, 2100, 40 },
        { 784, 96, 24 }, { 40, 784, 24 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Multiply_AllTransposes_MatchesFloat64Reference(int m, int n, int k)
    {
        var random = new Random(m * 31 + n * 7 + k);
        foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
        foreach (var beta in new[] { 0f, 0.5f })
        {
            int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
            var a = Reference.RandomFloats(random, (ta ? k : m) * lda);
            var b = Reference.RandomFloats(random, (tb ? n : k) * ldb);
            var c = Reference.RandomFloats(random, m * ldc);
            var expected = new double[m * n];
            for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++) sum += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                expected[i * n + j] = sum + beta * (double)c[i * ldc + j];
            }

            Blas.Gemm(_pool, ta, tb, m, n, k, a, 0, lda, b, 0, ldb, beta, c, 0, ldc);

            var actual = new float[m * n];
            for (int i = 0; i < m; i++) c.AsSpan(i * ldc, n).CopyTo(actual.AsSpan(i * n, n));
            Reference.RelativeError(actual, expected).Should().BeLessThan(1e-5, $"ta={ta} tb={tb} beta={beta}");
        }
    }

    /// <summary>
    /// Parallel stripes tile C exactly, come in a multiple of the workers and differ by at most one unit (MR rows or NR
    /// columns) but the last, so no worker is left with twice another's share: 784 rows used to go 256, 256, 256, 16.
    /// </summary>
    [Theory]
    [InlineData(784, 512, 2)]
    [InlineData(128, 784, 2)]
    [InlineData(9216, 128, 2)]
    [InlineData(128, 512, 2)]
    [InlineData(1000, 24, 3)]
    [InlineData(64, 4000, 3)]
    [InlineData(17, 40, 2)]
    public void ParallelJob_Stripes_TileCEvenly(int m, int n, int workers)
    {
        using var pool = new WorkerPool(workers);
        var job = pool.GemmJob;
        unsafe { job.Set(false, false, m, n, 8, 1f, null, 8, null, n, 0f, null, n, Gemm.SplitsColumns(m, n)); }
        int extent = Gemm.SplitsColumns(m, n) ? n : m;
        int unit = extent == n ? Gemm.NR : Gemm.MR;
        var stripes = Enumerable.Range(0, job.Stripes).Select(i => job.Stripe(i, extent)).ToArray();

        (stripes.Length % workers == 0 || stripes.Length == (extent + unit - 1) / unit).Should().BeTrue($"{stripes.Length} stripes for {workers} workers");
        stripes[0].Start.Should().Be(0);
        for (int i = 1; i < stripes.Length; i++) stripes[i].Start.Should().Be(stripes[i - 1].Start + stripes[i - 1].Length);
        (stripes[^1].Start + stripes[^1].Length).Should().Be(extent);
        var whole = stripes.Select(s => (s.Length + unit - 1) / unit).ToArray();
        (whole.Max() - whole.Min()).Should().BeLessThanOrEqualTo(1, string.Join(", ", stripes.Select(s => s.Length)));
    }

    /// <summary>The two halves add up to the product, and are the same bits on one worker as on two or three.</summary>
    [Theory]
    [InlineData(128, 512, 784)]
    [InlineData(33, 70, 301)]
    [InlineData(5, 7, 3)]
    public void MultiplyInHalves_AddsUpToTheProduct_SameBitsForAnyWorkers(int m, int n, int k)
    {
        var random = new Random(m + n * k);
        var a = Reference.RandomFloats(random, m * k);
        var b = Reference.RandomFloats(random, k * n);
        (float[] C, float[] Partial) Halves(int workers)
        {
            using var pool = new WorkerPool(workers);
            var (c, partial) = (new float[m * n], new float[m * n]);
            Blas.GemmInHalves(pool, m, n, k, a, b, c, partial);
            return (c, partial);
        }
        var one = Halves(1);
        for (int workers = 2; workers <= 3; workers++)
        {
            var many = Halves(workers);
            many.C.Should().Equal(one.C);
            many.Partial.Should().Equal(one.Partial);
        }
        var expected = new double[m * n];
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double sum = 0;
            for (int p = 0; p < k; p++) sum += (double)a[i * k + p] * b[p * n + j];
            expected[i * n + j] = sum;
        }
        var total = one.C.Zip(one.Partial, (x, y) => x + y).ToArray();
        Reference.RelativeError(total, expected).Should().BeLessThan(1e-5);
    }

    [Fact]
    public void Multiply_BetaZero_IgnoresNaNInC()
    {
        var a = new float[] { 1, 2 };
        var b = new float[] { 3, 4 };
        var c = new[] { float.NaN };
        Blas.Gemm(_pool, false, false, 1, 1, 2, a, 0, 2, b, 0, 1, 0f, c, 0, 1);
        c[0].Should().Be(11f);
    }
}
