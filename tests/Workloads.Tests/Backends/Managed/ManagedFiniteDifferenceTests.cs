using PerfTests.Harness.Backends;
using PerfTests.Harness.Backends.Managed;
using PerfTests.Harness.Workloads;
using static PerfTests.Workloads.Tests.Backends.Managed.Reference;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PerfTests.Workloads.Tests.Backends.Managed;

/// <summary>
/// The managed layers' analytic gradients against central finite differences, taken in float64 on the layer's function
/// (evaluated with float64 tensor ops, no autograd) for small shapes: L = Σ y·dy, ∂L/∂θ ≈ (L(θ+h) − L(θ−h)) / 2h, h = 1e-6.
/// </summary>
[Trait("Category", "Unit")]
[Collection(LibtorchCollection.Name)]
public sealed class ManagedFiniteDifferenceTests : IDisposable
{
    private readonly WorkerPool _pool = Pool();
    private readonly Random _random = new(777);

    public void Dispose() => _pool.Dispose();

    private void Check(Func<Tensor[], Tensor> loss, (float[] Values, long[] Shape, float[] Analytic, string Name)[] inputs, int samples = 25)
    {
        using var _ = no_grad();
        var tensors = inputs.Select(i => Constant(i.Values, i.Shape)).ToArray();
        const double h = 1e-6;
        for (int which = 0; which < inputs.Length; which++)
        {
            var flat = tensors[which].view(-1);
            long count = flat.shape[0];
            var analytic = inputs[which].Analytic;
            double scale = analytic.Take((int)count).Max(v => Math.Abs((double)v)) + 1e-12;
            for (int s = 0; s < Math.Min(samples, count); s++)
            {
                long index = samples >= count ? s : _random.NextInt64(count);
                double original = flat[index].item<double>();
                flat[index] = original + h;
                double plus = loss(tensors).item<double>();
                flat[index] = original - h;
                double minus = loss(tensors).item<double>();
                flat[index] = original;
                double numeric = (plus - minus) / (2 * h);
                (Math.Abs(numeric - analytic[index]) / scale).Should().BeLessThan(1e-4,
                    $"{inputs[which].Name}[{index}]: finite difference {numeric}, analytic {analytic[index]}");
            }
        }
    }

    [Fact]
    public void Dense_Tanh_GradientsMatchFiniteDifferences()
    {
        using var torchScope = NewDisposeScope();
        const int n = 4, input = 6, units = 5;
        var layer = new DenseLayer(_pool, CanonicalWeights.KernelAndBias(0, [input, units], units), Activation.Tanh, n, new Rng(1));
        RandomFloats(_random, units).CopyTo(layer.Bias.Value, 0);
        var x = RandomFloats(_random, n * input);
        var dy = RandomFloats(_random, n * units);
        var y = (float[])layer.Forward(x, n, true).Clone();
        var dx = layer.Backward(x, y, (float[])dy.Clone(), n, true)!;
        var tdy = Constant(dy, n, units);
        Check(t => ((t[0].matmul(t[1]) + t[2]).tanh() * tdy).sum(),
        [
            (x, [n, input], dx, "x"), (layer.Kernel.Value, [input, units], layer.Kernel.Grad, "W"), (layer.Bias.Value, [units], layer.Bias.Grad, "b"),
        ], samples: 1000);
    }

    [Fact]
    public void Conv2D_Same_GradientsMatchFiniteDifferences()
    {
        using var torchScope = NewDisposeScope();
        const int n = 2, c = 2, size = 5, filters = 3;
        var layer = new Conv2DLayer(_pool, [c, size, size], new Conv2D(filters, 3, ConvPadding.Same, Activation.Sigmoid), CanonicalWeights.KernelAndBias(0, [filters, c, 3, 3], filters), n, new Rng(2));
        var x = RandomFloats(_random, n * c * size * size);
        var dy = RandomFloats(_random, n * filters * size * size);
        var y = (float[])layer.Forward(x, n, true).Clone();
        var dx = layer.Backward(x, y, (float[])dy.Clone(), n, true)!;
        var tdy = Constant(dy, n, filters, size, size);
        Check(t => (F.conv2d(t[0], t[1], t[2], padding: [1]).sigmoid() * tdy).sum(),
        [
            (x, [n, c, size, size], dx, "x"), (layer.Kernel.Value, [filters, c, 3, 3], layer.Kernel.Grad, "W"), (layer.Bias.Value, [filters], layer.Bias.Grad, "b"),
        ], samples: 1000);
    }

