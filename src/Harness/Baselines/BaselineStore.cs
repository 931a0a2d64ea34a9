using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Json.Schema;
using PerfTests.Harness.Devices;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Baselines;

/// <summary>
/// The baselines/ folder: one <see cref="BaselineFile"/> per device key, each checked against
/// baseline.schema.json when read. A malformed file is an error naming the file and the place in it.
/// </summary>
public sealed class BaselineStore
{
    public const string SchemaFileName = "baseline.schema.json";
    public const string DirectoryVariable = "PERFTESTS_BASELINES";

    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        IndentSize = 2,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Human-reviewed files: keep apostrophes and non-ASCII readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private BaselineStore(string directory, IReadOnlyList<BaselineFile> files)
    {
        Directory = directory;
        Files = files;
    }

    public string Directory { get; }
    public IReadOnlyList<BaselineFile> Files { get; }

    /// <summary>Devices present in the store, with their kind ("cpu"/"gpu").</summary>
    public IEnumerable<BaselineDevice> Devices => Files.Select(f => f.Device);

    /// <summary>The file for a device key; the key must be well formed, so the path never leaves <paramref name="directory"/>.</summary>
    public static string PathFor(string directory, string deviceKey)
    {
        if (!DeviceKey.TryParse(deviceKey, out _, out var problem)) throw new InvalidDataException($"{directory}: {problem} No baseline file is named after it.");
        return System.IO.Path.Combine(directory, System.IO.Path.GetFileName(ContainedPath.Combine(directory, deviceKey + ".json")));
    }

    /// <summary>$PERFTESTS_BASELINES, else baselines/ beside the PerfTests.sln found above <paramref name="start"/>.</summary>
    public static string DefaultDirectory(string? start = null)
    {
        var configured = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        if (CheckoutAbove(start ?? AppContext.BaseDirectory) is { } checkout) return System.IO.Path.Combine(checkout, "baselines");
        throw new DirectoryNotFoundException(
            $"No baselines folder: PerfTests.sln not found above {start ?? AppContext.BaseDirectory} and ${DirectoryVariable} is not set.");
    }

    /// <summary>The PerfTests checkout (the folder holding PerfTests.sln) at or above <paramref name="start"/>; null if none.</summary>
    public static string? CheckoutAbove(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "PerfTests.sln"))) return dir.FullName;
        return null;
    }

    public static BaselineStore Load(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Baselines folder {directory} does not exist.");
        var schema = LoadSchema(directory);
        var files = System.IO.Directory.EnumerateFiles(directory, "*.json")
            .Where(f => System.IO.Path.GetFileName(f) != SchemaFileName)
            .Order(StringComparer.Ordinal)
            .Select(f => ReadFile(f, schema))
            .ToList();
        return new BaselineStore(directory, files);
    }

    public static JsonSchema LoadSchema(string directory)
    {
        var path = System.IO.Path.Combine(directory, SchemaFileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: the baseline schema is missing.", path);
        try
        {
            return JsonSchema.FromText(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the baseline schema is not valid JSON at {BaselineRules.Pointer(e)}: {e.Message}", e);
        }
        catch (Exception e) when (e is JsonSchemaException or ArgumentException or InvalidOperationException or FormatException or RefResolutionException)
        {
            throw new InvalidDataException($"{path}: the baseline schema is not a valid JSON schema: {e.Message}", e);
        }
    }

    /// <summary>Reads and validates one file: JSON syntax, then the schema, then the rules a schema cannot say.</summary>
    public static BaselineFile ReadFile(string path, JsonSchema schema) => Parse(path, File.ReadAllText(path), schema);

    /// <summary>
    /// Validates <paramref name="text"/> as the baseline file at <paramref name="path"/> would be read: the same checks for
    /// what is read and for what <see cref="BaselineUpdater"/> is about to write.
    /// </summary>
    public static BaselineFile Parse(string path, string text, JsonSchema schema)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON: {e.Message}", e);
        }
        if (node is null) throw new InvalidDataException($"{path}: empty file.");

        EvaluationResults evaluation;
        using (var document = JsonDocument.Parse(node.ToJsonString()))
        {
            try
            {
                evaluation = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            }
            catch (Exception e) when (e is OverflowException or FormatException or InvalidOperationException or JsonSchemaException or RefResolutionException)
            {
                throw new InvalidDataException($"{path}: could not be checked against {SchemaFileName} ({e.Message}); a number out of range?", e);
            }
        }
        if (!evaluation.IsValid)
        {
            var errors = (
                    // Stryker disable once NullCoalescing : the List output format always fills Details
                    evaluation.Details ?? [])
                .Where(d =>
                    // Stryker disable once Equality : a detail whose error list is empty adds nothing either way
                    d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{(d.InstanceLocation.ToString() is { Length: > 0 } at ? at : "/")}: {e.Value}"))
                .Distinct()
                .Take(5)
                .ToList();
            throw new InvalidDataException($"{path}: does not match {SchemaFileName}: {string.Join("; ", errors)}");
        }

        BaselineFile file;
        try
        {
            // Stryker disable once String : unreachable, a JSON null is refused above as an empty file; kept for the compiler's null analysis
            file = node.Deserialize<BaselineFile>(JsonOptions) ?? throw new InvalidDataException($"{path}: empty baseline file.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {BaselineRules.Pointer(e)}: {e.Message}", e);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or NotSupportedException)
        {
            throw new InvalidDataException($"{path}: a value cannot be read: {e.Message}", e);
        }
        if (BaselineRules.Problem(path, file) is { } problem) throw new InvalidDataException($"{path}: {problem}");
        return file;
    }

    public BaselineFile? FileFor(string deviceKey) => Files.FirstOrDefault(f => f.Device.Key == deviceKey);

    /// <summary>The measured (not historical) entry for exactly this workload/backend/profile on this device.</summary>
    public BaselineEntry? Find(string workload, string backend, string deviceKey, RunProfile profile) =>
        FileFor(deviceKey)?.Entries.FirstOrDefault(e =>
            e.Historical is null && e.Workload == workload && e.Backend == backend && e.Profile == profile);

    /// <summary>Another device's measured entry for the same workload/backend/profile, for the metric alone (first by key order).</summary>
    public (BaselineEntry Entry, string Device)? FindMetricReference(string workload, string backend, RunProfile profile, string excludeDevice) =>
        Files.Where(f => f.Device.Key != excludeDevice)
            .SelectMany(f => f.Entries
                .Where(e => e.Historical is null && e.Workload == workload && e.Backend == backend && e.Profile == profile)
                .Select(e => (e, f.Device.Key)))
            .Select(x => ((BaselineEntry, string)?)x)
            .FirstOrDefault();

    /// <summary>A measured entry of another device that holds an allocation figure, for the allocation check of a device without its own.</summary>
    public (BaselineEntry Entry, string Device)? FindAllocationReference(string workload, string backend, RunProfile profile, string excludeDevice) =>
        Files.Where(f => f.Device.Key != excludeDevice)
            .SelectMany(f => f.Entries
                .Where(e => e.Historical is null && e.Allocation is not null && e.Workload == workload && e.Backend == backend && e.Profile == profile)
                .Select(e => (e, f.Device.Key)))
            .Select(x => ((BaselineEntry, string)?)x)
            .FirstOrDefault();
}
