using System.Globalization;
using PerfTests.Harness.Baselines;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Reports;

/// <summary>
/// Turns results (and the historical figures of baselines/) into a <see cref="ReportModel"/>: per workload and
/// profile the seed's two tables, plain-language conclusions drawn from the numbers, and footnotes on where the
/// numbers came from. A pure function of its inputs.
/// </summary>
public static class ReportBuilder
{
    public static ReportModel Build(IReadOnlyList<RunResult> results, IReadOnlyList<HistoricalFigure> historical, IEnumerable<string>? notes = null)
    {
        var allNotes = new List<string>(notes ?? []);
        var latest = new List<RunResult>();
        foreach (var group in results.GroupBy(r => r.Key).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            // Several results for one key (a rerun into the same tree): the newest is the one a reader means.
            var ordered = group.OrderBy(r => r.Environment.Timestamp).ToList();
            latest.Add(ordered[^1]);
            if (ordered.Count > 1)
                allNotes.Add($"{group.Key}: {ordered.Count} results; the newest ({ordered[^1].Environment.Timestamp:u}) is reported.");
        }

        var sections = latest
            .GroupBy(r => (r.Workload, r.Profile))
            .OrderBy(g => WorkloadOrder(g.Key.Workload)).ThenBy(g => g.Key.Workload, StringComparer.Ordinal).ThenBy(g => g.Key.Profile)
            .Select(g => Section(g.Key.Workload, g.Key.Profile,
                g.OrderBy(r => r.Backend, StringComparer.Ordinal).ThenBy(r => r.Device, StringComparer.Ordinal).ToList(),
                historical.Where(h => h.Workload == g.Key.Workload).ToList()))
            .ToList();

        var machines = latest
            .Select(r => new MachineSummary(r.Backend, r.BackendVersion, r.Device, r.Environment.DeviceName, r.Environment.Cpu,
                r.Environment.Threads, r.Environment.Os, r.Environment.Runtime, r.Environment.Commit))
            .Distinct()
            .OrderBy(m => m.Backend, StringComparer.Ordinal).ThenBy(m => m.Device, StringComparer.Ordinal)
            .ToList();
        return new ReportModel(sections, machines, allNotes);
    }

    private static int WorkloadOrder(string workload)
    {
        var index = WorkloadCatalog.All.ToList().FindIndex(w => w.Name == workload);
        return index < 0 ? int.MaxValue : index;
    }

    private static WorkloadSection Section(string workload, RunProfile profile, IReadOnlyList<RunResult> runs, IReadOnlyList<HistoricalFigure> historical)
    {
        var kind = runs[0].MetricKind;
        var mixedKind = runs.FirstOrDefault(r => r.MetricKind != kind);
        if (mixedKind is not null)
            throw new InvalidDataException($"{workload}: results disagree on the metric ({kind} for {runs[0].Key}, {mixedKind.MetricKind} for {mixedKind.Key}).");
        var comparableHistorical = historical.Where(h => h.MetricKind == kind).ToList();
        var title = WorkloadCatalog.All.FirstOrDefault(w => w.Name == workload)?.Title ?? workload;

        return new WorkloadSection(
            workload, title, profile, kind,
            SeedTables.Metric(workload, runs, comparableHistorical),
            SeedTables.Seconds(workload, runs, comparableHistorical),
            Conclusions(profile, kind, runs, comparableHistorical),
            Footnotes(runs, comparableHistorical),
            runs.Select(Series).ToList());
    }

    private static RunSeries Series(RunResult run)
    {
        double cumulative = 0;
        var points = run.Epochs.Select(e =>
        {
            cumulative += e.Seconds;
            return new EpochPoint(e.Epoch, e.Seconds, cumulative, RunResult.MetricOf(e, run.MetricKind));
        }).ToList();
        return new RunSeries(run.Backend, run.Device, run.Data.Name, DataKinds.Of(run), run.MeanEpochSeconds, points, run.SampleText);
    }

    private static List<string> Conclusions(RunProfile profile, MetricKind kind, IReadOnlyList<RunResult> runs, IReadOnlyList<HistoricalFigure> historical)
    {
        var conclusions = new List<string>();

        foreach (var device in runs.Select(r => r.Device).Distinct())
        {
            var onDevice = runs.Where(r => r.Device == device).OrderBy(r => r.MeanEpochSeconds).ToList();
            var fastest = onDevice[0];
            conclusions.Add(onDevice.Count == 1
                ? $"On {device}, only {fastest.Backend} ran: {Seconds(fastest.MeanEpochSeconds)} s/epoch."
                : $"On {device}, {fastest.Backend} is fastest at {Seconds(fastest.MeanEpochSeconds)} s/epoch; " +
                  string.Join(", ", onDevice.Skip(1).Select(r =>
                      $"{r.Backend} takes {Ratio(r.MeanEpochSeconds / fastest.MeanEpochSeconds)}x as long ({Seconds(r.MeanEpochSeconds)} s/epoch)")) + ".");
        }

        foreach (var backend in runs.Select(r => r.Backend).Distinct())
        {
            var byBackend = runs.Where(r => r.Backend == backend).OrderBy(r => r.MeanEpochSeconds).ToList();
            if (byBackend.Count < 2) continue;
            var (fast, slow) = (byBackend[0], byBackend[^1]);
            conclusions.Add($"{backend} is {Ratio(slow.MeanEpochSeconds / fast.MeanEpochSeconds)}x faster on {fast.Device} than on {slow.Device}.");
        }

        var noun = kind == MetricKind.ValidationAccuracy ? "validation accuracies" : "training losses";
        if (runs.Count >= 2)
        {
            var ranked = kind.HigherIsBetter() ? runs.OrderByDescending(r => r.Metric).ToList() : runs.OrderBy(r => r.Metric).ToList();
            var (best, worst) = (ranked[0], ranked[^1]);
            double spread = Math.Abs(best.Metric - worst.Metric);
            double tolerance = GatePolicy.MetricTolerance(kind, profile, best.Metric);
            var profileName = profile.Name();
            var mixedData = runs.Select(r => r.Data.Name).Distinct().Count() > 1 ? " Note that the runs did not all train on the same data." : "";
            conclusions.Add(spread <= tolerance + 1e-9
                ? $"The {noun} agree within the gate's {profileName} tolerance: {Metric(Math.Min(best.Metric, worst.Metric))} to {Metric(Math.Max(best.Metric, worst.Metric))}, a spread of {Metric(spread)} (tolerance {Metric(tolerance)}).{mixedData}"
                : $"The {noun} differ by more than the gate's {profileName} tolerance: {Label(best)} {Metric(best.Metric)}, {Label(worst)} {Metric(worst.Metric)}, a spread of {Metric(spread)} (tolerance {Metric(tolerance)}).{mixedData}");
        }

        if (historical.Count > 0) conclusions.AddRange(AgainstHistorical(profile, noun, runs, historical));
        if (CostText.SectionLine(runs) is { } cost) conclusions.Add(cost);
        return conclusions;
    }

