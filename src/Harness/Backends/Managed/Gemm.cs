using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PerfTests.Harness.Backends.Managed;

/// <summary>
/// Single-precision GEMM, C = alpha·op(A)·op(B) + beta·C, row-major with leading dimensions.
/// BLIS-style: B is packed into KC×NR panels, A into MC×KC blocks of MR-row panels, and an MR×NR register-tiled
/// micro-kernel does the FMAs (8×32 with Vector512 where AVX-512 is accelerated, else 6×16 with Vector256).
/// Parallel calls split C into column (or row) stripes, one per worker, each with its own packing buffers;
/// <see cref="MultiplyInHalves"/> splits the inner dimension instead, into two results the caller adds.
/// </summary>
internal static unsafe class Gemm
{
    public static readonly bool Use512 = Vector512.IsHardwareAccelerated;
    public static readonly int MR = Use512 ? 8 : 6;
    public static readonly int NR = Use512 ? 32 : 16;
    public const int KC = 256;
    public const int MC = 96;
    public const int NC = 2048;
    public const int PackASize = MC * KC;
    public const int PackBSize = KC * (NC + 32);

    /// <summary>Below this many multiply-adds a call runs on the calling thread only.</summary>
    public const long ParallelThreshold = 1L << 18;

    /// <summary>How many stripes of C a parallel multiply offers each worker.</summary>
    public const int StripesPerWorker = 4;

    /// <summary>Up to this many rows of C, a non-transposed B is read in place instead of packed.</summary>
    public const int DirectBMaxRows = 64;

    /// <summary>The narrowest stripe of C (columns or rows) a parallel multiply hands out, unless that leaves a worker idle.</summary>
    public const int MinimumStripe = 256;

    /// <summary>
    /// C = A·B computed as two halves of the inner dimension: A[:, 0..k/2)·B[0..k/2, :] into <paramref name="c"/> and the
    /// rest into <paramref name="partial"/> (both m×n, leading dimension <paramref name="ldc"/>), which the caller adds.
    /// The halves are the same whatever the number of workers, so are the bits. On two workers, worker 0 computes the
    /// first half and worker 1 the second (WorkerPool's home ranges): each reads only its own half of B's rows, which for
    /// a dense kernel are the rows its optimizer block updates, so the kernel never travels to the other core. On more
    /// workers two of them do the halves.
    /// </summary>
    public static void MultiplyInHalves(WorkerPool pool, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, float* partial, int ldc)
    {
        var job = pool.HalvesJob;
        job.Set(m, n, k, a, lda, b, ldb, c, partial, ldc);
        if (pool.Workers > 1 && (long)m * n * k >= ParallelThreshold) pool.Run(job, 2);
        else
        {
            job.Execute(0, 0);
            job.Execute(1, 0);
        }
    }

    internal sealed class HalvesJob(WorkerPool pool) : IParallelJob
    {
        private int _m, _n, _k, _lda, _ldb, _ldc;
        private float* _a, _b, _c, _partial;

        public void Set(int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, float* partial, int ldc)
        {
            (_m, _n, _k, _lda, _ldb, _ldc) = (m, n, k, lda, ldb, ldc);
            _a = a;
            _b = b;
            _c = c;
            _partial = partial;
        }

        public void Execute(int item, int worker)
        {
            int half = _k / 2;
            if (item == 0) Serial(false, false, _m, _n, half, 1f, _a, _lda, _b, _ldb, 0f, _c, _ldc, pool.PackA(worker), pool.PackB(worker));
            else Serial(false, false, _m, _n, _k - half, 1f, _a + half, _lda, _b + (long)half * _ldb, _ldb, 0f, _partial, _ldc, pool.PackA(worker), pool.PackB(worker));
        }
    }

