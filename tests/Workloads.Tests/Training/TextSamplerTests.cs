using PerfTests.Harness.Training;

namespace PerfTests.Workloads.Tests.Training;

[Trait("Category", "Unit")]
public sealed class TextSamplerTests
{
    [Fact]
    public void Draw_LowTemperature_PicksTheMostLikely()
    {
        var random = new Random(1);
        var weights = new double[3];
        var draws = Enumerable.Range(0, 200).Select(_ => TextSampler.Draw([0.2f, 0.7f, 0.1f], 0.05, random, weights)).ToList();

        draws.Should().OnlyContain(d => d == 1);
    }

    [Fact]
    public void Draw_TemperatureOne_FollowsTheDistribution()
    {
        var random = new Random(2);
        var weights = new double[2];
        int ones = Enumerable.Range(0, 4000).Count(_ => TextSampler.Draw([0.25f, 0.75f], 1.0, random, weights) == 1);

        (ones / 4000.0).Should().BeApproximately(0.75, 0.03);
    }
}
