using PerfTests.Harness.Training;
using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Training;

[Trait("Category", "Unit")]
public sealed class ImageAugmenterTests
{
    private static float[] Ramp(int channels, int height, int width) =>
        Enumerable.Range(0, channels * height * width).Select(i => (float)i).ToArray();

    [Fact]
    public void Transform_ShiftRight_FillsFromTheNearestEdge()
    {
        var augmenter = new ImageAugmenter(new AugmentationSpec(0.1, 0.1, false), 1, 2, 4, seed: 1);
        var image = Ramp(1, 2, 4); // rows: 0 1 2 3 / 4 5 6 7

        augmenter.Transform(image, dy: 0, dx: 1, flip: false);

        image.Should().Equal(0, 0, 1, 2, 4, 4, 5, 6);
    }

    [Fact]
    public void Transform_ShiftUpAndFlip_MirrorsColumns()
    {
        var augmenter = new ImageAugmenter(new AugmentationSpec(0.1, 0.1, true), 1, 2, 3, seed: 1);
        var image = Ramp(1, 2, 3); // 0 1 2 / 3 4 5

        augmenter.Transform(image, dy: -1, dx: 0, flip: true);

        image.Should().Equal(5, 4, 3, 5, 4, 3);
    }

    [Fact]
    public void Apply_ShiftsStayWithinTenPercent()
    {
        var spec = new AugmentationSpec(0.1, 0.1, false);
        var augmenter = new ImageAugmenter(spec, 1, 32, 32, seed: 3);
        var batch = new float[32 * 32 * 50];
        for (int s = 0; s < 50; s++) batch[s * 1024 + 16 * 32 + 16] = 1; // one bright pixel in the centre

        augmenter.Apply(batch, 50);

        for (int s = 0; s < 50; s++)
        {
            int at = Array.IndexOf(batch, 1f, s * 1024, 1024) - s * 1024;
            at.Should().BeGreaterThanOrEqualTo(0);
            Math.Abs(at / 32 - 16).Should().BeLessThanOrEqualTo(3);
            Math.Abs(at % 32 - 16).Should().BeLessThanOrEqualTo(3);
        }
    }
}
