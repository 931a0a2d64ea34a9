using PerfTests.Harness.Backends.Managed;
using PerfTests.Harness.Workloads;
using static TorchSharp.torch;

namespace PerfTests.Workloads.Tests.Backends.Managed;

/// <summary>Each optimizer's update against a hand-computed step, and three steps against TorchSharp's optimizer as the torchsharp backend configures it.</summary>
[Trait("Category", "Unit")]
public sealed class ManagedOptimizerTests
{
    private static readonly float[] Start = [0.5f, -1f, 2f, 0f, 3e-3f];
    private static readonly float[][] Grads = [[0.1f, -0.2f, 0.3f, 0f, 1e-4f], [-0.05f, 0.4f, 0.3f, 0.2f, -2f], [0.3f, 0.1f, -0.7f, 0f, 0.5f]];

    private static Parameter NewParameter()
    {
        var p = new Parameter("0.kernel", [Start.Length]);
        Start.CopyTo(p.Value, 0);
        return p;
    }

    /// <summary>A large tensor's update is split over the workers in blocks; every element must come out exactly as one thread computes it.</summary>
    [Theory]
    [InlineData("adam")]
    [InlineData("rmsprop")]
    [InlineData("adadelta")]
    public void Step_SplitOverWorkers_EqualsOneThread(string name)
    {
        OptimizerSpec spec = name switch { "adam" => new AdamSpec(), "rmsprop" => new RmsPropSpec(), _ => new AdadeltaSpec() };
        const int length = 5 * WorkerPool.MinimumRangeBlock + 7;
        float[] Train(WorkerPool? pool)
        {
            var random = new Random(4);
            var p = new Parameter("0.kernel", [length]);
            for (int i = 0; i < length; i++) p.Value[i] = (float)random.NextDouble() - 0.5f;
            var optimizer = Optimizer.Create(spec, [p], pool);
            for (int step = 0; step < 3; step++)
            {
                for (int i = 0; i < length; i++) p.Grad[i] = (float)random.NextDouble() - 0.5f;
                optimizer.Step();
            }
            return p.Value;
        }
        using var pool = new WorkerPool(2);
        var split = Train(pool);
        split.Should().Equal(Train(null));
    }

    [Fact]
    public void Adam_FirstStep_IsHandComputed()
    {
        var spec = new AdamSpec();
        var p = NewParameter();
        Grads[0].CopyTo(p.Grad, 0);
        Optimizer.Create(spec, [p]).Step();
        for (int i = 0; i < Start.Length; i++)
        {
            double g = Grads[0][i], m = 0.1 * g, v = 0.001 * g * g;
            double expected = Start[i] - 0.001 / (1 - 0.9) * m / (Math.Sqrt(v) / Math.Sqrt(1 - 0.999) + 1e-8);
            p.Value[i].Should().BeApproximately((float)expected, 1e-6f);
        }
    }

    [Fact]
    public void RmsProp_TwoStepsWithDecay_AreHandComputed()
    {
        var spec = new RmsPropSpec(LearningRate: 0.01) { Decay = 0.5 };
        var p = NewParameter();
        var optimizer = Optimizer.Create(spec, [p]);
        var v = new double[Start.Length];
        var expected = Start.Select(x => (double)x).ToArray();
        for (int step = 0; step < 2; step++)
        {
            Grads[step].CopyTo(p.Grad, 0);
            optimizer.Step();
            double lr = 0.01 / (1 + 0.5 * step);
            for (int i = 0; i < Start.Length; i++)
            {
                double g = Grads[step][i];
                v[i] = 0.9 * v[i] + 0.1 * g * g;
                expected[i] -= lr * g / (Math.Sqrt(v[i]) + 1e-8);
                p.Value[i].Should().BeApproximately((float)expected[i], 1e-6f);
            }
        }
    }

    [Fact]
    public void Adadelta_TwoSteps_AreHandComputed()
    {
        var spec = new AdadeltaSpec();
        var p = NewParameter();
        var optimizer = Optimizer.Create(spec, [p]);
        var v = new double[Start.Length];
        var u = new double[Start.Length];
        var expected = Start.Select(x => (double)x).ToArray();
        for (int step = 0; step < 2; step++)
        {
            Grads[step].CopyTo(p.Grad, 0);
            optimizer.Step();
            for (int i = 0; i < Start.Length; i++)
            {
                double g = Grads[step][i];
                v[i] = 0.95 * v[i] + 0.05 * g * g;
                double delta = Math.Sqrt(u[i] + 1e-8) / Math.Sqrt(v[i] + 1e-8) * g;
                u[i] = 0.95 * u[i] + 0.05 * delta * delta;
                expected[i] -= 1.0 * delta;
                p.Value[i].Should().BeApproximately((float)expected[i], 1e-6f);
            }
        }
    }

    public static TheoryData<string> Specs => new() { "adam", "rmsprop", "rmsprop-decay", "adadelta" };

    [Theory]
    [MemberData(nameof(Specs))]
    public void ThreeSteps_MatchTorchSharpOptimizerConfiguredLikeTheTorchSharpBackend(string which)
    {
        OptimizerSpec spec = which switch
        {
            "adam" => new AdamSpec(),
            "rmsprop" => new RmsPropSpec(LearningRate: 0.01),
            "rmsprop-decay" => new RmsPropSpec(LearningRate: 1e-4) { Decay = 0.1 },
            _ => new AdadeltaSpec(),
        };
        var p = NewParameter();
        var managed = Optimizer.Create(spec, [p]);
        var weight = new global::TorchSharp.Modules.Parameter(tensor(Start, [Start.Length]));
        optim.Optimizer torchOptimizer = spec switch
        {
            AdamSpec a => optim.Adam([weight], a.LearningRate, a.Beta1, a.Beta2, a.Epsilon),
            RmsPropSpec r => optim.RMSProp([weight], r.LearningRate, alpha: r.Rho, eps: r.Epsilon),
            AdadeltaSpec d => optim.Adadelta([weight], d.LearningRate, rho: d.Rho, eps: d.Epsilon),
            _ => throw new InvalidOperationException(),
        };
        for (int step = 0; step < 3; step++)
        {
            foreach (var group in torchOptimizer.ParamGroups) group.LearningRate = spec.LearningRateAt(step);
            torchOptimizer.zero_grad();
            (weight * tensor(Grads[step], [Start.Length])).sum().backward();
            torchOptimizer.step();
            Grads[step].CopyTo(p.Grad, 0);
            managed.Step();
        }
        var expected = weight.detach().data<float>().ToArray();
        for (int i = 0; i < Start.Length; i++) p.Value[i].Should().BeApproximately(expected[i], 1e-6f + 1e-5f * Math.Abs(expected[i]));
    }
}
