using System.Text.Json;
using PerfTests.Harness.Measurements;

namespace PerfTests.Harness.Reports;

/// <summary>The report model as JSON, for dashboards and other tools; same conventions as result files.</summary>
public static class JsonReport
{
    public static string Render(ReportModel model) => JsonSerializer.Serialize(model, ResultFiles.JsonOptions) + "\n";

    public static ReportModel Parse(string json) =>
        JsonSerializer.Deserialize<ReportModel>(json, ResultFiles.JsonOptions) ?? throw new InvalidDataException("Empty report JSON.");
}
