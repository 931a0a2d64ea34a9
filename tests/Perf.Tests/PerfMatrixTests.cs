using PerfTests.Harness.Baselines;
using PerfTests.Harness.Devices;
using PerfTests.Harness.Gate;
using Xunit.Abstractions;

namespace PerfTests.Perf.Tests;

/// <summary>
/// The gate: one case per backend × workload × device, generated from the backend registry, the workload
/// catalog and the device keys in baselines/ plus this machine's own. Each trains on $PERFTESTS_PROFILE (default ci), writes its result
/// to TestResults/perf, and fails when the metric or the time regressed beyond the baseline's tolerance or budget.
/// </summary>
[Collection(PerfCollection.Name)]
public sealed class PerfMatrixTests(ITestOutputHelper output)
{
    public static TheoryData<string> CpuCases => Cases(DeviceKind.Cpu);

    public static TheoryData<string> GpuCases => Cases(DeviceKind.Cuda);

    [SkippableTheory]
    [Trait("Category", "Cpu")]
    [MemberData(nameof(CpuCases))]
    public void Cpu(string matrixCase) => Check(matrixCase);

    [SkippableTheory]
    [Trait("Category", "Gpu")]
    [MemberData(nameof(GpuCases))]
    public void Gpu(string matrixCase) => Check(matrixCase);

    private static TheoryData<string> Cases(DeviceKind kind)
    {
        var store = BaselineStore.Load(BaselineStore.DefaultDirectory());
        var data = new TheoryData<string>();
        foreach (var gateCase in GateMatrix.Cases(store, kind, GateMatrix.ThisMachineKeys(kind))) data.Add(gateCase.ToString());
        return data;
    }

    private void Check(string matrixCase)
    {
        GateOutcome outcome;
        try
        {
            var gateCase = GateCase.Parse(matrixCase);
            // Skips first: a bad $PERFTESTS_PROFILE fails the cases that would run, not the ones this machine cannot.
            GateRunner.RequireRunnableHere(gateCase);
            outcome = GateRunner.Run(gateCase, GateSettings.FromEnvironment(), output.WriteLine);
        }
        catch (GateSkipException skip)
        {
            throw new SkipException(skip.Message);
        }

        output.WriteLine(outcome.Verdict.ToString());
        output.WriteLine($"result written to {outcome.ResultPath}");
        outcome.Verdict.Failures.Select(f => $"{f.Check}: {f.Message}").Should().BeEmpty(
            "{0} must stay within its baseline (accept a deliberate change with: dotnet run --project src/Harness -c Release -- baselines accept {1})",
            matrixCase, outcome.ResultPath);
    }
}

/// <summary>Training cases run one at a time: parallel runs would time each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PerfCollection
{
    public const string Name = "perf matrix";
}
