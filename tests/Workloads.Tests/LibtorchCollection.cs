namespace PerfTests.Workloads.Tests;

/// <summary>
/// Every test class that calls libtorch, run one after another with no other test class beside them.
/// libtorch has process-wide state (one default generator, one thread count), and TorchSharp hands native code raw
/// handles that a finalizer may free: a tensor or scalar that a caller no longer references can be deleted by the
/// finalizer thread while libtorch still reads it, when a garbage collection that another thread started lands inside
/// the call. Run in parallel with allocation-heavy classes, that killed the test host (SIGSEGV in libtorch) in about
/// half of the unit runs. Production code keeps its own temporaries in dispose scopes; the ones TorchSharp creates
/// internally (implicit scalars in its optimizers and operators) it cannot reach, so nothing else runs beside these.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LibtorchCollection
{
    public const string Name = "libtorch";
}
