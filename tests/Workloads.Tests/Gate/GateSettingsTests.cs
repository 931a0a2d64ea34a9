using PerfTests.Harness.Gate;
using PerfTests.Workloads.Tests.Data.Acquisition;

namespace PerfTests.Workloads.Tests.Gate;

/// <summary>A wrong $PERFTESTS_PROFILE is refused by name, and never turns a case this machine cannot run into a failure.</summary>
[Trait("Category", "Unit")]
[Collection(nameof(EnvironmentVariableTests))]
public sealed class GateSettingsTests : IDisposable
{
    private readonly string? _saved = Environment.GetEnvironmentVariable(GateSettings.ProfileVariable);

    public GateSettingsTests() => Environment.SetEnvironmentVariable(GateSettings.ProfileVariable, "bogus");

    public void Dispose() => Environment.SetEnvironmentVariable(GateSettings.ProfileVariable, _saved);

    [Fact]
    public void FromEnvironment_UnknownProfile_NamesTheVariableAndTheChoices()
    {
        var act = GateSettings.FromEnvironment;

        act.Should().Throw<ArgumentException>().WithMessage("$PERFTESTS_PROFILE='bogus' is not a profile: use smoke, ci or full.");
    }

    [Fact]
    public void RequireRunnableHere_GpuThisMachineLacks_SkipsWhateverTheProfileSays()
    {
        // No machine has a GPU with this key, so the case must skip, as it would with a valid profile.
        var act = () => GateRunner.RequireRunnableHere(GateCase.Parse("mlp_mnist/managed/zz-no-such-gpu"));

        act.Should().Throw<GateSkipException>().WithMessage("*needs an NVIDIA GPU with key zz-no-such-gpu*");
    }
}
