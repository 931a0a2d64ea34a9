using PerfTests.Harness.Backends;
using PerfTests.Harness.Backends.Managed;
using PerfTests.Harness.Workloads;
using static PerfTests.Workloads.Tests.Backends.Managed.Reference;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PerfTests.Workloads.Tests.Backends.Managed;

/// <summary>
/// Each managed layer's forward output and its input and parameter gradients against float64 TorchSharp autograd on
/// random inputs, with a random upstream gradient dy (the reference differentiates Σ y·dy).
/// </summary>
[Trait("Category", "Unit")]
[Collection(LibtorchCollection.Name)]
public sealed class ManagedLayerTests : IDisposable
{
    private readonly WorkerPool _pool = Pool();
    private readonly Random _random = new(12345);

    public void Dispose() => _pool.Dispose();

    /// <summary>Small kernels multiply in one pass; the last case is large enough to multiply in two halves of its input rows.</summary>
    [Theory]
    [InlineData(Activation.Relu, 37, 75, 41)]
    [InlineData(Activation.Sigmoid, 37, 75, 41)]
    [InlineData(Activation.Tanh, 37, 75, 41)]
    [InlineData(Activation.Linear, 37, 75, 41)]
    [InlineData(Activation.Relu, 33, 600, 520)]
    public void Dense_ForwardAndGradients_MatchTorch(Activation activation, int n, int input, int units)
    {
        using var torchScope = NewDisposeScope();
        var layer = new DenseLayer(_pool, CanonicalWeights.KernelAndBias(0, [input, units], units), activation, n, new Rng(1));
        _random.NextBytes(new byte[1]);
        RandomFloats(_random, units).CopyTo(layer.Bias.Value, 0);
        var x = RandomFloats(_random, n * input);
        var dy = RandomFloats(_random, n * units);

        var y = (float[])layer.Forward(x, n, true).Clone();
        var dx = layer.Backward(x, y, (float[])dy.Clone(), n, true)!;

        var tx = Leaf(x, n, input);
        var tw = Leaf(layer.Kernel.Value, input, units);
        var tb = Leaf(layer.Bias.Value, units);
        var z = tx.matmul(tw) + tb;
        var ty = activation switch { Activation.Relu => F.relu(z), Activation.Sigmoid => z.sigmoid(), Activation.Tanh => z.tanh(), _ => z };
        (ty * Constant(dy, n, units)).sum().backward();

        ShouldMatch(y, ty, "y");
        ShouldMatch(dx, tx.grad!, "dx");
        ShouldMatch(layer.Kernel.Grad, tw.grad!, "dW");
        ShouldMatch(layer.Bias.Grad, tb.grad!, "db");
    }

    /// <summary>
    /// Large kernels multiply in two halves of their input rows, small ones in one pass: both give the same bits with any
    /// number of workers (mlp_mnist's first layer, its output layer, and a batch taller than the layer is wide).
    /// </summary>
    [Theory]
    [InlineData(128, 784, 512)]
    [InlineData(128, 512, 10)]
    [InlineData(300, 64, 72)]
    public void Dense_IsTheSameForAnyNumberOfWorkers(int n, int input, int units)
    {
        var x = RandomFloats(_random, n * input);
        var dy = RandomFloats(_random, n * units);
        var bias = RandomFloats(_random, units);
        float[][] Pass(int workers)
        {
            using var pool = new WorkerPool(workers);
            var layer = new DenseLayer(pool, CanonicalWeights.KernelAndBias(0, [input, units], units), Activation.Relu, n, new Rng(1));
            bias.CopyTo(layer.Bias.Value, 0);
            var y = (float[])layer.Forward(x, n, true).Clone();
            var dx = (float[])layer.Backward(x, y, (float[])dy.Clone(), n, true)!.Clone();
            return [y, dx, layer.Kernel.Grad, layer.Bias.Grad];
        }
        var one = Pass(1);
        foreach (var workers in new[] { 2, 3 })
        {
            var many = Pass(workers);
            for (int i = 0; i < one.Length; i++) many[i].Should().Equal(one[i], $"{workers} workers, output {i} (y, dx, dW, db)");
        }
    }

