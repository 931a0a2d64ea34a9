namespace PerfTests.Harness.Workloads;

/// <summary>An optimizer with Keras 2.0 semantics and defaults (PyTorch's differ: backends must pass every field).</summary>
public abstract record OptimizerSpec(double LearningRate)
{
    /// <summary>Keras's time-based decay: lr_t = lr / (1 + decay × updates so far). Zero for none.</summary>
    public double Decay { get; init; }

    public double LearningRateAt(long updatesSoFar) => LearningRate / (1.0 + Decay * updatesSoFar);
}

public sealed record AdamSpec(double LearningRate = 0.001, double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8)
    : OptimizerSpec(LearningRate);

/// <summary>Keras RMSprop: rho 0.9 (PyTorch's alpha defaults to 0.99).</summary>
public sealed record RmsPropSpec(double LearningRate = 0.001, double Rho = 0.9, double Epsilon = 1e-8)
    : OptimizerSpec(LearningRate);

/// <summary>Keras 2.0 Adadelta: lr 1.0, rho 0.95, epsilon 1e-8 (PyTorch: rho 0.9, eps 1e-6).</summary>
public sealed record AdadeltaSpec(double LearningRate = 1.0, double Rho = 0.95, double Epsilon = 1e-8)
    : OptimizerSpec(LearningRate);
