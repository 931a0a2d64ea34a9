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
