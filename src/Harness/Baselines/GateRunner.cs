using PerfTests.Harness.Backends;
using PerfTests.Harness.Data;
using PerfTests.Harness.Devices;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Training;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Baselines;

/// <summary>Settings of a gate run, from the environment by default (so `dotnet test` needs no arguments).</summary>
/// <param name="Accept">Record each measurement as the new baseline instead of failing on it ($PERFTESTS_ACCEPT=1).</param>
public sealed record GateSettings(RunProfile Profile, string BaselineDirectory, string ResultsDirectory, DataOptions Data, bool Accept, int Seed = 42)
{
    public const string ProfileVariable = "PERFTESTS_PROFILE";
    public const string ResultsVariable = "PERFTESTS_RESULTS";
    public const string AcceptVariable = "PERFTESTS_ACCEPT";

    public static GateSettings FromEnvironment()
    {
        var profileText = Environment.GetEnvironmentVariable(ProfileVariable);
        var profile = string.IsNullOrWhiteSpace(profileText) ? RunProfile.Ci
            : Enum.TryParse<RunProfile>(profileText, ignoreCase: true, out var p) ? p
            : throw new ArgumentException($"${ProfileVariable}='{profileText}' is not a profile: use smoke, ci or full.");
        var baselines = BaselineStore.DefaultDirectory();
        var results = Environment.GetEnvironmentVariable(ResultsVariable);
        if (string.IsNullOrWhiteSpace(results))
            results = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(baselines))!, "TestResults", "perf");
        var accept = Environment.GetEnvironmentVariable(AcceptVariable) is "1" or "true" or "TRUE" or "yes";
        return new GateSettings(profile, baselines, results, DataOptions.FromEnvironment(), accept);
    }
}

/// <summary>Why a case cannot run here; the tests turn it into a skip.</summary>
public sealed class GateSkipException(string reason) : Exception(reason);

/// <summary>What a gate case produced: the run, its verdict, where the result was written, what accepting changed.</summary>
public sealed record GateOutcome(RunResult Result, Verdict Verdict, string ResultPath, IReadOnlyList<BaselineChange> Accepted);

/// <summary>Runs one matrix case: checks it can run here, trains, writes the result, compares with the baseline.</summary>
public static class GateRunner
{
    public static GateOutcome Run(GateCase gateCase, GateSettings settings, Action<string> log)
    {
        var workload = WorkloadCatalog.Get(gateCase.Workload);
        var backend = BackendRegistry.Get(gateCase.Backend);
        var device = RequireDevice(gateCase);
        var request = new RunRequest(workload, backend, device.ComputeDevice, settings.Profile, settings.Data, settings.Seed,
            Threads: device.Kind == DeviceKind.Cpu ? ThreadsOf(gateCase.DeviceKey) : 0);
        try
        {
            WorkloadRunner.RequireRunnable(request);
        }
        catch (BackendUnavailableException e)
        {
            throw new GateSkipException($"{gateCase}: {e.Message}");
        }

        if (OutputFolder.Problem(settings.ResultsDirectory, $"${GateSettings.ResultsVariable}") is { } unwritable) throw new InvalidOperationException(unwritable);
        var store = BaselineStore.Load(settings.BaselineDirectory);
        var entry = store.Find(workload.Name, backend.Name, gateCase.DeviceKey, settings.Profile);
        var reference = entry is null ? store.FindMetricReference(workload.Name, backend.Name, settings.Profile, gateCase.DeviceKey) : null;
        var data = WorkloadRunner.LoadData(request, log);
        var expectedData = (entry ?? reference?.Entry)?.Data;
        if (!settings.Accept && expectedData is not null && expectedData.Name != data.Provenance.Name)
            throw new GateSkipException(
                $"{gateCase}: the baseline was measured on {expectedData.Name}, but only {data.Provenance.Name} is available here. {DataHint(expectedData.Name)}");

        var result = WorkloadRunner.Run(request, data);
        var resultPath = ResultFiles.Write(result, settings.ResultsDirectory);
        var acceptHint = $"dotnet run --project src/Harness -c Release -- baselines accept {resultPath}";
        if (settings.Accept)
        {
            var changes = BaselineUpdater.Accept(settings.BaselineDirectory, [result]);
            var accepted = new Verdict(result.Key, changes.Select(c => new Conclusion("accept", ConclusionKind.Report, $"{c.Kind}: {c.Summary}")).ToList());
            return new GateOutcome(result, accepted, resultPath, changes);
        }
        return new GateOutcome(result, Comparison.Compare(result, entry, reference, acceptHint), resultPath, []);
    }

    private static DeviceInfo RequireDevice(GateCase gateCase)
    {
        if (gateCase.DeviceKind == "cpu")
        {
            var threads = ThreadsOf(gateCase.DeviceKey);
            var cpu = DeviceDetector.Cpu(threads);
            if (cpu.Key != gateCase.DeviceKey || threads > Environment.ProcessorCount)
                throw new GateSkipException(
                    $"{gateCase}: needs the CPU {gateCase.DeviceKey}; this machine is {GateMatrix.ThisMachineCpuKey()} ({DeviceDetector.CpuModel()}, {Environment.ProcessorCount} logical cores).");
            return cpu;
        }
        var gpus = DeviceDetector.Gpus();
        return gpus.FirstOrDefault(g => g.Key == gateCase.DeviceKey)
            ?? throw new GateSkipException(gpus.Count == 0
                ? $"{gateCase}: needs an NVIDIA GPU with key {gateCase.DeviceKey}; this machine has no NVIDIA GPU (no driver / nvidia-smi)."
                : $"{gateCase}: needs an NVIDIA GPU with key {gateCase.DeviceKey}; this machine has {string.Join(", ", gpus.Select(g => g.Key))}.");
    }

    /// <summary>"cpu-amd-epyc-2t" → 2.</summary>
    private static int ThreadsOf(string cpuKey)
    {
        var last = cpuKey[(cpuKey.LastIndexOf('-') + 1)..];
        return last.EndsWith('t') && int.TryParse(last[..^1], out var threads) ? threads : Environment.ProcessorCount;
    }

    private static string DataHint(string dataName) => dataName switch
    {
        "fashion-mnist" => "Install it with: sudo apt-get install dataset-fashion-mnist",
        _ when dataName.StartsWith("generated-", StringComparison.Ordinal) => "Generated stand-ins need no real set: unset --data / $PERFTESTS_DATA.",
        _ => $"Place the {dataName} files where the README's Data section says, or run: dotnet run --project src/Harness -- datasets fetch {dataName}",
    };
}
