using PerfTests.Harness.Baselines;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Reports;
using PerfTests.Harness.Workloads;
using static PerfTests.Workloads.Tests.Reports.ReportFixtures;

namespace PerfTests.Workloads.Tests.Reports;

[Trait("Category", "Unit")]
public sealed class ReportBuilderTests
{
    private static readonly IReadOnlyList<HistoricalFigure> Historical =
        HistoricalFigures.From(BaselineStore.Load(Path.Combine(RepositoryRoot(), "baselines")));

    private static WorkloadSection Section(string workload, IReadOnlyList<RunResult>? results = null) =>
        ReportBuilder.Build(results ?? All, Historical).Sections.Single(s => s.Workload == workload);

    private static TableCell Cell(ReportTable table, string row, string column) =>
        table.Rows.Single(r => r.Label == row).Cells[table.Columns.ToList().IndexOf(column)];

    [Fact]
    public void Build_Sections_InCatalogOrderOnePerWorkloadAndProfile()
    {
        var model = ReportBuilder.Build(All, Historical);

        model.Sections.Select(s => (s.Workload, s.Profile)).Should().Equal(
            ("mlp_mnist", RunProfile.Full), ("cnn_cifar10", RunProfile.Ci), ("lstm_textgen", RunProfile.Smoke));
    }

    [Fact]
    public void SecondsTable_FastestBoldOthersWithSlowdown()
    {
        var seconds = Section("mlp_mnist").Seconds;

        Cell(seconds, "torchsharp", Cpu).Should().Match<TableCell>(c => c.Bold && c.Text == "4.19 · 13%" && c.Slowdown == 1);
        Cell(seconds, "managed", Cpu).Should().Match<TableCell>(c => !c.Bold && c.Text == "9.79 (2.3x) · 5.4%");
    }

    [Fact]
    public void Tables_HistoricalRowsFromBaselines_MarkedAndAfterOurs()
    {
        var seconds = Section("mlp_mnist").Seconds;

        seconds.Rows.Select(r => (r.Label, r.Historical)).Should().Equal(
            ("managed", false), ("torchsharp", false), ("cntk (2017)", true), ("tensorflow (2017)", true), ("theano (2017)", true));
        seconds.Columns.Should().Equal(Cpu, Gpu, "gtx-1080-ti", "k80", "titan-x");
        Cell(seconds, "theano (2017)", "titan-x").Text.Should().Be("20.0 (14.3x)");
        Cell(seconds, "theano (2017)", "k80").Should().Be(TableCell.Empty);
    }

    [Fact]
    public void SecondsTable_SharedColumn_FastestFoundSeparatelyForOursAndHistorical()
    {
        // A run today on a device the 2017 rows also name: each group keeps its own fastest.
        var today = All.Where(r => r.Workload == "mlp_mnist").Select(r => r with { Device = r.Device == Gpu ? "gtx-1080-ti" : r.Device }).ToList();

        var seconds = Section("mlp_mnist", today).Seconds;

        Cell(seconds, "torchsharp", "gtx-1080-ti").Should().Match<TableCell>(c => c.Bold && c.Slowdown == 1);
        Cell(seconds, "cntk (2017)", "gtx-1080-ti").Should().Match<TableCell>(c => c.Bold && c.Text == "1.30");
        Cell(seconds, "managed", "gtx-1080-ti").Text.Should().Be("2.39 (2.7x) · 0.1%");
    }

    [Fact]
    public void MetricTable_BestOfEachColumnBold()
    {
        var metric = Section("lstm_textgen").Metric;

        metric.Title.Should().Contain("training loss (lower is better)");
        Cell(metric, "torchsharp", Cpu).Bold.Should().BeTrue();
        Cell(metric, "managed", Cpu).Bold.Should().BeFalse();
        Cell(metric, "managed", Gpu).Should().Be(TableCell.Empty);
        Cell(metric, "cntk (2017)", "gtx-1080-ti").Should().Match<TableCell>(c => c.Bold && c.Text == "1.3956");
    }