    /// <summary>
    /// Timings compare with the historical ones only on the full schedule and real data; metrics also need the seed's
    /// own data set (a substitute such as fashion-mnist has the same shapes, so the same cost, but another difficulty).
    /// </summary>
    private static IEnumerable<string> AgainstHistorical(RunProfile profile, string noun, IReadOnlyList<RunResult> runs, IReadOnlyList<HistoricalFigure> historical)
    {
        var reasons = new List<string>();
        if (runs.Any(r => r.Data.IsGenerated)) reasons.Add("our runs trained on generated data, which is not comparable to the 2017 figures");
        if (profile != RunProfile.Full)
            reasons.Add($"the {profile.Name()} profile trains a subset ({runs[0].TrainSamples.ToString("N0", CultureInfo.InvariantCulture)} samples, {runs[0].Epochs.Count} epochs), the 2017 runs the full schedule");
        if (reasons.Count > 0)
        {
            yield return $"The historical rows are for orientation, not comparison: {string.Join("; ", reasons)}.";
            yield break;
        }

        var substitutes = Substitutes(runs);
        var theirs = historical.Select(h => h.Metric).ToList();
        yield return substitutes.Count > 0
            ? $"The historical {noun} are not comparable with ours: our runs trained on {string.Join(", ", substitutes)}."
            : $"The historical {noun} span {Metric(theirs.Min())} to {Metric(theirs.Max())}; ours span {Metric(runs.Min(r => r.Metric))} to {Metric(runs.Max(r => r.Metric))}.";

        var theirFastest = historical.Where(h => h.SecondsPerEpoch is not null).MinBy(h => h.SecondsPerEpoch);
        var ourFastest = runs.MinBy(r => r.MeanEpochSeconds)!;
        if (theirFastest is null) yield break;
        double ratio = theirFastest.SecondsPerEpoch!.Value / ourFastest.MeanEpochSeconds;
        yield return $"Our fastest run ({Label(ourFastest)}, {Seconds(ourFastest.MeanEpochSeconds)} s/epoch) is " +
                     (ratio >= 1 ? $"{Ratio(ratio)}x faster" : $"{Ratio(1 / ratio)}x slower") +
                     $" than the fastest historical one ({theirFastest.Label} on {theirFastest.Device}, {Seconds(theirFastest.SecondsPerEpoch.Value)} s/epoch).";
    }

    private static List<string> Footnotes(IReadOnlyList<RunResult> runs, IReadOnlyList<HistoricalFigure> historical)
    {
        var footnotes = new List<string>();
        var generated = runs.Where(r => r.Data.IsGenerated).Select(r => r.Data.Name).Distinct().Order(StringComparer.Ordinal).ToList();
        if (generated.Count > 0)
            footnotes.Add($"{DataKind.Generated.Marker()} generated data ({string.Join(", ", generated)}): not comparable to the 2017 figures or to runs on the real data set.");
        var substitutes = Substitutes(runs);
        if (substitutes.Count > 0)
            footnotes.Add($"{DataKind.Substitute.Marker()} trained on {string.Join(", ", substitutes)}: a real set in the same format but not the seed's, so the metric is not comparable to the 2017 figures (the timing is).");
        if (historical.Count > 0)
        {
            var sources = historical.Select(h => h.Source).Distinct().Order(StringComparer.Ordinal);
            footnotes.Add($"Historical rows (in italics) were not measured by PerfTests: {string.Join("; ", sources)}. " +
                          "Their best cells and slowdowns are computed among themselves, not against ours.");
        }
        return footnotes;
    }

    /// <summary>"fashion-mnist instead of mnist", once per substitute set.</summary>
    private static List<string> Substitutes(IReadOnlyList<RunResult> runs) =>
        runs.Where(r => DataKinds.Of(r) == DataKind.Substitute)
            .Select(r => $"{r.Data.Name} instead of {DataKinds.SeedSetName(WorkloadCatalog.Get(r.Workload))}")
            .Distinct().Order(StringComparer.Ordinal).ToList();

    private static string Label(RunResult run) => RunSeries.LabelOf(run.Backend, run.Device);
    private static string Metric(double value) => SeedTables.FormatMetric(value);
    private static string Seconds(double value) => SeedTables.FormatSeconds(value);
    private static string Ratio(double value) => SeedTables.FormatRatio(value);
}
