using System.Text.Json;
using System.Text.Json.Serialization;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Measurements;

/// <summary>Reads and writes <see cref="RunResult"/> JSON files (one per run).</summary>
public static class ResultFiles
{
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Human-reviewed files: keep apostrophes and non-ASCII readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// "mlp_mnist.managed.cpu-amd-epyc-2t.ci.json"; a run with another seed or epoch count than the profile's, or a timing
    /// stretch, says so in its name (".seed7", ".5epochs", ".640samples"), so it never replaces the standard run's file.
    /// </summary>
    public static string FileName(RunResult result)
    {
        var variant = result.Seed == RunRequest.DefaultSeed ? "" : $".seed{result.Seed}";
        if (WorkloadCatalog.All.FirstOrDefault(w => w.Name == result.Workload) is { } workload
            && result.Epochs.Count != workload.ScheduleFor(result.Profile).Epochs)
            variant += $".{result.Epochs.Count}epochs";
        if (result.SampleLimit is { } samples) variant += $".{samples}samples";
        return $"{result.Workload}.{result.Backend}.{result.Device}.{result.Profile.Name()}{variant}.json";
    }

    /// <summary>Writes atomically (temporary file, then rename) and returns the path.</summary>
    public static string Write(RunResult result, string directory)
    {
        if (ResultRules.Problem(result) is { } problem) throw new InvalidDataException($"{result.Key}: {problem}; not written.");
        Directory.CreateDirectory(directory);
        var path = ContainedPath.Combine(directory, FileName(result));
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(result, JsonOptions));
        return path;
    }

    public static RunResult Read(string path)
    {
        try
        {
            var result = JsonSerializer.Deserialize<RunResult>(File.ReadAllText(path), JsonOptions)
                         ?? throw new InvalidDataException($"{path}: empty result file.");
            if (result.Format != RunResult.FormatVersion)
                throw new InvalidDataException($"{path}: result format {result.Format}, this harness reads {RunResult.FormatVersion}.");
            var problem = ResultRules.Problem(result);
            if (problem is not null) throw new InvalidDataException($"{path}: {problem}.");
            return result;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid result file ({e.Message}).", e);
        }
    }

    /// <summary>Every result file in a folder (recursively), or the one file named.</summary>
    public static IReadOnlyList<RunResult> ReadAll(string path) => ReadAll(path, skip: []);

    /// <param name="skip">Files to leave out (full paths), e.g. a report's own JSON written into the results folder.</param>
    public static IReadOnlyList<RunResult> ReadAll(string path, IReadOnlyCollection<string> skip)
    {
        if (File.Exists(path)) return [Read(path)];
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"No results at {path}.");
        return Directory.EnumerateFiles(path, "*.json", SearchOption.AllDirectories)
            .Where(f => !skip.Contains(Path.GetFullPath(f)))
            .Order(StringComparer.Ordinal).Select(Read).ToList();
    }
}

/// <summary>Writes whole files or nothing: a crash mid-write leaves the old content in place.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string content)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(content);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            PauseForFaultInjection(path);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>Test hook: $PERFTESTS_FAULT_PAUSE_BEFORE_COMMIT_MS holds the writer between writing and renaming, so a
    /// test can kill the process mid-update and check that the old file survived.</summary>
    public const string FaultPauseVariable = "PERFTESTS_FAULT_PAUSE_BEFORE_COMMIT_MS";

    private static void PauseForFaultInjection(string path)
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable(FaultPauseVariable), out var milliseconds) || milliseconds <= 0) return;
        Console.Error.WriteLine($"fault injection: pausing {milliseconds} ms before replacing {path}");
        Console.Error.Flush();
        Thread.Sleep(milliseconds);
    }
}
