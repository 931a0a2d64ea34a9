using PerfTests.Harness.Baselines;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Baselines;

/// <summary>baselines accept --metric-only: a deliberate change of a training trajectory re-records only the metric.</summary>
[Trait("Category", "Unit")]
public sealed class MetricAcceptTests
{
    [Fact]
    public void AcceptMetrics_IntoAnotherDevice_ChangesOnlyTheMetricValue()
    {
        using var root = new TempFolder();
        var folder = Fixtures.EmptyBaselines(root);
        BaselineUpdater.Accept(folder, [Fixtures.Result(metric: 0.8485, device: "cpu-other-2t")]);
        var before = BaselineStore.Load(folder).Files.Single().Entries.Single();

        var changes = BaselineUpdater.AcceptMetrics(folder, [Fixtures.Result(metric: 0.81554, device: "cpu-here-2t", secondsPerEpoch: 99)], "cpu-other-2t");

        var after = BaselineStore.Load(folder).Files.Single().Entries.Single();
        Fixtures.Serialized(after).Should().Be(Fixtures.Serialized(before with { Metric = before.Metric with { Value = 0.8155 } }));
        after.Metric.Tolerance.Should().Be(before.Metric.Tolerance);
        changes.Single().Summary.Should().Be("metric 0.8485 → 0.8155");
        File.Exists(Path.Combine(folder, "cpu-here-2t.json")).Should().BeFalse();
    }

    [Fact]
    public void AcceptMetrics_OtherMetricKind_RefusesAndWritesNothing()
    {
        using var root = new TempFolder();
        var folder = Fixtures.EmptyBaselines(root);
        BaselineUpdater.Accept(folder, [Fixtures.Result(device: "cpu-other-2t")]);
        var path = Path.Combine(folder, "cpu-other-2t.json");
        var text = File.ReadAllText(path);

        var act = () => BaselineUpdater.AcceptMetrics(folder, [Fixtures.Result(metric: 0.3, kind: MetricKind.TrainingLoss, device: "cpu-other-2t")]);

        act.Should().Throw<InvalidDataException>().WithMessage("*TrainingLoss*ValidationAccuracy*nothing was accepted*");
        File.ReadAllText(path).Should().Be(text);
    }

    [Fact]
    public void AcceptMetrics_NoEntry_RefusesAndWritesNothing()
    {
        using var root = new TempFolder();
        var folder = Fixtures.EmptyBaselines(root);
        BaselineUpdater.Accept(folder, [Fixtures.Result(device: "cpu-other-2t", workload: "cnn_mnist")]);
        var path = Path.Combine(folder, "cpu-other-2t.json");
        var text = File.ReadAllText(path);

        var act = () => BaselineUpdater.AcceptMetrics(folder, [Fixtures.Result(device: "cpu-here-2t")], "cpu-other-2t");

        act.Should().Throw<InvalidDataException>().WithMessage("*no measured entry mlp_mnist*metric*nothing was accepted*");
        File.ReadAllText(path).Should().Be(text);
    }
}