    [Theory]
    [InlineData(ConvPadding.Valid, 3, 1, 8, 9)]
    [InlineData(ConvPadding.Same, 3, 3, 10, 7)]
    [InlineData(ConvPadding.Valid, 3, 4, 6, 11)]
    // Output rows of 22 and 20 pixels (two 8-wide copies, then one overlapping the second), and a 5×5 kernel's 2-pixel padding.
    [InlineData(ConvPadding.Valid, 3, 32, 24, 8)]
    [InlineData(ConvPadding.Same, 3, 32, 20, 5)]
    [InlineData(ConvPadding.Same, 5, 16, 15, 6)]
    public void Conv2D_ForwardAndGradients_MatchTorch(ConvPadding padding, int k, int channels, int size, int filters)
    {
        using var torchScope = NewDisposeScope();
        const int n = 5;
        var spec = new Conv2D(filters, k, padding, Activation.Relu);
        var layer = new Conv2DLayer(_pool, [channels, size, size], spec, CanonicalWeights.KernelAndBias(0, [spec.Filters, channels, spec.KernelSize, spec.KernelSize], spec.Filters), n, new Rng(2));
        RandomFloats(_random, filters, 0.1).CopyTo(layer.Bias.Value, 0);
        int outSize = padding == ConvPadding.Same ? size : size - k + 1;
        var x = RandomFloats(_random, n * channels * size * size);
        var dy = RandomFloats(_random, n * filters * outSize * outSize);

        var y = (float[])layer.Forward(x, n, true).Clone();
        var dx = layer.Backward(x, y, (float[])dy.Clone(), n, true)!;

        var tx = Leaf(x, n, channels, size, size);
        var tw = Leaf(layer.Kernel.Value, filters, channels, k, k);
        var tb = Leaf(layer.Bias.Value, filters);
        var ty = F.relu(F.conv2d(tx, tw, tb, padding: [padding == ConvPadding.Same ? (k - 1) / 2 : 0]));
        (ty * Constant(dy, n, filters, outSize, outSize)).sum().backward();

        ShouldMatch(y, ty, "y");
        ShouldMatch(dx, tx.grad!, "dx");
        ShouldMatch(layer.Kernel.Grad, tw.grad!, "dW");
        ShouldMatch(layer.Bias.Grad, tb.grad!, "db");
    }

    /// <summary>
    /// Output rows of 4 and 6 (scalar) and of 12, 15 and 17 outputs (8-wide blocks, the last overlapping the one before), odd
    /// sizes whose last row and column are dropped, and
    /// inputs after a ReLU, whose all-zero windows are ties: the gradient goes to the first zero, as PyTorch's does.
    /// </summary>
    [Theory]
    [InlineData(9, false)]
    [InlineData(24, false)]
    [InlineData(35, false)]
    [InlineData(30, true)]
    [InlineData(13, true)]
    public void MaxPool2D_ForwardAndGradient_MatchTorch(int h, bool relu)
    {
        using var torchScope = NewDisposeScope();
        const int n = 3, c = 4;
        int ho = h / 2;
        var layer = new MaxPool2DLayer(_pool, [c, h, h], 2, n);
        var x = RandomFloats(_random, n * c * h * h);
        if (relu) for (int i = 0; i < x.Length; i++) x[i] = Math.Max(0f, x[i] - 0.3f);
        var dy = RandomFloats(_random, n * c * ho * ho);

        var y = (float[])layer.Forward(x, n, true).Clone();
        var dx = layer.Backward(x, y, dy, n, true)!;

        var tx = Leaf(x, n, c, h, h);
        var ty = F.max_pool2d(tx, [2, 2]);
        (ty * Constant(dy, n, c, ho, ho)).sum().backward();
        ShouldMatch(y, ty, "y");
        ShouldMatch(dx, tx.grad!, "dx");
    }

