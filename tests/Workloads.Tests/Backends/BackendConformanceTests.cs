using PerfTests.Harness.Devices;
using PerfTests.Harness.Backends;
using PerfTests.Harness.Workloads;
using Xunit.Abstractions;

namespace PerfTests.Workloads.Tests.Backends;

/// <summary>
/// The promises every backend keeps, checked for every backend of <see cref="ConformanceBackends"/> on every workload of the
/// catalog (a new backend or workload is covered by adding it, not by writing tests). Numbers are compared one step at a
/// time against a float64 reference from the same weights and batch, so nothing compounds and the bounds hold whatever
/// kernels (AVX2, AVX-512, MKL's vendor paths) each engine picks on this CPU.
/// </summary>
[Trait("Category", "Unit")]
[Collection(LibtorchCollection.Name)]
public sealed class BackendConformanceTests(ITestOutputHelper output)
{
    private const int BatchSize = 8;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var backend in ConformanceBackends.All)
        foreach (var workload in WorkloadCatalog.All)
            data.Add(backend.Name, workload.Name);
        return data;
    }

    public static TheoryData<string> BackendNames()
    {
        var data = new TheoryData<string>();
        foreach (var backend in ConformanceBackends.All) data.Add(backend.Name);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void ParameterCount_IsTheKerasCount_PlusTheDeclaredExtraLstmBiases(string backendName, string workload)
    {
        var backend = Runnable(backendName);
        var spec = WorkloadCatalog.Get(workload);
        long extraBiases = ModelShape.Resolve(spec, TestModels.DataDimension).Sum(l => l.Layer switch
        {
            Lstm lstm => 4L * lstm.Units,
            Bidirectional b => 2 * 4L * b.Layer.Units,
            _ => 0,
        }) * (backend.Traits.LstmBiasVectors - 1);

        using var session = Create(backend, spec, seed: 1);

        session.ParameterCount.Should().Be(ModelShape.KerasParameterCount(spec, TestModels.DataDimension) + extraBiases);
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Weights_HaveTheCanonicalLayout_AndRoundTrip(string backendName, string workload)
    {
        var backend = Runnable(backendName);
        var spec = WorkloadCatalog.Get(workload);
        using var source = Create(backend, spec, seed: 1);
        using var target = Create(backend, spec, seed: 2);

        var weights = source.GetWeights();
        weights.Tensors.Select(t => t.ToString()).Should().Equal(
            ModelWeights.Layout(spec, TestModels.DataDimension).Select(l => $"{l.Name}[{string.Join('×', l.Shape)}]"));
        target.SetWeights(weights);

        var copied = target.GetWeights();
        for (int i = 0; i < weights.Tensors.Count; i++) copied.Tensors[i].Values.Should().Equal(weights.Tensors[i].Values, weights.Tensors[i].Name);
        var batch = TestModels.RandomBatch(spec, TestModels.Dimensions(spec), 3, new Random(3));
        ShouldAgree(backend, target.Predict(batch), source.Predict(batch), "the same weights give the same model");
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Initialisation_FollowsKeras(string backendName, string workload)
    {
        var backend = Runnable(backendName);
        var spec = WorkloadCatalog.Get(workload);
        using var session = Create(backend, spec, seed: 3);
        var weights = session.GetWeights();

        var resolved = ModelShape.Resolve(spec, TestModels.DataDimension);
        for (int i = 0; i < resolved.Count; i++)
        {
            switch (resolved[i].Layer)
            {
                case Dense:
                {
                    var kernel = weights[$"{i}.kernel"];
                    InitialisationStatistics.ShouldBeGlorotUniform(kernel, fanIn: kernel.Shape[0], fanOut: kernel.Shape[1]);
                    weights[$"{i}.bias"].Values.Should().OnlyContain(v => v == 0, $"{i}.bias starts at zero");
                    break;
                }
                case Conv2D:
                {
                    var kernel = weights[$"{i}.kernel"];
                    int receptive = kernel.Shape[2] * kernel.Shape[3];
                    InitialisationStatistics.ShouldBeGlorotUniform(kernel, fanIn: kernel.Shape[1] * receptive, fanOut: kernel.Shape[0] * receptive);
                    weights[$"{i}.bias"].Values.Should().OnlyContain(v => v == 0, $"{i}.bias starts at zero");
                    break;
                }
                case Embedding:
                    InitialisationStatistics.ShouldBeUniform(weights[$"{i}.embeddings"], 0.05);
                    break;
                case Lstm:
                    InitialisationStatistics.ShouldBeKerasLstm(weights, $"{i}.");
                    break;
                case Bidirectional:
                    InitialisationStatistics.ShouldBeKerasLstm(weights, $"{i}.forward/");
                    InitialisationStatistics.ShouldBeKerasLstm(weights, $"{i}.backward/");
                    break;
            }
        }
    }

    /// <summary>
    /// From the same weights and batch: the loss and every parameter's gradient agree with the float64 reference within
    /// <see cref="Float32Tolerance"/>, and the weights after the update are the old weights minus the optimizer's first step
    /// computed in float64 from the backend's own gradients (so a gradient within rounding of zero, whose sign float32 cannot
    /// decide, is checked where it belongs: in the gradient comparison, not amplified by the optimizer's normalisation).
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void OneStep_LossGradientsAndUpdate_AgreeWithTheFloat64Reference(string backendName, string workload)
    {
        var backend = Runnable(backendName);
        var (referenceBackend, why) = ConformanceBackends.Reference();
        Skip.If(referenceBackend is null, why);
        var spec = WorkloadCatalog.Get(workload);
        using var session = Create(backend, spec, seed: 11);
        using var reference = Create(referenceBackend!, spec, seed: 11, float64: true);
        var before = session.GetWeights();
        reference.SetWeights(before);
        var batch = TestModels.RandomBatch(spec, TestModels.Dimensions(spec), BatchSize, new Random(17), learnable: true);

        float loss = session.TrainStep(batch);
        float referenceLoss = reference.TrainStep(batch);
        var gradients = session.GetGradients();
        var referenceGradients = reference.GetGradients();
        var after = session.GetWeights();

        var magnitudes = PerSampleMagnitudes(reference, before, spec, batch);

        output.WriteLine($"loss {loss:R} reference {referenceLoss:R}");
        Float32Tolerance.Error([loss], [referenceLoss]).Should().BeLessThanOrEqualTo(Float32Tolerance.Bound, "the loss agrees with float64");
        gradients.Tensors.Select(t => t.Name).Should().Equal(referenceGradients.Tensors.Select(t => t.Name));
        for (int t = 0; t < gradients.Tensors.Count; t++)
        {
            double error = Float32Tolerance.Error(gradients.Tensors[t].Values, referenceGradients.Tensors[t].Values, magnitudes[t]);
            output.WriteLine($"gradient {gradients.Tensors[t]}: error {error:E2} of bound {Float32Tolerance.Bound:E1}");
            error.Should().BeLessThanOrEqualTo(Float32Tolerance.Bound, $"the gradient of {gradients.Tensors[t].Name} agrees with float64");
        }

        var firstStep = new OptimizerReference(spec.Optimizer);
        for (int t = 0; t < before.Tensors.Count; t++)
        {
            var name = before.Tensors[t].Name;
            int steps = IsLstmBias(name, spec) ? backend.Traits.LstmBiasVectors : 1;
            double worst = OptimizerReference.WorstUpdateError(before.Tensors[t].Values, gradients.Tensors[t].Values, after.Tensors[t].Values,
                g => steps * firstStep.FirstUpdate(g));
            worst.Should().BeLessThanOrEqualTo(OptimizerReference.Bound, $"{name} moved by {steps} {spec.Optimizer.GetType().Name} step(s) of its gradient");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void SameSeed_GivesIdenticalWeights_AndAnIdenticalFirstStep(string backendName, string workload)
    {
        var backend = Runnable(backendName);
        var spec = WorkloadCatalog.Get(workload);
        using var first = Create(backend, spec, seed: 21);
        using var second = Create(backend, spec, seed: 21);
        using var other = Create(backend, spec, seed: 22);
        var weights = first.GetWeights();
        var same = second.GetWeights();
        for (int t = 0; t < weights.Tensors.Count; t++) same.Tensors[t].Values.Should().Equal(weights.Tensors[t].Values, weights.Tensors[t].Name);
        other.GetWeights().Tensors.SelectMany(t => t.Values).Should().NotEqual(weights.Tensors.SelectMany(t => t.Values), "another seed draws other weights");

        var batch = TestModels.RandomBatch(spec, TestModels.Dimensions(spec), BatchSize, new Random(21));
        ShouldAgree(backend, [second.TrainStep(batch)], [first.TrainStep(batch)], "the same seed and batch give the same loss");
        var a = first.GetGradients();
        var b = second.GetGradients();
        for (int t = 0; t < a.Tensors.Count; t++) ShouldAgree(backend, b.Tensors[t].Values, a.Tensors[t].Values, $"the same seed and batch give the same gradient of {a.Tensors[t].Name}");
    }

    /// <summary>Bit for bit where the backend promises it (<see cref="BackendTraits.BitReproducible"/>), else within float32 rounding.</summary>
    private static void ShouldAgree(IBackend backend, IReadOnlyList<float> actual, IReadOnlyList<float> expected, string because)
    {
        if (backend.Traits.BitReproducible) actual.Should().Equal(expected, because);
        else Float32Tolerance.Error(actual, expected).Should().BeLessThanOrEqualTo(Float32Tolerance.Bound, because);
    }

    [SkippableTheory]
    [MemberData(nameof(BackendNames))]
    public void UnsupportedDevice_IsRefused_WithTheReason(string backendName)
    {
        var backend = Runnable(backendName);
        // No machine has 64 GPUs behind one process; every backend must refuse it, and say why.
        var device = new ComputeDevice(DeviceKind.Cuda, 63);

        backend.Supports(device, out var reason).Should().BeFalse();
        reason.Should().NotBeNullOrWhiteSpace();
        var act = () => backend.CreateSession(WorkloadCatalog.MlpMnist, TestModels.Dimensions(WorkloadCatalog.MlpMnist), device, new SessionOptions(1));
        act.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain(reason);
    }

    /// <summary>The mean over the batch of each sample's |gradient| in float64: the magnitudes a batch gradient is summed from.</summary>
    private static double[][] PerSampleMagnitudes(ITrainingSession reference, ModelWeights weights, WorkloadSpec spec, Batch batch)
    {
        double[][]? sums = null;
        var single = new Batch(spec.Input, spec.BatchSize);
        for (int s = 0; s < batch.Count; s++)
        {
            if (batch.Features is { } features) features.AsSpan(s * batch.SampleSize, batch.SampleSize).CopyTo(single.Features);
            else batch.Tokens.AsSpan(s * batch.SampleSize, batch.SampleSize).CopyTo(single.Tokens);
            single.Labels[0] = batch.Labels[s];
            single.Count = 1;
            reference.SetWeights(weights);
            reference.TrainStep(single);
            var gradients = reference.GetGradients().Tensors;
            sums ??= gradients.Select(t => new double[t.Values.Length]).ToArray();
            for (int t = 0; t < gradients.Count; t++)
            for (int i = 0; i < sums[t].Length; i++) sums[t][i] += Math.Abs(gradients[t].Values[i]) / batch.Count;
        }
        return sums!;
    }

    private static bool IsLstmBias(string name, WorkloadSpec spec)
    {
        int layer = int.Parse(name[..name.IndexOf('.')]);
        return spec.Layers[layer] is Lstm or Bidirectional && name.EndsWith("bias", StringComparison.Ordinal);
    }

    private static IBackend Runnable(string name)
    {
        var backend = ConformanceBackends.Get(name);
        var availability = backend.Probe();
        Skip.IfNot(availability.IsAvailable, $"{name} is not available here: {availability.Reason}");
        return backend;
    }

    private static ITrainingSession Create(IBackend backend, WorkloadSpec spec, int seed, bool float64 = false) =>
        backend.CreateSession(spec, TestModels.Dimensions(spec), ComputeDevice.Cpu, new SessionOptions(seed, Threads: 2, DisableDropout: true, Float64: float64));
}
