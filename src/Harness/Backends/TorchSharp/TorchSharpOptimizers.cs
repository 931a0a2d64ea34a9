using PerfTests.Harness.Workloads;
using TorchSharp;
using TorchSharp.Modules;

namespace PerfTests.Harness.Backends.TorchSharp;

/// <summary>PyTorch's optimizers with Keras's hyper-parameters; Keras's time-based decay is applied by the session per step.</summary>
internal static class TorchSharpOptimizers
{
    public static torch.optim.Optimizer Create(OptimizerSpec spec, IEnumerable<Parameter> parameters) => spec switch
    {
        AdamSpec a => torch.optim.Adam(parameters, a.LearningRate, a.Beta1, a.Beta2, a.Epsilon),
        RmsPropSpec r => torch.optim.RMSProp(parameters, r.LearningRate, alpha: r.Rho, eps: r.Epsilon),
        AdadeltaSpec d => torch.optim.Adadelta(parameters, d.LearningRate, rho: d.Rho, eps: d.Epsilon),
        _ => throw new NotSupportedException($"torchsharp has no optimizer for {spec.GetType().Name}."),
    };
}
