using System.Buffers.Binary;
using System.Text.RegularExpressions;
using PerfTests.Harness.Reports;
using PerfTests.Harness.Workloads;
using ScottPlot.Plottables;
using static PerfTests.Workloads.Tests.Reports.ReportFixtures;

namespace PerfTests.Workloads.Tests.Reports;

[Trait("Category", "Unit")]
public sealed class ReportChartsTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private static readonly ReportModel Model = ReportBuilder.Build(All, []);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Write_FixedResults_TwoChartsPerSectionInPngAndSvg()
    {
        var written = ReportCharts.Write(Model, _temp.Path);

        written.Should().HaveCount(Model.Sections.Count * 4).And.OnlyContain(p => File.Exists(p));
        written.Select(Path.GetFileName).Should().Contain(
        [
            "mlp_mnist.full.seconds-per-epoch.png", "mlp_mnist.full.seconds-per-epoch.svg",
            "mlp_mnist.full.time-to-accuracy.png", "lstm_textgen.smoke.time-to-loss.svg",
        ]);
    }

    [Fact]
    public void Write_Png_HasTheChartSizeInItsHeader()
    {
        var png = ReportCharts.Write(Model, _temp.Path).First(p => p.EndsWith(".png"));

        var header = File.ReadAllBytes(png).AsSpan(0, 24);
        header[..8].ToArray().Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A);
        BinaryPrimitives.ReadInt32BigEndian(header[16..20]).Should().Be(ReportCharts.Width);
        BinaryPrimitives.ReadInt32BigEndian(header[20..24]).Should().Be(ReportCharts.Height);
    }

    [Fact]
    public void SecondsChart_Svg_OneBarPerRunAndTheBackendsInTheLegend()
    {
        ReportCharts.Write(Model, _temp.Path);
        var svg = File.ReadAllText(Path.Combine(_temp.Path, "lstm_textgen.smoke.seconds-per-epoch.svg"));

        svg.Should().Contain("width=\"800\" height=\"500\"").And.Contain("managed").And.Contain("torchsharp");
        // Each backend's colour fills its bars and its legend swatch: managed ran on 1 device, torchsharp on 2.
        var fills = Regex.Matches(svg, "<rect fill=\"(#[0-9A-F]{6})\" x=").GroupBy(m => m.Groups[1].Value).Select(g => g.Count()).Order();
        fills.Should().Equal(2, 3);
    }

    [Fact]
    public void SecondsChart_OneBarPerRunGroupedByBackend()
    {
        var section = Model.Sections.Single(s => s.Workload == "lstm_textgen");

        var bars = ReportCharts.SecondsChart(section).GetPlottables().OfType<BarPlot>().ToList();

        bars.Select(b => b.LegendText).Should().Equal("managed", "torchsharp");
        bars.Select(b => b.Bars.Count).Should().Equal(1, 2);
        bars.SelectMany(b => b.Bars).Select(b => b.Label).Should().Equal("5.82 †", "2.13 †", "0.476 †");
    }

    [Fact]
    public void SecondsChart_HistoricalRows_HatchedBarsOnTheirOwnDevices()
    {
        var historical = new[]
        {
            new HistoricalFigure("cnn_cifar10", "tensorflow", "k80", RunProfile.Full,
                MetricKind.ValidationAccuracy, 0.7725, 39.2, "tensorflow (2017)", "Keras backend benchmark, 2017"),
            new HistoricalFigure("cnn_cifar10", "tensorflow", "titan-x", RunProfile.Full,
                MetricKind.ValidationAccuracy, 0.7687, 17.0, "tensorflow (2017)", "Keras backend benchmark, 2017"),
        };
        var section = ReportBuilder.Build(All, historical).Sections.Single(s => s.Workload == "cnn_cifar10");

        var bars = ReportCharts.SecondsChart(section).GetPlottables().OfType<BarPlot>().ToList();

        bars.Select(b => b.LegendText).Should().Equal("managed", "torchsharp", "tensorflow (2017)");
        var theirs = bars[2].Bars;
        theirs.Select(b => b.Label).Should().Equal("39.2", "17.0");
        theirs.Should().OnlyContain(b => b.FillHatch != null);
        bars[0].Bars.Should().OnlyContain(b => b.FillHatch == null);
        // Groups follow the table's columns: ours (cpu, h100), then the historical k80 and titan-x, one bar each, centred.
        theirs.Select(b => b.Position).Should().Equal(2, 3);
        bars[0].Bars.Select(b => b.Position).Should().Equal(-0.2, 0.8);
    }

    [Fact]
    public void SecondsChart_ValuesSpanningOverTenfold_UsesALogAxis()
    {
        var cifar = ReportCharts.SecondsChart(Model.Sections.Single(s => s.Workload == "cnn_cifar10"));
        var cpuOnly = ReportBuilder.Build(All.Where(r => r.Device == Cpu && r.Workload == "mlp_mnist").ToList(), []).Sections.Single();
        var mnistOnCpu = ReportCharts.SecondsChart(cpuOnly);

        cifar.Axes.Left.Label.Text.Should().Be("seconds per epoch (log scale)");
        mnistOnCpu.Axes.Left.Label.Text.Should().Be("seconds per epoch");
    }

    [Fact]
    public void TimeToMetricChart_OneLinePerRunWithEveryEpoch()
    {
        var section = Model.Sections.Single(s => s.Workload == "mlp_mnist");

        var lines = ReportCharts.TimeToMetricChart(section).GetPlottables().OfType<Scatter>().ToList();

        lines.Select(l => l.LegendText).Should().Equal(section.Runs.Select(r => r.Label));
        lines.Should().OnlyContain(l => l.Data.GetScatterPoints().Count == 20);
        lines[0].Data.GetScatterPoints()[^1].Y.Should().Be(section.Runs[0].Epochs[^1].Metric);
    }

    [Fact]
    public void TimeToMetricChart_Svg_LegendNamesEveryRun()
    {
        ReportCharts.Write(Model, _temp.Path);
        var svg = File.ReadAllText(Path.Combine(_temp.Path, "cnn_cifar10.ci.time-to-accuracy.svg"));

        foreach (var run in Model.Sections.Single(s => s.Workload == "cnn_cifar10").Runs)
            svg.Should().Contain(run.Label);
        svg.Should().Contain("cumulative wall time, seconds").And.Contain("validation accuracy");
    }
}
