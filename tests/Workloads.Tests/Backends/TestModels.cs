using PerfTests.Harness.Backends;
using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Backends;

/// <summary>Model dimensions and random batches for any workload of the catalog, so backend tests cover a seventh by themselves.</summary>
internal static class TestModels
{
    /// <summary>The size a <see cref="LayerSpec.FromData"/> layer takes in tests: the Nietzsche vocabulary Keras counts.</summary>
    public const int DataDimension = 57;

    public static ModelDimensions Dimensions(WorkloadSpec spec)
    {
        int outputs = ModelShape.Resolve(spec, DataDimension)[^1].OutputShape[0];
        return new ModelDimensions(spec.Loss == LossKind.BinaryCrossEntropy ? 2 : outputs, DataDimension);
    }

    /// <summary>Uniform features in [0, 1) or uniform tokens; with <paramref name="learnable"/>, a token sample's label is its last token modulo the classes.</summary>
    public static Batch RandomBatch(WorkloadSpec spec, ModelDimensions dimensions, int count, Random random, bool learnable = false)
    {
        var batch = new Batch(spec.Input, Math.Max(count, spec.BatchSize));
        if (batch.Features is { } features)
            for (int i = 0; i < count * batch.SampleSize; i++) features[i] = (float)random.NextDouble();
        else
        {
            int vocabulary = spec.Layers[0] switch
            {
                Embedding e => ModelShape.Size(e.InputDim, dimensions.DataDimension, spec.Name),
                OneHot o => ModelShape.Size(o.Depth, dimensions.DataDimension, spec.Name),
                _ => throw new InvalidOperationException($"{spec.Name}: token input needs an Embedding or OneHot first layer."),
            };
            for (int i = 0; i < count * batch.SampleSize; i++) batch.Tokens![i] = random.Next(vocabulary);
        }
        int labels = spec.Loss == LossKind.BinaryCrossEntropy ? 2 : dimensions.Classes;
        for (int i = 0; i < count; i++)
            batch.Labels[i] = learnable && batch.Tokens is { } tokens ? tokens[(i + 1) * batch.SampleSize - 1] % labels : random.Next(labels);
        batch.Count = count;
        return batch;
    }

    public static TheoryData<string> WorkloadNames()
    {
        var data = new TheoryData<string>();
        foreach (var workload in WorkloadCatalog.All) data.Add(workload.Name);
        return data;
    }
}
