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

    private int _count;
    public int Count
    {
        get => _count;
        set => _count = value >= 0 && value <= Capacity ? value : throw new ArgumentOutOfRangeException(nameof(value), $"0..{Capacity}");
    }
}
