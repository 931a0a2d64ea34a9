using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Training;

/// <summary>
/// Keras ImageDataGenerator's random shift and horizontal flip, in place on a channels-first batch.
/// Keras applies shifts through scipy's affine_transform with order 0 (nearest), so shifts are whole
/// pixels; points outside are filled from the nearest edge pixel (fill_mode='nearest').
/// </summary>
public sealed class ImageAugmenter(AugmentationSpec spec, int channels, int height, int width, int seed)
{
    private readonly Random _random = new(seed);
    private readonly float[] _scratch = new float[channels * height * width];

    public void Apply(float[] batch, int count)
    {
        int size = channels * height * width;
        for (int i = 0; i < count; i++)
        {
            var sample = batch.AsSpan(i * size, size);
            int dy = (int)Math.Round((_random.NextDouble() * 2 - 1) * spec.HeightShift * height);
            int dx = (int)Math.Round((_random.NextDouble() * 2 - 1) * spec.WidthShift * width);
            bool flip = spec.HorizontalFlip && _random.NextDouble() < 0.5;
            if (dx == 0 && dy == 0 && !flip) continue;
            Transform(sample, dy, dx, flip);
        }
    }

    /// <summary>out[y, x] = in[clamp(y − dy), clamp(x' − dx)], x' mirrored when flipping.</summary>
    internal void Transform(Span<float> sample, int dy, int dx, bool flip)
    {
        sample.CopyTo(_scratch);
        for (int c = 0; c < channels; c++)
        {
            int plane = c * height * width;
            for (int y = 0; y < height; y++)
            {
                int sy = Math.Clamp(y - dy, 0, height - 1);
                int source = plane + sy * width;
                int target = plane + y * width;
                for (int x = 0; x < width; x++)
                {
                    int sx = Math.Clamp(x - dx, 0, width - 1);
                    if (flip) sx = width - 1 - sx;
                    sample[target + x] = _scratch[source + sx];
                }
            }
        }
    }
}
