using PerfTests.Harness.Reports;
using static PerfTests.Workloads.Tests.Reports.ReportFixtures;

namespace PerfTests.Workloads.Tests.Reports;

[Trait("Category", "Unit")]
public sealed class ReportFormatsTests
{
    [Fact]
    public void JsonReport_RoundTrip_KeepsTheModel()
    {
        var model = ReportBuilder.Build(All, []);

        var json = JsonReport.Render(model);
        var parsed = JsonReport.Parse(json);

        parsed.Should().BeEquivalentTo(model, o => o.WithStrictOrdering());
        JsonReport.Render(parsed).Should().Be(json);
    }

    [Fact]
    public void JsonReport_Cells_CarryNumbersBesideTheText()
    {
        var json = JsonReport.Render(ReportBuilder.Build(All, []));

        json.Should().Contain("\"text\": \"9.79 (2.3x) · 5.4%\"").And.Contain("\"slowdown\"").And.Contain("\"data\": \"generated\"");
    }

    [Fact]
    public void CsvReport_RoundTrip_OneRowPerEpoch()
    {
        var rows = CsvReport.Rows(All);

        var parsed = CsvReport.Parse(CsvReport.Render(rows));

        parsed.Should().Equal(rows);
        rows.Should().HaveCount(All.Sum(r => r.Epochs.Count));
    }

    [Fact]
    public void CsvReport_Render_HeaderAndInvariantNumbers()
    {
        var csv = CsvReport.Render(CsvReport.Rows(All));
        var lines = csv.Split('\n');

        lines[0].Should().Be("workload,backend,device,profile,epoch,stage,train_loss,val_loss,val_accuracy,seconds,data," +
                             "gflops,percent_of_peak,steps,allocated_bytes,allocated_bytes_per_step,gen0,gen1,gen2,peak_resident_bytes");
        lines[1].Should().StartWith("cnn_cifar10,managed,cpu-amd-epyc-7763-2t,ci,1,warmup,0.89,0.83,0.3,244.4,cifar10,");
    }

    [Fact]
    public void CsvReport_FieldsWithCommasAndQuotes_AreQuotedAndReadBack()
    {
        var row = CsvReport.Rows([All[0]])[0] with { Data = "custom, \"v2\"\nset" };

        var csv = CsvReport.Render([row]);

        csv.Should().Contain("\"custom, \"\"v2\"\"\nset\"");
        CsvReport.Parse(csv).Should().Equal(row);
    }
}
