using PerfTests.Harness.Devices;
using PerfTests.Harness.Backends;
using PerfTests.Harness.Backends.TorchSharp;
using PerfTests.Harness.Data;
using PerfTests.Harness.Measurements;
using PerfTests.Harness.Training;
using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Training;

[Trait("Category", "Unit")]
public sealed class TrainerTests
{
    private static readonly DataProvenance Made = new("test", "made in the test", DataProvenance.GeneratedChecksum);

    /// <summary>Counts calls and returns a scripted loss; sees every batch the trainer builds.</summary>
    private sealed class ScriptedSession(Func<int, float> lossAtStep) : ITrainingSession
    {
        public int Steps { get; private set; }
        public List<int> BatchSizes { get; } = [];
        public HashSet<int> SeenLabels { get; } = [];
        /// <summary>Every training label in the order batches delivered them.</summary>
        public List<int> LabelOrder { get; } = [];
        public long ParameterCount => 0;
        public float TrainStep(Batch batch)
        {
            BatchSizes.Add(batch.Count);
            for (int i = 0; i < batch.Count; i++)
            {
                SeenLabels.Add(batch.Labels[i]);
                LabelOrder.Add(batch.Labels[i]);
            }
            return lossAtStep(Steps++);
        }
        public EvaluationResult Evaluate(Batch batch) => new(batch.Count * 0.5, batch.Count / 2, batch.Count);
        public float[] Predict(Batch batch) => new float[batch.Count * 10];
        public ModelWeights GetWeights() => new([]);
        public ModelWeights GetGradients() => new([]);
        public void SetWeights(ModelWeights weights) { }
        public void Dispose() { }
    }

    /// <summary>A session that gathers its own batches: records which splits it was asked to gather from, then gathers as Fill does.</summary>
    private sealed class GatheringSession : ITrainingSession, IGathersBatches
    {
        private readonly ScriptedSession _inner = new(_ => 1f);
        public List<(int SplitCount, int Count)> Gathers { get; } = [];
        public List<int> LabelOrder => _inner.LabelOrder;
        public void Gather(Batch batch, DataSplit split, ArraySegment<int> indices)
        {
            Gathers.Add((split.Count, indices.Count));
            Trainer.Fill(batch, split, indices);
        }
        public long ParameterCount => 0;
        public float TrainStep(Batch batch) => _inner.TrainStep(batch);
        public EvaluationResult Evaluate(Batch batch) => _inner.Evaluate(batch);
        public float[] Predict(Batch batch) => _inner.Predict(batch);
        public ModelWeights GetWeights() => new([]);
        public ModelWeights GetGradients() => new([]);
        public void SetWeights(ModelWeights weights) { }
        public void Dispose() { }
    }

    [Fact]
    public void Train_SessionThatGathers_GathersEveryTrainingAndValidationBatch_InTheTrainersOrder()
    {
        var gathering = new GatheringSession();
        var scripted = new ScriptedSession(_ => 1f);
        var data = MnistLike(300, 50);
        for (int i = 0; i < 300; i++) data.Train.Labels[i] = i;

        new Trainer(WorkloadCatalog.MlpMnist, "gathering", seed: 1).Train(gathering, data, epochs: 1);
        new Trainer(WorkloadCatalog.MlpMnist, "scripted", seed: 1).Train(scripted, data, epochs: 1);

        gathering.Gathers.Should().Equal((300, 128), (300, 128), (300, 44), (50, 50));
        gathering.LabelOrder.Should().Equal(scripted.LabelOrder);
    }

    private static WorkloadData MnistLike(int train, int validation)
    {
        DataSplit Split(int n) => new(n, 784, new float[n * 784], null, Enumerable.Range(0, n).Select(i => i % 10).ToArray());
        return new WorkloadData(Split(train), Split(validation), 10, 0, Made);
    }

    [Fact]
    public void Train_KeepsTheLastPartialBatch_AndVisitsEverySample()
    {
        var session = new ScriptedSession(_ => 1f);
        var trainer = new Trainer(WorkloadCatalog.MlpMnist, "scripted", seed: 1);

        var epochs = trainer.Train(session, MnistLike(300, 50), epochs: 2);

        session.BatchSizes.Should().Equal(128, 128, 44, 128, 128, 44);
        session.SeenLabels.Should().HaveCount(10);
        epochs.Select(e => e.Stage).Should().Equal(EpochStage.Warmup, EpochStage.Actual);
        epochs[1].ValidationAccuracy.Should().BeApproximately(25.0 / 50, 1e-9);
        epochs.Should().OnlyContain(e => e.TrainSecondsSamples.Count == 3, "3 batches give 3 timing segments");
    }

    [Fact]
    public void Train_TenSegmentsPerEpoch_WhenEnoughBatches()
    {
        var session = new ScriptedSession(_ => 1f);

        var epochs = new Trainer(WorkloadCatalog.MlpMnist, "scripted", 1).Train(session, MnistLike(128 * 25, 10), epochs: 1);

        epochs[0].TrainSecondsSamples.Should().HaveCount(Trainer.TimingSegments).And.OnlyContain(s => s > 0);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Train_NonFiniteLoss_StopsNamingEpochAndBatch(float bad)
    {
        var session = new ScriptedSession(step => step == 4 ? bad : 0.5f);
        var trainer = new Trainer(WorkloadCatalog.MlpMnist, "scripted", seed: 1);

        var act = () => trainer.Train(session, MnistLike(300, 50), epochs: 3);

        act.Should().Throw<TrainingDivergedException>()
            .Where(e => e.Epoch == 2 && e.Batch == 2)
            .WithMessage("mlp_mnist on scripted diverged*epoch 2, batch 2 of 3*");
        session.Steps.Should().Be(5, "training stops at the first bad step");
    }

    [Fact]
    public void Train_TorchSharpOnNaNInput_StopsWithDivergence()
    {
        var data = MnistLike(256, 32);
        Array.Fill(data.Train.Features!, float.NaN);
        using var session = new TorchSharpBackend().CreateSession(WorkloadCatalog.MlpMnist, new ModelDimensions(10, 0), ComputeDevice.Cpu, new SessionOptions(1));

        var act = () => new Trainer(WorkloadCatalog.MlpMnist, "torchsharp", 1).Train(session, data, epochs: 1);

        act.Should().Throw<TrainingDivergedException>().WithMessage("*epoch 1, batch 1*");
    }

    [Fact]
    public void Train_SameSeed_SameShuffle_OtherSeed_OtherShuffle()
    {
        // Each sample's label is its index, so the label order is the order the trainer visited the samples in.
        var data = Indexed(300);
        List<int> Order(int seed)
        {
            var session = new ScriptedSession(_ => 1f);
            new Trainer(WorkloadCatalog.MlpMnist, "x", seed).Train(session, data, 2);
            return session.LabelOrder;
        }

        var first = Order(7);

        first.Should().Equal(Order(7), "the same seed visits the samples in the same order");
        first.Should().NotEqual(Order(8), "another seed shuffles differently");
        first.Take(300).Should().NotEqual(Enumerable.Range(0, 300), "the samples are shuffled, not read in file order");
        first.Take(300).Should().NotEqual(first.Skip(300), "every epoch is shuffled anew");
        first.Take(300).Order().Should().Equal(Enumerable.Range(0, 300), "an epoch visits every sample once");
    }

    private static WorkloadData Indexed(int train)
    {
        DataSplit Split(int n) => new(n, 784, new float[n * 784], null, Enumerable.Range(0, n).ToArray());
        return new WorkloadData(Split(train), Split(10), train, 0, Made);
    }
}
