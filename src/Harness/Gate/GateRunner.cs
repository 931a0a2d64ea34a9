using PerfTests.Harness.Backends;
using PerfTests.Harness.Baselines;
using PerfTests.Harness.Data;
using PerfTests.Harness.Devices;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Training;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Gate;

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
        var device = RequireRunnableHere(gateCase);
        var request = new RunRequest(workload, backend, device.ComputeDevice, settings.Profile, settings.Data, settings.Seed,
            Threads: gateCase.Device.Threads);

        if (OutputFolder.Problem(settings.ResultsDirectory, $"${GateSettings.ResultsVariable}") is { } unwritable) throw new InvalidOperationException(unwritable);
        var store = BaselineStore.Load(settings.BaselineDirectory);
        var entry = store.Find(workload.Name, backend.Name, gateCase.Device.ToString(), settings.Profile);
        var reference = entry is null ? store.FindMetricReference(workload.Name, backend.Name, settings.Profile, gateCase.Device.ToString()) : null;
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
        var verdict = Comparison.Compare(result, entry, reference, acceptHint,
            store.FindAllocationReference(workload.Name, backend.Name, settings.Profile, gateCase.Device.ToString()));
        if (settings.Base is { } baseSpec)
            verdict = verdict with { Conclusions = [.. verdict.Conclusions, ComparePaired(gateCase, device, settings, baseSpec, result, log)] };
        return new GateOutcome(result, verdict, resultPath, []);
    }

    /// <summary>
    /// The case's device on this machine, once it and the backend are known to be here; a <see cref="GateSkipException"/>
    /// saying which is missing otherwise. Reads no settings, so a case that cannot run here skips even when the
    /// environment's settings are wrong (those fail the cases that would run).
    /// </summary>
    public static DeviceInfo RequireRunnableHere(GateCase gateCase)
    {
        var device = RequireDevice(gateCase);
        try
        {
            WorkloadRunner.RequireRunnable(BackendRegistry.Get(gateCase.Backend), device.ComputeDevice);
        }
        catch (BackendUnavailableException e)
        {
            throw new GateSkipException($"{gateCase}: {e.Message}");
        }
        return device;
    }

    /// <summary>Times the case against the base build, side by side on this machine: the check that bites on any runner.</summary>
    /// <param name="measured">This case's full run in the test process, which sizes the paired processes' stretch.</param>
    private static Conclusion ComparePaired(GateCase gateCase, DeviceInfo device, GateSettings settings, string baseSpec, RunResult measured, Action<string> log)
    {
        var baseBuild = BaseBuilds.GetOrAdd(baseSpec, spec => new Lazy<HarnessBuild>(() =>
        {
            var build = HarnessBuild.Base(spec, Path.GetDirectoryName(Path.GetFullPath(settings.BaselineDirectory))!, log);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => build.Dispose();
            return build;
        })).Value;
        var workload = WorkloadCatalog.Get(gateCase.Workload);
        var steady = measured.Epochs.Where(e => e.Stage == EpochStage.Actual && e.Counters is { Steps: > 0 }).ToList();
        var batchSeconds = steady.Count > 0 ? steady.Sum(e => e.TrainSeconds) / steady.Sum(e => e.Counters!.Steps) : (double?)null;
        var samples = batchSeconds is { } seconds and > 0 ? PairedStretch.Samples(seconds, workload.BatchSize, measured.TrainSamples) : null;
        var pairedCase = new PairedCase(gateCase.Workload, gateCase.Backend, settings.Profile.Name(), settings.Seed, PairedEpochs,
            gateCase.Device.Threads, device.ComputeDevice.ToString(), samples);
        log($"{pairedCase}: paired processes train {PairedStretch.Describe(samples)}");
        var runner = new ProcessBlockRunner(baseBuild, HarnessBuild.Head(), pairedCase, log);
        var paired = new PairedSettings(GatePolicy.PairedBudget, CaseSeconds: GatePolicy.PairedCaseSeconds);
        return PairedComparer.Compare(gateCase.ToString(), runner.Run, paired, log: log).ToConclusion();
    }

    /// <summary>Epochs per paired process: one warm-up, two measured.</summary>
    private const int PairedEpochs = 3;

    /// <summary>A base is built once per test run, however many cases compare against it.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<HarnessBuild>> BaseBuilds = new();

    private static DeviceInfo RequireDevice(GateCase gateCase)
    {
        var key = gateCase.Device;
        if (key.Kind == DeviceKind.Cpu)
        {
            var cpu = DeviceDetector.Cpu(key.Threads);
            if (cpu.Key != key || key.Threads > Environment.ProcessorCount)
                throw new GateSkipException(
                    $"{gateCase}: needs the CPU {key}; this machine is {GateMatrix.ThisMachineCpuKey()} ({DeviceDetector.CpuModel()}, {Environment.ProcessorCount} logical cores).");
            return cpu;
        }
        var gpus = DeviceDetector.Gpus();
        return gpus.FirstOrDefault(g => g.Key == key)
            ?? throw new GateSkipException(gpus.Count == 0
                ? $"{gateCase}: needs an NVIDIA GPU with key {key}; this machine has no NVIDIA GPU (no driver / nvidia-smi)."
                : $"{gateCase}: needs an NVIDIA GPU with key {key}; this machine has {string.Join(", ", gpus.Select(g => g.Key))}.");
    }

    /// <summary>What would make the baseline's data available here; a set's own install hint where it has one (the Debian
    /// package that provides a stand-in), so the wording lives with the set.</summary>
    internal static string DataHint(string dataName)
    {
        if (dataName.StartsWith("generated-", StringComparison.Ordinal)) return "Generated stand-ins need no real set: unset --data / $PERFTESTS_DATA.";
        if (DatasetSpecs.All.FirstOrDefault(s => s.Substitutes.Contains(dataName)) is { InstallHint: { } install }) return install;
        return $"Place the {dataName} files where the README's Data section says, or run: dotnet run --project src/Harness -- datasets fetch {dataName}";
    }
}
