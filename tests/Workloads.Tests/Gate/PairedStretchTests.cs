using PerfTests.Harness.Baselines;
using PerfTests.Harness.Data;
using PerfTests.Harness.Gate;
using PerfTests.Workloads.Tests.Baselines;

namespace PerfTests.Workloads.Tests.Gate;

/// <summary>The paired processes' stretch: whole batches for epochs of about the target, never longer than the profile.</summary>
[Trait("Category", "Unit")]
public sealed class PairedStretchTests
{
    [Theory]
    [InlineData(0.093, 128, 12_000, 6 * 128)]   // cnn_mnist: 0.5 s / 93 ms → 6 batches
    [InlineData(0.010, 128, 12_000, 50 * 128)]  // 50 batches of 10 ms
    [InlineData(0.500, 32, 12_000, 5 * 32)]     // one batch is a whole target: still the minimum batches
    public void Samples_WholeBatchesForTheTargetEpoch(double batchSeconds, int batchSize, int trainSamples, int expected) =>
        PairedStretch.Samples(batchSeconds, batchSize, trainSamples).Should().Be(expected);

    [Theory]
    [InlineData(0.002, 128, 2_000)]  // the whole profile is 16 batches, 32 ms: train it all
    [InlineData(0.050, 128, 1_280)]  // exactly the profile's 10 batches
    public void Samples_ProfileAlreadyShort_IsTheWholeProfile(double batchSeconds, int batchSize, int trainSamples) =>
        PairedStretch.Samples(batchSeconds, batchSize, trainSamples).Should().BeNull();

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Samples_ImpossibleBatchTime_Throws(double batchSeconds) =>
        ((Action)(() => PairedStretch.Samples(batchSeconds, 128, 12_000))).Should().Throw<ArgumentOutOfRangeException>();

    [Fact]
    public void Take_KeepsTheFirstSamplesOfEachSplit()
    {
        var train = new DataSplit(4, 2, [1, 2, 3, 4, 5, 6, 7, 8], null, [0, 1, 0, 1]);
        var validation = new DataSplit(2, 2, null, [9, 9, 8, 8], [1, 0]);
        var data = new WorkloadData(train, validation, 2, 0, new DataProvenance("generated-x", "test", DataProvenance.GeneratedChecksum));

        var taken = data.Take(3);

        taken.Train.Count.Should().Be(3);
        taken.Train.Features.Should().Equal(1, 2, 3, 4, 5, 6);
        taken.Train.Labels.Should().Equal(0, 1, 0);
        taken.Validation.Should().BeSameAs(validation, "a split with fewer samples than the limit is kept whole");
    }

    [Fact]
    public void Accept_TimingStretch_IsRefusedAndWritesNothing()
    {
        using var root = new TempFolder();
        var folder = Fixtures.EmptyBaselines(root);

        var act = () => BaselineUpdater.Accept(folder, [Fixtures.Result(device: "cpu-here-2t") with { SampleLimit = 640 }]);

        act.Should().Throw<InvalidDataException>().WithMessage("*timing stretch (run --samples 640)*not a baseline*nothing was accepted*");
        Directory.GetFiles(folder, "*.json").Should().ContainSingle("only the schema is there");
    }
}
