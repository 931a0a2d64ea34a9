using System.Diagnostics;
using PerfTests.Harness.Backends;
using PerfTests.Harness.Data;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Training;

/// <summary>
/// Epochs × batches, Keras-style: the training set is reshuffled each epoch, the last partial batch
/// is kept, and the whole validation split is evaluated after every epoch. Times each epoch (its
/// validation pass included, as the seed's callback did) and stops on a NaN or infinite loss.
/// </summary>
public sealed class Trainer(WorkloadSpec workload, string backendName, int seed)
{
    /// <summary>Each epoch's training is timed in this many segments (fewer when it has fewer batches).</summary>
    public const int TimingSegments = 10;

    public IReadOnlyList<EpochMeasurement> Train(
        ITrainingSession session,
        WorkloadData data,
        int epochs,
        IProgress<TrainingEvent>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        var train = data.Train;
        var batch = new Batch(workload.Input, workload.BatchSize);
        var order = Enumerable.Range(0, train.Count).ToArray();
        var shuffle = new Random(seed);
        var augmenter = workload.Augmentation is { } augmentation
            ? new ImageAugmenter(augmentation, workload.Input.Shape[0], workload.Input.Shape[1], workload.Input.Shape[2], seed + 1)
            : null;
        int batches = (train.Count + workload.BatchSize - 1) / workload.BatchSize;
        var measurements = new List<EpochMeasurement>(epochs);
        var allocations = new StepAllocationMeter();

        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            progress?.Report(new EpochStarted(workload.Name, epoch, epochs, batches));
            var epochClock = Stopwatch.StartNew();
            shuffle.Shuffle(order);
            double lossSum = 0;
            int segments = Math.Min(TimingSegments, batches);
            var segmentSamples = new double[segments];
            int segment = 0, segmentStart = 0;
            var segmentStartTime = epochClock.Elapsed;
            allocations.StartEpoch(session);
            for (int b = 0; b < batches; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int start = b * workload.BatchSize;
                Gather(session, batch, train, order, start, Math.Min(workload.BatchSize, train.Count - start));
                if (augmenter is not null) augmenter.Apply(batch.Features!, batch.Count);
                allocations.BeforeStep();
                float loss = session.TrainStep(batch);
                allocations.AfterStep();
                if (!float.IsFinite(loss))
                    throw new TrainingDivergedException(workload.Name, backendName, epoch, b + 1, batches, loss);
                lossSum += (double)loss * batch.Count;
                progress?.Report(new BatchCompleted(workload.Name, epoch, b + 1, batches, loss));
                if (b + 1 == (long)(segment + 1) * batches / segments)
                {
                    var now = epochClock.Elapsed;
                    segmentSamples[segment] = (now - segmentStartTime).TotalSeconds * batches / (b + 1 - segmentStart);
                    (segment, segmentStart, segmentStartTime) = (segment + 1, b + 1, now);
                }
            }
            double trainSeconds = epochClock.Elapsed.TotalSeconds;
            var counters = allocations.EndEpoch();

            var validation = Evaluate(session, data.Validation, batch, epoch, progress, cancellationToken);
            double seconds = epochClock.Elapsed.TotalSeconds;

            var measurement = new EpochMeasurement(
                epoch,
                epoch == 1 ? EpochStage.Warmup : EpochStage.Actual,
                TrainLoss: lossSum / train.Count,
                ValidationLoss: validation.LossSum / Math.Max(1, validation.Count),
                ValidationAccuracy: (double)validation.Correct / Math.Max(1, validation.Count),
                seconds,
                trainSeconds)
            {
                TrainSecondsSamples = segmentSamples,
                Counters = counters,
            };
            measurements.Add(measurement);
            progress?.Report(new EpochCompleted(workload.Name, epochs, measurement));
        }
        return measurements;
    }

    private EvaluationResult Evaluate(ITrainingSession session, DataSplit split, Batch batch, int epoch,
        IProgress<TrainingEvent>? progress, CancellationToken cancellationToken)
    {
        int batches = (split.Count + batch.Capacity - 1) / batch.Capacity;
        progress?.Report(new ValidationStarted(workload.Name, epoch, batches));
        double lossSum = 0;
        int correct = 0, count = 0;
        var range = new int[batch.Capacity];
        for (int start = 0; start < split.Count; start += batch.Capacity)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = Math.Min(batch.Capacity, split.Count - start);
            for (int i = 0; i < n; i++) range[i] = start + i;
            Gather(session, batch, split, range, 0, n);
            var result = session.Evaluate(batch);
            lossSum += result.LossSum;
            correct += result.Correct;
            count += result.Count;
        }
        if (!double.IsFinite(lossSum))
            throw new TrainingDivergedException(workload.Name, backendName, epoch, batches, batches, (float)lossSum);
        return new EvaluationResult(lossSum, correct, count);
    }

    /// <summary>Copies the samples at <paramref name="indices"/> into the batch buffer, on the calling thread.</summary>
    public static void Fill(Batch batch, DataSplit split, ReadOnlySpan<int> indices)
    {
        batch.CheckGather(split, indices);
        batch.CopyRows(split, indices, 0, indices.Length);
        batch.Count = indices.Length;
    }

    /// <summary>What <see cref="Fill"/> does, on the session's own threads when it offers them (<see cref="IGathersBatches"/>).</summary>
    private static void Gather(ITrainingSession session, Batch batch, DataSplit split, int[] indices, int start, int count)
    {
        if (session is IGathersBatches gatherer) gatherer.Gather(batch, split, new ArraySegment<int>(indices, start, count));
        else Fill(batch, split, indices.AsSpan(start, count));
    }
}
