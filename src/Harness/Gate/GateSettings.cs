using PerfTests.Harness.Baselines;
using PerfTests.Harness.Data;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Gate;

/// <summary>Settings of a gate run, from the environment by default (so `dotnet test` needs no arguments).</summary>
/// <param name="Accept">Record each measurement as the new baseline instead of failing on it ($PERFTESTS_ACCEPT=1).</param>
/// <param name="Base">A git ref or build folder to time each case against, side by side on this machine ($PERFTESTS_BASE); null for none.</param>
public sealed record GateSettings(RunProfile Profile, string BaselineDirectory, string ResultsDirectory, DataOptions Data, bool Accept, int Seed = 42, string? Base = null)
{
    public const string BaseVariable = "PERFTESTS_BASE";
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
        var baseSpec = Environment.GetEnvironmentVariable(BaseVariable);
        return new GateSettings(profile, baselines, results, DataOptions.FromEnvironment(), accept,
            Base: string.IsNullOrWhiteSpace(baseSpec) ? null : baseSpec);
    }
}