    [Fact]
    public void BidirectionalLstm_GradientsMatchFiniteDifferences()
    {
        using var torchScope = NewDisposeScope();
        const int n = 2, t = 4, f = 3, u = 3;
        var layer = new LstmLayer(_pool, CanonicalWeights.Lstm(1, f, u, bidirectional: true), t, oneHot: false, n, new Rng(3));
        var x = RandomFloats(_random, n * t * f);
        var dy = RandomFloats(_random, n * 2 * u);
        var y = (float[])layer.Forward(x, n, true).Clone();
        var dx = layer.Backward(x, y, (float[])dy.Clone(), n, true)!;
        var tdy = Constant(dy, n, 2 * u);
        var p = layer.Parameters;
        Check(a =>
        {
            var forward = Lstm(a[0], a[1], a[2], a[3], u, reverse: false);
            var backward = Lstm(a[0], a[4], a[5], a[6], u, reverse: true);
            return (cat([forward, backward], 1) * tdy).sum();
        },
        [
            (x, [n, t, f], dx, "x"),
            (p[0].Value, [f, 4 * u], p[0].Grad, p[0].Name), (p[1].Value, [u, 4 * u], p[1].Grad, p[1].Name), (p[2].Value, [4 * u], p[2].Grad, p[2].Name),
            (p[3].Value, [f, 4 * u], p[3].Grad, p[3].Name), (p[4].Value, [u, 4 * u], p[4].Grad, p[4].Name), (p[5].Value, [4 * u], p[5].Grad, p[5].Name),
        ], samples: 1000);
    }

    [Fact]
    public void Embedding_Pooling_Dense_SigmoidLoss_GradientsMatchFiniteDifferences()
    {
        using var torchScope = NewDisposeScope();
        const int n = 3, t = 5, v = 7, d = 4;
        var embedding = new EmbeddingLayer(_pool, CanonicalWeights.Embeddings(0, v, d), t, n, new Rng(4));
        var pooling = new GlobalAveragePooling1DLayer(_pool, t, d, n);
        var tokens = Enumerable.Range(0, n * t).Select(_ => _random.Next(v)).ToArray();
        var dy = RandomFloats(_random, n * d);
        var e = embedding.Forward(tokens, n, true);
        var pooled = (float[])pooling.Forward(e, n, true).Clone();
        var de = pooling.Backward(e, pooled, dy, n, true)!;
        embedding.Backward(tokens, de, n);
        var index = tensor(tokens.Select(i => (long)i).ToArray());
        var tdy = Constant(dy, n, d);
        Check(a => (a[0].index_select(0, index).reshape(n, t, d).mean([1]) * tdy).sum(),
            [(embedding.Embeddings.Value, [v, d], embedding.Embeddings.Grad, "E")], samples: 1000);
    }

    private static Tensor Lstm(Tensor x, Tensor w, Tensor r, Tensor b, int units, bool reverse)
    {
        long n = x.shape[0], t = x.shape[1];
        var h = zeros([n, units], dtype: ScalarType.Float64);
        var c = zeros([n, units], dtype: ScalarType.Float64);
        for (long step = 0; step < t; step++)
        {
            var z = x[TensorIndex.Colon, TensorIndex.Single(reverse ? t - 1 - step : step)].matmul(w) + h.matmul(r) + b;
            var g = z.chunk(4, 1);
            c = g[1].sigmoid() * c + g[0].sigmoid() * g[2].tanh();
            h = g[3].sigmoid() * c.tanh();
        }
        return h;
    }
}
