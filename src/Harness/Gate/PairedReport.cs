using System.Text.Json;
using System.Text.Json.Serialization;

namespace PerfTests.Harness.Gate;

/// <summary>One compared case as `compare --json` writes it: what ran, how long it took and every block of every attempt.</summary>
public sealed record PairedCaseReport(PairedCase Case, double WallSeconds, PairedComparisonResult Result);

/// <summary>`compare --json`: the comparison's settings and every case's blocks, for CI artifacts and A/A statistics.</summary>
public static class PairedReport
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Writes the report through a temporary file beside it, so a reader never sees half of one.</summary>
    public static void Write(string path, HarnessBuild head, HarnessBuild baseBuild, PairedSettings settings, IReadOnlyList<PairedCaseReport> cases)
    {
        var report = new
        {
            head = head.Description,
            @base = baseBuild.Description,
            settings.Budget,
            settings.Alpha,
            settings.MinBlocks,
            settings.MaxBlocks,
            settings.CaseSeconds,
            cases = cases.Select(c => new
            {
                name = c.Result.Case,
                c.Case.Workload,
                c.Case.Backend,
                c.Case.Profile,
                c.Case.Threads,
                c.Case.Epochs,
                c.Case.Samples,
                c.WallSeconds,
                outcome = c.Result.ToConclusion().Kind.ToString().ToLowerInvariant(),
                failed = c.Result.Failed,
                attempts = c.Result.Attempts.Select(a => new
                {
                    a.StoppedBecause,
                    a.Estimate.Ratio,
                    a.Estimate.Lower,
                    a.Estimate.Upper,
                    outcome = a.Estimate.Outcome.ToString().ToLowerInvariant(),
                    blocks = a.Blocks,
                }),
            }),
        };
        var full = Path.GetFullPath(path);
        var temporary = full + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(report, Options));
        File.Move(temporary, full, overwrite: true);
    }
}