    /// <summary>A batch on one thread, and one large enough to be split into blocks of samples over the workers.</summary>
    [Theory]
    [InlineData(4, 13, 7)]
    [InlineData(16, 64, 32)]
    public void GlobalAveragePooling1D_ForwardAndGradient_MatchTorch(int n, int t, int d)
    {
        using var torchScope = NewDisposeScope();
        var layer = new GlobalAveragePooling1DLayer(_pool, t, d, n);
        var x = RandomFloats(_random, n * t * d);
        var dy = RandomFloats(_random, n * d);

        var y = (float[])layer.Forward(x, n, true).Clone();
        var dx = layer.Backward(x, y, dy, n, true)!;

        var tx = Leaf(x, n, t, d);
        var ty = tx.mean([1]);
        (ty * Constant(dy, n, d)).sum().backward();
        ShouldMatch(y, ty, "y");
        ShouldMatch(dx, tx.grad!, "dx");
    }

    /// <summary>A batch on one thread, and one large enough that the gradient is split over the workers by vocabulary.</summary>
    [Theory]
    [InlineData(6, 9, 50, 8)]
    [InlineData(32, 100, 5000, 16)]
    public void Embedding_ForwardAndSparseGradient_MatchTorch(int n, int t, int v, int d)
    {
        using var torchScope = NewDisposeScope();
        var layer = new EmbeddingLayer(_pool, CanonicalWeights.Embeddings(0, v, d), t, n, new Rng(3));
        var tokens = Enumerable.Range(0, n * t).Select(_ => _random.Next(v)).ToArray();
        var dy = RandomFloats(_random, n * t * d);

        var y = (float[])layer.Forward(tokens, n, true).Clone();
        layer.Backward(tokens, dy, n);

        var tw = Leaf(layer.Embeddings.Value, v, d);
        var ty = tw.index_select(0, tensor(tokens.Select(i => (long)i).ToArray())).reshape(n, t, d);
        (ty * Constant(dy, n, t, d)).sum().backward();
        ShouldMatch(y, ty, "y");
        ShouldMatch(layer.Embeddings.Grad, tw.grad!, "dE");
        layer.TouchedRows.ToArray().Should().BeEquivalentTo(tokens.Distinct(), "only the rows used are written");

        // A second batch that uses other rows clears the first batch's rows.
        var other = Enumerable.Repeat(v - 1, n * t).ToArray();
        layer.Backward(other, dy, n);
        for (int row = 0; row < v - 1; row++) layer.Embeddings.Grad.AsSpan(row * d, d).ToArray().Should().OnlyContain(g => g == 0);
    }

    /// <summary>Every row receives its additions in the batch's order however the vocabulary is split: 1, 2 or 3 workers give the same bits.</summary>
    [Fact]
    public void Embedding_Gradient_IsTheSameForAnyNumberOfWorkers()
    {
        const int n = 32, t = 100, v = 300, d = 16;
        var random = new Random(8);
        var tokens = Enumerable.Range(0, n * t).Select(_ => random.Next(v)).ToArray();
        var dy = RandomFloats(random, n * t * d);
        float[] Gradient(int workers)
        {
            using var pool = new WorkerPool(workers);
            var layer = new EmbeddingLayer(pool, CanonicalWeights.Embeddings(0, v, d), t, n, new Rng(3));
            layer.Forward(tokens, n, true);
            layer.Backward(tokens, dy, n);
            return layer.Embeddings.Grad;
        }
        var one = Gradient(1);
        Gradient(2).Should().Equal(one);
        Gradient(3).Should().Equal(one);
    }