    [Fact]
    public void GeneratedData_MarkedInCellsFootnotedAndNotComparedWithHistorical()
    {
        var section = Section("lstm_textgen");

        Cell(section.Seconds, "torchsharp", Cpu).Should().Match<TableCell>(c => c.Data == DataKind.Generated && c.Text.StartsWith("2.13 † · "));
        section.Footnotes.Should().Contain(f => f.StartsWith("† generated data (generated-nietzsche): not comparable to the 2017 figures"));
        section.Conclusions.Should().Contain(c => c.Contains("for orientation, not comparison") && c.Contains("generated data"));
    }

    [Fact]
    public void SubstituteDataSet_MarkedFootnotedAndNotComparedWithHistorical()
    {
        var fashion = All.Where(r => r.Workload == "mlp_mnist")
            .Select(r => r with { Data = new PerfTests.Harness.Data.DataProvenance("fashion-mnist", "/usr/share/datasets/fashion-mnist", new string('f', 64)) })
            .ToList();

        var section = Section("mlp_mnist", fashion);

        Cell(section.Metric, "torchsharp", Cpu).Should().Match<TableCell>(c => c.Data == DataKind.Substitute && c.Text == "0.9838 ‡");
        section.Runs.Should().OnlyContain(r => r.DataKind == DataKind.Substitute);
        section.Footnotes.Should().Contain(f => f.StartsWith("‡ trained on fashion-mnist instead of mnist"));
        // Same shapes, so the full-schedule timing still compares; the accuracy does not.
        section.Conclusions.Should().Contain("The historical validation accuracies are not comparable with ours: our runs trained on fashion-mnist instead of mnist.");
        section.Conclusions.Should().Contain(c => c.StartsWith("Our fastest run"));
    }

    [Fact]
    public void Conclusions_FastestPerDeviceAndAccuracyAgreement()
    {
        var conclusions = Section("mlp_mnist").Conclusions;

        conclusions.Should().Contain("On h100-80gb, torchsharp is fastest at 0.884 s/epoch; managed takes 2.7x as long (2.39 s/epoch).");
        conclusions.Should().Contain("torchsharp is 4.7x faster on h100-80gb than on cpu-amd-epyc-7763-2t.");
        conclusions.Should().Contain(c => c.StartsWith("The validation accuracies agree within the gate's full tolerance"));
        conclusions.Should().Contain(c => c.StartsWith("Our fastest run (torchsharp on h100-80gb, 0.884 s/epoch) is 1.5x faster than the fastest historical one"));
    }

    [Fact]
    public void Conclusions_AccuracySpreadBeyondTolerance_Flagged()
    {
        Section("cnn_cifar10").Conclusions.Should().Contain(c =>
            c.StartsWith("The validation accuracies differ by more than the gate's ci tolerance") && c.Contains("managed on cpu-amd-epyc-7763-2t 0.4105"));
    }

    [Fact]
    public void Build_DuplicateResults_NewestReportedAndNoted()
    {
        var older = All[0] with
        {
            Epochs = [.. All[0].Epochs.Select(e => e with { Seconds = 99 })],
            Environment = All[0].Environment with { Timestamp = All[0].Environment.Timestamp.AddDays(-1) },
        };

        var model = ReportBuilder.Build([older, .. All], Historical);

        Cell(model.Sections[0].Seconds, "torchsharp", Cpu).Text.Should().Be("4.19 · 13%");
        model.Notes.Should().ContainSingle(n => n.StartsWith("mlp_mnist/torchsharp/cpu-amd-epyc-7763-2t/full: 2 results; the newest"));
    }

    [Fact]
    public void Build_SampleText_KeptPerRun()
    {
        Section("lstm_textgen").Runs.Should().OnlyContain(r => r.SampleText != null && r.SampleText.Length == 400);
    }

    [Theory]
    [InlineData("Keras backend benchmark, 2017 (shared/seed-benchmark.md)", "2017")]
    [InlineData("a lab notebook", "historical")]
    public void YearOf_Source_YearOrHistorical(string source, string expected) =>
        HistoricalFigures.YearOf(source).Should().Be(expected);
}
