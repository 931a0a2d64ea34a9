using PerfTests.Harness.Data;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Backends;

/// <summary>
/// A reusable batch buffer: the first <see cref="Count"/> samples are valid. Features are
/// float[Count × SampleSize] in the input's layout (channels first for images); tokens are
/// int[Count × SampleSize]; labels are class indices (0/1 for binary workloads).
/// </summary>
public sealed class Batch
{
    public Batch(InputSpec input, int capacity)
    {
        Input = input;
        Capacity = capacity;
        SampleSize = input.SampleSize;
        if (input.Kind == InputKind.Features) Features = new float[capacity * SampleSize];
        else Tokens = new int[capacity * SampleSize];
        Labels = new int[capacity];
    }

    public InputSpec Input { get; }
    public int Capacity { get; }
    public int SampleSize { get; }
    public float[]? Features { get; }
    public int[]? Tokens { get; }
    public int[] Labels { get; }

    /// <summary>
    /// Checks that <paramref name="split"/>'s samples fit this batch and that every one of <paramref name="indices"/> is in
    /// it, so that copying rows (<see cref="CopyRows"/>), on any thread, cannot fail.
    /// </summary>
    public void CheckGather(DataSplit split, ReadOnlySpan<int> indices)
    {
        if (split.SampleSize != SampleSize || split.Kind != Input.Kind)
            throw new ArgumentException($"The split's samples ({split.Kind}, {split.SampleSize} values) do not fit a batch of {Input.Kind}, {SampleSize} values.", nameof(split));
        if (indices.Length > Capacity)
            throw new ArgumentOutOfRangeException(nameof(indices), $"{indices.Length} samples do not fit a batch of {Capacity}.");
        foreach (int index in indices)
            if ((uint)index >= (uint)split.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Sample {index} is not in a split of {split.Count}.");
    }

    /// <summary>Copies the samples at indices[first..end) of <paramref name="split"/> into rows first..end; <see cref="Count"/> is the caller's to set.</summary>
    public void CopyRows(DataSplit split, ReadOnlySpan<int> indices, int first, int end)
    {
        int size = SampleSize;
        for (int i = first; i < end; i++)
        {
            int source = indices[i];
            if (split.Features is { } features)
                features.AsSpan(source * size, size).CopyTo(Features.AsSpan(i * size, size));
            else
                split.Tokens.AsSpan(source * size, size).CopyTo(Tokens.AsSpan(i * size, size));
            Labels[i] = split.Labels[source];
        }
    }

    private int _count;
    public int Count
    {
        get => _count;
        set => _count = value >= 0 && value <= Capacity ? value : throw new ArgumentOutOfRangeException(nameof(value), $"0..{Capacity}");
    }
}