    /// <summary>The folded mean (fasttext's Embedding + GlobalAveragePooling1D) gives the same bits as the two layers apart.</summary>
    [Theory]
    [InlineData(5, 7, 40, 6)]
    [InlineData(32, 100, 500, 16)]
    public void Embedding_AveragingTheSequence_EqualsEmbeddingThenPooling(int n, int t, int v, int d)
    {
        var random = new Random(9);
        var tokens = Enumerable.Range(0, n * t).Select(_ => random.Next(v)).ToArray();
        var dy = RandomFloats(random, n * d);
        var apart = new EmbeddingLayer(_pool, CanonicalWeights.Embeddings(0, v, d), t, n, new Rng(3));
        var pooling = new GlobalAveragePooling1DLayer(_pool, t, d, n);
        var folded = new EmbeddingLayer(_pool, CanonicalWeights.Embeddings(0, v, d), t, n, new Rng(3));
        folded.AverageSequence(n);

        var pooled = (float[])pooling.Forward(apart.Forward(tokens, n, true), n, true).Clone();
        apart.Backward(tokens, pooling.Backward(apart.Forward(tokens, n, true), pooled, (float[])dy.Clone(), n, true)!, n);
        var means = folded.Forward(tokens, n, true);
        folded.Backward(tokens, (float[])dy.Clone(), n);

        means.AsSpan(0, n * d).ToArray().Should().Equal(pooled.AsSpan(0, n * d).ToArray());
        folded.Embeddings.Grad.Should().Equal(apart.Embeddings.Grad);
        folded.TouchedRows.Should().BeEquivalentTo(apart.TouchedRows);
    }

    /// <summary>cifar10_cnn's Conv2D then Activation('relu'): the activation folded into the convolution gives the same bits.</summary>
    [Fact]
    public void Conv2D_FoldedActivation_EqualsConvolutionThenActivationLayer()
    {
        const int n = 4, c = 3, size = 12, filters = 8;
        var spec = new Conv2D(filters, 3, ConvPadding.Same, Activation.Linear);
        Conv2DLayer NewConv() => new(_pool, [c, size, size], spec, CanonicalWeights.KernelAndBias(0, [filters, c, 3, 3], filters), n, new Rng(2));
        var apart = NewConv();
        var relu = new ActivationOnlyLayer(Activation.Relu, filters * size * size, n);
        var folded = NewConv();
        folded.TryFoldActivation(Activation.Relu).Should().BeTrue();
        folded.TryFoldActivation(Activation.Tanh).Should().BeFalse("a layer folds one activation at most");
        var x = RandomFloats(_random, n * c * size * size);
        var dy = RandomFloats(_random, n * filters * size * size);

        var convolved = apart.Forward(x, n, true);
        var y = (float[])relu.Forward(convolved, n, true).Clone();
        var dxApart = (float[])apart.Backward(x, convolved, relu.Backward(convolved, y, (float[])dy.Clone(), n, true)!, n, true)!.Clone();
        var yFolded = (float[])folded.Forward(x, n, true).Clone();
        var dxFolded = folded.Backward(x, yFolded, (float[])dy.Clone(), n, true)!;

        yFolded.Should().Equal(y);
        dxFolded.Should().Equal(dxApart);
        folded.Kernel.Grad.Should().Equal(apart.Kernel.Grad);
        folded.Bias.Grad.Should().Equal(apart.Bias.Grad);
    }

    [Fact]
    public void Embedding_TokenOutsideVocabulary_ThrowsOnTheCallingThread()
    {
        const int n = 32, t = 100, v = 300, d = 16;
        var layer = new EmbeddingLayer(_pool, CanonicalWeights.Embeddings(0, v, d), t, n, new Rng(3));
        var tokens = new int[n * t];
        tokens[^1] = v;
        var act = () => layer.Forward(tokens, n, true);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage($"*Token {v} is outside the embedding's vocabulary of {v}*");
    }

