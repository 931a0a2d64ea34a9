using System.Globalization;
using System.Text;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Workloads;
using PerfTests.Harness.Training;

namespace PerfTests.Harness.Reports;

/// <summary>One epoch of one run, as a row of the CSV report.</summary>
public sealed record EpochRow(
    string Workload,
    string Backend,
    string Device,
    RunProfile Profile,
    int Epoch,
    EpochStage Stage,
    double TrainLoss,
    double ValidationLoss,
    double ValidationAccuracy,
    double Seconds,
    string Data,
    double? Gflops = null,
    double? PercentOfPeak = null,
    int? Steps = null,
    long? AllocatedBytes = null,
    double? AllocatedBytesPerStep = null,
    int? Gen0Collections = null,
    int? Gen1Collections = null,
    int? Gen2Collections = null,
    long? PeakResidentBytes = null);

/// <summary>Per-epoch rows (RFC 4180, invariant culture, round-trip precision), for spreadsheets and pandas.</summary>
public static class CsvReport
{
    public static readonly IReadOnlyList<string> Header =
        [
            "workload", "backend", "device", "profile", "epoch", "stage", "train_loss", "val_loss", "val_accuracy", "seconds", "data",
            "gflops", "percent_of_peak", "steps", "allocated_bytes", "allocated_bytes_per_step", "gen0", "gen1", "gen2", "peak_resident_bytes",
        ];

    public static IReadOnlyList<EpochRow> Rows(IEnumerable<RunResult> results) =>
        results
            .OrderBy(r => r.Workload, StringComparer.Ordinal).ThenBy(r => r.Backend, StringComparer.Ordinal)
            .ThenBy(r => r.Device, StringComparer.Ordinal).ThenBy(r => r.Profile)
            .SelectMany(r => r.Epochs.Select(e => new EpochRow(r.Workload, r.Backend, r.Device, r.Profile, e.Epoch, e.Stage,
                e.TrainLoss, e.ValidationLoss, e.ValidationAccuracy, e.Seconds, r.Data.Name, e.Gflops, e.PercentOfPeak, e.Counters?.Steps,
                e.Counters?.AllocatedBytes, e.Counters?.AllocatedBytesPerStep, e.Counters?.Gen0Collections, e.Counters?.Gen1Collections,
                e.Counters?.Gen2Collections, e.Counters?.PeakResidentBytes)))
            .ToList();

    public static string Render(IEnumerable<EpochRow> rows)
    {
        var text = new StringBuilder(string.Join(',', Header)).Append('\n');
        foreach (var row in rows)
        {
            string[] fields =
            [
                row.Workload, row.Backend, row.Device, Lower(row.Profile), row.Epoch.ToString(CultureInfo.InvariantCulture), Lower(row.Stage),
                Number(row.TrainLoss), Number(row.ValidationLoss), Number(row.ValidationAccuracy), Number(row.Seconds), row.Data,
                Optional(row.Gflops), Optional(row.PercentOfPeak), Optional(row.Steps), Optional(row.AllocatedBytes), Optional(row.AllocatedBytesPerStep),
                Optional(row.Gen0Collections), Optional(row.Gen1Collections), Optional(row.Gen2Collections), Optional(row.PeakResidentBytes),
            ];
            text.Append(string.Join(',', fields.Select(Quote))).Append('\n');
        }
        return text.ToString();
    }

    public static IReadOnlyList<EpochRow> Parse(string csv)
    {
        var records = Records(csv).ToList();
        if (records.Count == 0 || !records[0].SequenceEqual(Header))
            throw new InvalidDataException($"CSV header must be: {string.Join(',', Header)}");
        return records.Skip(1).Select((f, i) => f.Length == Header.Count
                ? new EpochRow(f[0], f[1], f[2], Enum.Parse<RunProfile>(f[3], ignoreCase: true), int.Parse(f[4], CultureInfo.InvariantCulture),
                    Enum.Parse<EpochStage>(f[5], ignoreCase: true), ParseNumber(f[6]), ParseNumber(f[7]), ParseNumber(f[8]), ParseNumber(f[9]), f[10],
                    OptionalNumber(f[11]), OptionalNumber(f[12]), OptionalInt(f[13]), OptionalLong(f[14]), OptionalNumber(f[15]),
                    OptionalInt(f[16]), OptionalInt(f[17]), OptionalInt(f[18]), OptionalLong(f[19]))
                : throw new InvalidDataException($"CSV line {i + 2}: {f.Length} fields, expected {Header.Count}."))
            .ToList();
    }

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    private static double ParseNumber(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    private static string Optional(double? value) => value is { } v ? Number(v) : "";
    private static string Optional(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";
    private static double? OptionalNumber(string text) => text.Length == 0 ? null : ParseNumber(text);
    private static int? OptionalInt(string text) => text.Length == 0 ? null : int.Parse(text, CultureInfo.InvariantCulture);
    private static long? OptionalLong(string text) => text.Length == 0 ? null : long.Parse(text, CultureInfo.InvariantCulture);

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{field.Replace("\"", "\"\"")}\"" : field;

    private static IEnumerable<string[]> Records(string csv)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < csv.Length; i++)
        {
            char c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c == '\n')
            {
                fields.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                yield return fields.ToArray();
                fields.Clear();
            }
            else field.Append(c);
        }
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return fields.ToArray();
        }
    }
}