    /// <param name="splitColumns">Cut C into column (true) or row (false) stripes; by default <see cref="SplitsColumns"/> decides.</param>
    public static void Multiply(WorkerPool pool, bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, bool? splitColumns = null)
    {
        if (m <= 0 || n <= 0) return;
        if (k <= 0)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        if (pool.Workers == 1 || (long)m * n * k < ParallelThreshold)
        {
            Serial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, pool.PackA(0), pool.PackB(0));
            return;
        }
        var job = pool.GemmJob;
        job.Set(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, splitColumns ?? SplitsColumns(m, n));
        pool.Run(job, job.Stripes);
    }

    /// <summary>Whether a parallel multiply cuts its m×n result into column stripes (else row stripes) unless told otherwise.</summary>
    public static bool SplitsColumns(int m, int n) => n >= m || m < 2 * MR;

    /// <summary>One thread; <paramref name="packA"/> and <paramref name="packB"/> hold <see cref="PackASize"/> and <see cref="PackBSize"/> floats.</summary>
    public static void Serial(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, float* packA, float* packB)
    {
        long started = EngineProfile.Start();
        SerialBlocks(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, packA, packB);
        EngineProfile.Stop(EngineWork.Gemm, started);
    }

    private static void SerialBlocks(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, float* packA, float* packB)
    {
        if (m <= 0 || n <= 0) return;
        if (k <= 0)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        int mr = MR, nr = NR;
        // With few rows of C each packed B panel would be reused only m/MR times, and packing costs as much as that compute
        // (convolutions: 32-64 filters times a large im2col matrix); then full panels are read straight from B.
        bool direct = !transB && m <= DirectBMaxRows;
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                float betaBlock = pc == 0 ? beta : 1f;
                if (!direct) PackB(transB, b, ldb, pc, jc, kc, nc, packB);
                for (int ic = 0; ic < m; ic += MC)
                {
                    int mc = Math.Min(MC, m - ic);
                    PackA(transA, a, lda, ic, pc, mc, kc, packA);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int nrEff = Math.Min(nr, nc - jr);
                        float* bPanel;
                        int bStride = nr;
                        if (!direct) bPanel = packB + (jr / nr) * kc * nr;
                        else if (nrEff == nr)
                        {
                            bPanel = b + (long)pc * ldb + jc + jr;
                            bStride = ldb;
                        }
                        else
                        {
                            PackB(false, b, ldb, pc, jc + jr, kc, nrEff, packB);
                            bPanel = packB;
                        }
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int mrEff = Math.Min(mr, mc - ir);
                            float* aPanel = packA + (ir / mr) * kc * mr;
                            float* cTile = c + (long)(ic + ir) * ldc + jc + jr;
                            if (Use512) Kernel8x32(kc, aPanel, bPanel, bStride, cTile, ldc, alpha, betaBlock, mrEff, nrEff);
                            else Kernel6x16(kc, aPanel, bPanel, bStride, cTile, ldc, alpha, betaBlock, mrEff, nrEff);
                        }
                    }
                }
            }
        }
    }

    private static void ScaleC(int m, int n, float beta, float* c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0) row.Clear();
            else if (beta != 1) for (int j = 0; j < n; j++) row[j] *= beta;
        }
    }

    private static void PackA(bool trans, float* a, int lda, int ic, int pc, int mc, int kc, float* dst)
    {
        int mr = MR;
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            float* panel = dst + (ir / mr) * kc * mr;
            if (!trans)
            {
                int p0 = 0;
                if (rows == 8 && mr == 8 && Avx.IsSupported)
                {
                    float* src = a + (long)(ic + ir) * lda + pc;
                    for (; p0 <= kc - 8; p0 += 8) Transpose8x8(src + p0, lda, panel + p0 * 8, 8);
                }
                for (int i = 0; i < rows; i++)
                {
                    float* src = a + (long)(ic + ir + i) * lda + pc;
                    for (int p = p0; p < kc; p++) panel[p * mr + i] = src[p];
                }
            }
            else if (rows == 8 && mr == 8)
            {
                for (int p = 0; p < kc; p++) Vector256.Store(Vector256.Load(a + (long)(pc + p) * lda + ic + ir), panel + p * 8);
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + (long)(pc + p) * lda + ic + ir;
                    for (int i = 0; i < rows; i++) panel[p * mr + i] = src[i];
                }
            }
            if (rows < mr)
                for (int p = 0; p < kc; p++)
                    for (int i = rows; i < mr; i++) panel[p * mr + i] = 0f;
        }
    }

    private static void PackB(bool trans, float* b, int ldb, int pc, int jc, int kc, int nc, float* dst)
    {
        int nr = NR;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* panel = dst + (jr / nr) * kc * nr;
            if (!trans)
            {
                if (cols == nr)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* src = b + (long)(pc + p) * ldb + jc + jr;
                        float* d = panel + p * nr;
                        if (Use512)
                        {
                            Vector512.Store(Vector512.Load(src), d);
                            Vector512.Store(Vector512.Load(src + 16), d + 16);
                        }
                        else
                        {
                            Vector256.Store(Vector256.Load(src), d);
                            Vector256.Store(Vector256.Load(src + 8), d + 8);
                        }
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* src = b + (long)(pc + p) * ldb + jc + jr;
                        float* d = panel + p * nr;
                        int j = 0;
                        for (; j < cols; j++) d[j] = src[j];
                        for (; j < nr; j++) d[j] = 0f;
                    }
                }
            }
            else
            {
                int j0 = 0;
                if (Avx.IsSupported)
                {
                    // Blocks of 8 columns × 8 rows of B go through an 8×8 register transpose.
                    int p8 = kc & ~7;
                    for (; j0 <= cols - 8; j0 += 8)
                    {
                        float* src = b + (long)(jc + jr + j0) * ldb + pc;
                        for (int p = 0; p < p8; p += 8) Transpose8x8(src + p, ldb, panel + p * nr + j0, nr);
                        for (int j = j0; j < j0 + 8; j++)
                            for (int p = p8; p < kc; p++) panel[p * nr + j] = src[(long)(j - j0) * ldb + p];
                    }
                }
                for (int j = j0; j < cols; j++)
                {
                    float* src = b + (long)(jc + jr + j) * ldb + pc;
                    for (int p = 0; p < kc; p++) panel[p * nr + j] = src[p];
                }
                if (cols < nr)
                    for (int p = 0; p < kc; p++)
                        for (int j = cols; j < nr; j++) panel[p * nr + j] = 0f;
            }
        }
    }

    /// <summary>dst[c·dstStride + r] = src[r·srcStride + c] for an 8×8 block (AVX unpack/shuffle/permute).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, int srcStride, float* dst, int dstStride)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + srcStride);
        var r2 = Avx.LoadVector256(src + 2L * srcStride);
        var r3 = Avx.LoadVector256(src + 3L * srcStride);
        var r4 = Avx.LoadVector256(src + 4L * srcStride);
        var r5 = Avx.LoadVector256(src + 5L * srcStride);
        var r6 = Avx.LoadVector256(src + 6L * srcStride);
        var r7 = Avx.LoadVector256(src + 7L * srcStride);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2L * dstStride, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3L * dstStride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4L * dstStride, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5L * dstStride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6L * dstStride, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7L * dstStride, Avx.Permute2x128(u3, u7, 0x31));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow512(float* c, Vector512<float> lo, Vector512<float> hi, float alpha, float beta)
    {
        var va = Vector512.Create(alpha);
        if (beta == 0)
        {
            Vector512.Store(lo * va, c);
            Vector512.Store(hi * va, c + 16);
        }
        else
        {
            var vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(lo, va, Vector512.Load(c) * vb), c);
            Vector512.Store(Vector512.FusedMultiplyAdd(hi, va, Vector512.Load(c + 16) * vb), c + 16);
        }
    }

    private static void Kernel8x32(int kc, float* a, float* b, int bStride, float* c, int ldc, float alpha, float beta, int mr, int nr)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            Vector512<float> av;
            av = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(av, b0, c00); c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(av, b0, c10); c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(av, b0, c20); c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(av, b0, c30); c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(av, b0, c40); c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(av, b0, c50); c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            av = Vector512.Create(a[6]); c60 = Vector512.FusedMultiplyAdd(av, b0, c60); c61 = Vector512.FusedMultiplyAdd(av, b1, c61);
            av = Vector512.Create(a[7]); c70 = Vector512.FusedMultiplyAdd(av, b0, c70); c71 = Vector512.FusedMultiplyAdd(av, b1, c71);
            a += 8;
            b += bStride;
        }
        if (mr == 8 && nr == 32)
        {
            StoreRow512(c, c00, c01, alpha, beta);
            StoreRow512(c + ldc, c10, c11, alpha, beta);
            StoreRow512(c + 2 * ldc, c20, c21, alpha, beta);
            StoreRow512(c + 3 * ldc, c30, c31, alpha, beta);
            StoreRow512(c + 4 * ldc, c40, c41, alpha, beta);
            StoreRow512(c + 5 * ldc, c50, c51, alpha, beta);
            StoreRow512(c + 6 * ldc, c60, c61, alpha, beta);
            StoreRow512(c + 7 * ldc, c70, c71, alpha, beta);
            return;
        }
        StoreEdge8x32(c, ldc, alpha, beta, mr, nr, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71);
    }

    /// <summary>
    /// A partial 8×32 tile (the right or bottom edge of C). Kept out of the kernel: a stackalloc there stops the JIT from
    /// compiling the kernel's loop with on-stack replacement and profile data, and without profile data its register
    /// allocator stored all 16 accumulators to the stack and reloaded them on every iteration (17 GFLOP/s instead of 105).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StoreEdge8x32(float* c, int ldc, float alpha, float beta, int mr, int nr,
        Vector512<float> c00, Vector512<float> c01, Vector512<float> c10, Vector512<float> c11, Vector512<float> c20, Vector512<float> c21,
        Vector512<float> c30, Vector512<float> c31, Vector512<float> c40, Vector512<float> c41, Vector512<float> c50, Vector512<float> c51,
        Vector512<float> c60, Vector512<float> c61, Vector512<float> c70, Vector512<float> c71)
    {
        float* tile = stackalloc float[8 * 32];
        Vector512.Store(c00, tile); Vector512.Store(c01, tile + 16);
        Vector512.Store(c10, tile + 32); Vector512.Store(c11, tile + 48);
        Vector512.Store(c20, tile + 64); Vector512.Store(c21, tile + 80);
        Vector512.Store(c30, tile + 96); Vector512.Store(c31, tile + 112);
        Vector512.Store(c40, tile + 128); Vector512.Store(c41, tile + 144);
        Vector512.Store(c50, tile + 160); Vector512.Store(c51, tile + 176);
        Vector512.Store(c60, tile + 192); Vector512.Store(c61, tile + 208);
        Vector512.Store(c70, tile + 224); Vector512.Store(c71, tile + 240);
        StoreEdge(tile, 32, c, ldc, alpha, beta, mr, nr);
    }

    private static void Kernel6x16(int kc, float* a, float* b, int bStride, float* c, int ldc, float alpha, float beta, int mr, int nr)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            Vector256<float> av;
            av = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(av, b0, c00); c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[1]); c10 = Vector256.FusedMultiplyAdd(av, b0, c10); c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[2]); c20 = Vector256.FusedMultiplyAdd(av, b0, c20); c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
            av = Vector256.Create(a[3]); c30 = Vector256.FusedMultiplyAdd(av, b0, c30); c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
            av = Vector256.Create(a[4]); c40 = Vector256.FusedMultiplyAdd(av, b0, c40); c41 = Vector256.FusedMultiplyAdd(av, b1, c41);
            av = Vector256.Create(a[5]); c50 = Vector256.FusedMultiplyAdd(av, b0, c50); c51 = Vector256.FusedMultiplyAdd(av, b1, c51);
            a += 6;
            b += bStride;
        }
        float* tile = stackalloc float[6 * 16];
        Vector256.Store(c00, tile); Vector256.Store(c01, tile + 8);
        Vector256.Store(c10, tile + 16); Vector256.Store(c11, tile + 24);
        Vector256.Store(c20, tile + 32); Vector256.Store(c21, tile + 40);
        Vector256.Store(c30, tile + 48); Vector256.Store(c31, tile + 56);
        Vector256.Store(c40, tile + 64); Vector256.Store(c41, tile + 72);
        Vector256.Store(c50, tile + 80); Vector256.Store(c51, tile + 88);
        StoreEdge(tile, 16, c, ldc, alpha, beta, mr, nr);
    }

    private static void StoreEdge(float* tile, int tileStride, float* c, int ldc, float alpha, float beta, int mr, int nr)
    {
        for (int i = 0; i < mr; i++)
        {
            float* row = c + (long)i * ldc;
            float* t = tile + i * tileStride;
            if (beta == 0) for (int j = 0; j < nr; j++) row[j] = alpha * t[j];
            else for (int j = 0; j < nr; j++) row[j] = alpha * t[j] + beta * row[j];
        }
    }

    /// <summary>The arguments of one parallel multiply, preallocated per pool: C is cut into one stripe per worker.</summary>
    internal sealed class ParallelGemmJob(WorkerPool pool) : IParallelJob
    {
        private bool _ta, _tb, _splitColumns;
        private int _m, _n, _k, _lda, _ldb, _ldc, _unit, _units;
        private float _alpha, _beta;
        private float* _a, _b, _c;

        public int Stripes { get; private set; }

        public void Set(bool ta, bool tb, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, bool splitColumns)
        {
            (_ta, _tb, _m, _n, _k, _alpha, _lda, _ldb, _beta, _ldc) = (ta, tb, m, n, k, alpha, lda, ldb, beta, ldc);
            _a = a;
            _b = b;
            _c = c;
            // Up to StripesPerWorker stripes per worker. Each worker starts on its own share of them (WorkerPool's home
            // ranges), and when another process holds a core, the free thread takes over the rest instead of waiting.
            // Each stripe is an independent block of C, so results do not depend on which thread computed it.
            _splitColumns = splitColumns;
            _unit = _splitColumns ? NR : MR;
            int extent = _splitColumns ? n : m;
            _units = (extent + _unit - 1) / _unit;
            // Every stripe repacks the other operand (A for column stripes, B for row stripes): that costs about 32/width of
            // the stripe's FMAs, so stripes stay at least MinimumStripe wide. Their count is a multiple of the workers and
            // their widths differ by at most one unit, so the workers finish together: 784 rows cut into fixed 256-row
            // stripes (256, 256, 256, 16) left one worker with 512 rows and the other with 272.
            int minimumUnits = (MinimumStripe + _unit - 1) / _unit;
            int perWorker = Math.Clamp(_units / (pool.Workers * minimumUnits), 1, StripesPerWorker);
            Stripes = Math.Min(_units, pool.Workers * perWorker);
        }

        /// <summary>Where stripe <paramref name="item"/> starts and how long it is, in rows or columns: whole units (MR rows, NR columns) but the last.</summary>
        internal (int Start, int Length) Stripe(int item, int extent)
        {
            var (first, end) = WorkerPool.ChunkRange(item, _units, Stripes);
            int start = first * _unit;
            return (start, Math.Min(end * _unit, extent) - start);
        }

        public void Execute(int item, int worker)
        {
            if (_splitColumns)
            {
                var (j0, nn) = Stripe(item, _n);
                float* b = _tb ? _b + (long)j0 * _ldb : _b + j0;
                Serial(_ta, _tb, _m, nn, _k, _alpha, _a, _lda, b, _ldb, _beta, _c + j0, _ldc, pool.PackA(worker), pool.PackB(worker));
            }
            else
            {
                var (i0, mm) = Stripe(item, _m);
                float* a = _ta ? _a + i0 : _a + (long)i0 * _lda;
                Serial(_ta, _tb, mm, _n, _k, _alpha, a, _lda, _b, _ldb, _beta, _c + (long)i0 * _ldc, _ldc, pool.PackA(worker), pool.PackB(worker));
            }
        }
    }
}
