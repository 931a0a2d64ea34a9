using PerfTests.Harness.Reports;
using static PerfTests.Workloads.Tests.Reports.ReportFixtures;

namespace PerfTests.Workloads.Tests.Reports;

[Trait("Category", "Unit")]
public sealed class MarkdownReportTests
{
    [Fact]
    public void Render_SampleTextWithBackticks_FencedSoItCannotCloseTheBlock()
    {
        var run = All.First(r => r.Workload == "lstm_textgen") with { SampleText = "a ``` b ```` c" };

        var markdown = MarkdownReport.Render(ReportBuilder.Build([run], []));

        markdown.Should().Contain("`````text\na ``` b ```` c\n`````");
    }

    [Fact]
    public void Render_NoBaselines_NoHistoricalRowsAndTheNoteShown()
    {
        var markdown = MarkdownReport.Render(ReportBuilder.Build(All, [], ["No baselines folder found: the historical rows are left out."]));

        markdown.Should().Contain("> No baselines folder found").And.NotContain("(2017)").And.NotContain("k80");
    }

    [Fact]
    public void Render_HistoricalRows_ItalicAfterOurs()
    {
        var historical = new HistoricalFigure("mlp_mnist", "tensorflow", "k80", PerfTests.Harness.Workloads.RunProfile.Full,
            PerfTests.Harness.Workloads.MetricKind.ValidationAccuracy, 0.9839, 3.4, "tensorflow (2017)", "a 2017 benchmark");

        var markdown = MarkdownReport.Render(ReportBuilder.Build(All.Where(r => r.Workload == "mlp_mnist").ToList(), [historical]));

        markdown.Should().Contain("| torchsharp | **4.19 · 13%** | **0.884 · 0.4%** |  |\n| *tensorflow (2017)* |  |  | **3.40** |");
    }
}