    /// <summary>Keras LSTM (i, f, c, o; one bias) unrolled with TorchSharp ops; returns the last hidden state.</summary>
    private static Tensor TorchLstm(Tensor x, Tensor w, Tensor r, Tensor b, int units, bool reverse)
    {
        long n = x.shape[0], t = x.shape[1];
        var h = zeros([n, units], dtype: ScalarType.Float64);
        var c = zeros([n, units], dtype: ScalarType.Float64);
        for (long step = 0; step < t; step++)
        {
            long index = reverse ? t - 1 - step : step;
            var z = x[TensorIndex.Colon, TensorIndex.Single(index)].matmul(w) + h.matmul(r) + b;
            var gates = z.chunk(4, 1);
            var (i, f, g, o) = (gates[0].sigmoid(), gates[1].sigmoid(), gates[2].tanh(), gates[3].sigmoid());
            c = f * c + i * g;
            h = o * c.tanh();
        }
        return h;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Lstm_ForwardAndGradients_MatchTorch(bool bidirectional)
    {
        using var torchScope = NewDisposeScope();
        const int n = 5, t = 7, f = 6, u = 4;
        var layer = new LstmLayer(_pool, CanonicalWeights.Lstm(1, f, u, bidirectional), t, oneHot: false, n, new Rng(4));
        foreach (var p in layer.Parameters.Where(p => p.Name.EndsWith("bias", StringComparison.Ordinal))) RandomFloats(_random, p.Length, 0.5).CopyTo(p.Value, 0);
        int width = bidirectional ? 2 * u : u;
        var x = RandomFloats(_random, n * t * f);
        var dy = RandomFloats(_random, n * width);

        var y = (float[])layer.Forward(x, n, true).Clone();
        var dx = layer.Backward(x, y, (float[])dy.Clone(), n, true)!;

        var tx = Leaf(x, n, t, f);
        var leaves = layer.Parameters.Select(p => Leaf(p.Value, p.Shape.Select(s => (long)s).ToArray())).ToArray();
        var forward = TorchLstm(tx, leaves[0], leaves[1], leaves[2], u, reverse: false);
        var ty = bidirectional ? cat([forward, TorchLstm(tx, leaves[3], leaves[4], leaves[5], u, reverse: true)], 1) : forward;
        (ty * Constant(dy, n, width)).sum().backward();

        ShouldMatch(y, ty, "y");
        ShouldMatch(dx, tx.grad!, "dx");
        for (int i = 0; i < leaves.Length; i++) ShouldMatch(layer.Parameters[i].Grad, leaves[i].grad!, layer.Parameters[i].Name);
    }

    [Fact]
    public void OneHotLstm_ForwardAndGradients_MatchTorchOneHotThenLstm()
    {
        using var torchScope = NewDisposeScope();
        const int n = 4, t = 6, depth = 9, u = 5;
        var layer = new LstmLayer(_pool, CanonicalWeights.Lstm(1, depth, u, bidirectional: false), t, oneHot: true, n, new Rng(5));
        var tokens = Enumerable.Range(0, n * t).Select(_ => _random.Next(depth)).ToArray();
        var dy = RandomFloats(_random, n * u);

        var y = (float[])layer.Forward(tokens, n, true).Clone();
        layer.Backward(tokens, (float[])dy.Clone(), n);

        var oneHot = F.one_hot(tensor(tokens.Select(i => (long)i).ToArray(), [n, t]), depth).to(ScalarType.Float64);
        var leaves = layer.Parameters.Select(p => Leaf(p.Value, p.Shape.Select(s => (long)s).ToArray())).ToArray();
        var ty = TorchLstm(oneHot, leaves[0], leaves[1], leaves[2], u, reverse: false);
        (ty * Constant(dy, n, u)).sum().backward();

        ShouldMatch(y, ty, "y");
        for (int i = 0; i < leaves.Length; i++) ShouldMatch(layer.Parameters[i].Grad, leaves[i].grad!, layer.Parameters[i].Name);
    }

    [Fact]
    public void Dropout_Training_ZeroesAboutRateAndScalesTheRest_GradientUsesTheSameMask()
    {
        const int n = 100, size = 100;
        using var pool = new WorkerPool(2);
        var layer = new DropoutLayer(pool, 0.25, size, n, 6);
        var x = Enumerable.Repeat(1f, n * size).ToArray();
        var y = (float[])layer.Forward(x, n, training: true).Clone();
        y.Count(v => v == 0).Should().BeInRange(2300, 2700);
        y.Where(v => v != 0).Should().OnlyContain(v => Math.Abs(v - 1f / 0.75f) < 1e-6);
        var dx = layer.Backward(x, y, Enumerable.Repeat(1f, n * size).ToArray(), n, true)!;
        dx.Should().Equal(y);
        layer.Forward(x, n, training: false).Should().BeSameAs(x);
    }

    /// <summary>
    /// The mask is drawn in blocks on whichever worker takes them, so it must be a function of the seed, the call and the
    /// element alone: the same with 1, 2 or 3 workers (and so the same cut into different blocks), new on every call, and
    /// with neighbouring elements and calls independent (each pair's joint keep rate is the product of the rates).
    /// </summary>
    [Fact]
    public void Dropout_Mask_DependsOnSeedCallAndElementOnly()
    {
        const int n = 128, size = 512;
        var x = Enumerable.Repeat(1f, n * size).ToArray();
        float[][] Masks(int workers)
        {
            using var pool = new WorkerPool(workers);
            var layer = new DropoutLayer(pool, 0.5, size, n, 11);
            return [(float[])layer.Forward(x, n, true).Clone(), (float[])layer.Forward(x, n, true).Clone()];
        }
        var one = Masks(1);
        Masks(2)[0].Should().Equal(one[0]);
        Masks(3)[1].Should().Equal(one[1]);
        one[0].Should().NotEqual(one[1]);
        int count = n * size;
        double bothCalls = Enumerable.Range(0, count).Count(i => one[0][i] != 0 && one[1][i] != 0) / (double)count;
        double neighbours = Enumerable.Range(0, count - 1).Count(i => one[0][i] != 0 && one[0][i + 1] != 0) / (double)(count - 1);
        bothCalls.Should().BeApproximately(0.25, 0.01);
        neighbours.Should().BeApproximately(0.25, 0.01);
        using var other = new WorkerPool(1);
        new DropoutLayer(other, 0.5, size, n, 12).Forward(x, n, true).Should().NotEqual(one[0]);
    }

    [Fact]
    public void Activation_Layer_ForwardAndGradient_MatchTorch()
    {
        using var torchScope = NewDisposeScope();
        const int n = 3, size = 50;
        var layer = new ActivationOnlyLayer(Activation.Relu, size, n);
        var x = RandomFloats(_random, n * size);
        var dy = RandomFloats(_random, n * size);
        var y = (float[])layer.Forward(x, n, true).Clone();
        var dx = layer.Backward(x, y, (float[])dy.Clone(), n, true)!;
        var tx = Leaf(x, n, size);
        var ty = F.relu(tx);
        (ty * Constant(dy, n, size)).sum().backward();
        ShouldMatch(y, ty, "y");
        ShouldMatch(dx, tx.grad!, "dx");
    }

    [Fact]
    public void Losses_MatchTorch_AndStayFiniteForLargeLogits()
    {
        using var torchScope = NewDisposeScope();
        float[] logits = [1000f, -1000f, 3f, 0.5f];
        Loss.SoftmaxCrossEntropy(logits, 1).Should().BeApproximately(2000, 1e-3);
        var reference = F.cross_entropy(Constant(logits, 1, 4), tensor(new long[] { 2 })).item<double>();
        Loss.SoftmaxCrossEntropy(logits, 2).Should().BeApproximately(reference, 1e-6);
        foreach (var z in new[] { -80f, -3f, 0f, 2.5f, 80f })
        foreach (var label in new[] { 0, 1 })
        {
            var expected = F.binary_cross_entropy_with_logits(Constant([z], 1), Constant([label], 1)).item<double>();
            Loss.BinaryWithLogits(z, label).Should().BeApproximately(expected, 1e-9);
        }
    }
}
