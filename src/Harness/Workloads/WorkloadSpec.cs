namespace PerfTests.Harness.Workloads;

/// <summary>
/// The data set a workload trains on, named as the seed's own set ("mnist"). Workloads only name it: what the set is
/// (files, reader, generator, downloads) is its spec in Data/ (<c>DatasetSpecs</c>), so a new data set is added there.
/// </summary>
public readonly record struct DatasetId(string Name)
{
    public static DatasetId Mnist { get; } = new("mnist");
    public static DatasetId Cifar10 { get; } = new("cifar10");
    public static DatasetId Imdb { get; } = new("imdb");
    public static DatasetId Nietzsche { get; } = new("nietzsche");

    public override string ToString() => Name;
}

public enum LossKind
{
    /// <summary>Softmax output, one-hot (here: class-index) targets.</summary>
    CategoricalCrossEntropy,
    /// <summary>Sigmoid output, 0/1 targets.</summary>
    BinaryCrossEntropy,
}

public enum MetricKind
{
    /// <summary>Validation accuracy; higher is better.</summary>
    ValidationAccuracy,
    /// <summary>Mean training loss of the last epoch, as Keras logged it; lower is better (the seed's lstm_textgen figure).</summary>
    TrainingLoss,
}

public static class MetricKindExtensions
{
    public static bool HigherIsBetter(this MetricKind metric) => metric == MetricKind.ValidationAccuracy;

    public static string Label(this MetricKind metric) => metric switch
    {
        MetricKind.ValidationAccuracy => "validation accuracy",
        MetricKind.TrainingLoss => "training loss (lower is better)",
        _ => throw new ArgumentOutOfRangeException(nameof(metric)),
    };
}

/// <summary>How model inputs are laid out per sample.</summary>
public enum InputKind
{
    /// <summary>float features, shape = <see cref="InputSpec.Shape"/> (e.g. [784] or [3, 32, 32]).</summary>
    Features,
    /// <summary>int token indices, shape = [sequence length].</summary>
    Tokens,
}

public sealed record InputSpec(InputKind Kind, IReadOnlyList<int> Shape)
{
    public int SampleSize => Shape.Aggregate(1, (a, b) => a * b);
    public override string ToString() => $"{Kind}[{string.Join('×', Shape)}]";
}

/// <summary>
/// How a data set becomes model input. Keras-example preprocessing: IMDb keeps the
/// <see cref="NumWords"/> most frequent words and pads/truncates at the front to
/// <see cref="SequenceLength"/>; the text corpus is cut into windows of <see cref="SequenceLength"/>
/// every <see cref="WindowStep"/> characters.
/// </summary>
public sealed record DataPreparation(int NumWords = 0, int SequenceLength = 0, int NgramRange = 1, int WindowStep = 0,
    double HeldOutFraction = 0);

/// <summary>Keras ImageDataGenerator settings used by cnn_cifar10.</summary>
public sealed record AugmentationSpec(double WidthShift, double HeightShift, bool HorizontalFlip);

/// <summary>How much of a workload a profile runs; null sample counts mean "all".</summary>
public sealed record Schedule(int Epochs, int? TrainSamples = null, int? ValidationSamples = null);

/// <summary>A profile: which schedule of each workload to run.</summary>
public enum RunProfile
{
    /// <summary>Seconds: tiny slices, for tests.</summary>
    Smoke,
    /// <summary>A few minutes for all six on 2 cores; still learns. The gate's default.</summary>
    Ci,
    /// <summary>The seed's schedule on whole data sets.</summary>
    Full,
}

public static class RunProfileExtensions
{
    /// <summary>"smoke", "ci", "full": how files, keys, reports and the CLI spell a profile.</summary>
    public static string Name(this RunProfile profile) => profile.ToString().ToLowerInvariant();
}

/// <summary>One seed workload, as data: model, loss, optimizer, batch size, epochs, metric, data.</summary>
public sealed record WorkloadSpec
{
    public required string Name { get; init; }
    public required string Title { get; init; }
    public required DatasetId Dataset { get; init; }
    public DataPreparation Preparation { get; init; } = new();
    public required InputSpec Input { get; init; }
    public required IReadOnlyList<LayerSpec> Layers { get; init; }
    public required LossKind Loss { get; init; }
    public required OptimizerSpec Optimizer { get; init; }
    public required int BatchSize { get; init; }
    public required MetricKind Metric { get; init; }
    public AugmentationSpec? Augmentation { get; init; }
    /// <summary>After training, sample text as the Keras example's epilogue does (character models only).</summary>
    public TextSampling? Sampling { get; init; }
    /// <summary>Parameter count of the Keras model, as the example prints it (for the lstm_textgen vocabulary the real corpus has).</summary>
    public required long KerasParameterCount { get; init; }
    public required Schedule Full { get; init; }
    public required Schedule Ci { get; init; }
    public required Schedule Smoke { get; init; }

    public Schedule ScheduleFor(RunProfile profile) => profile switch
    {
        RunProfile.Full => Full,
        RunProfile.Ci => Ci,
        RunProfile.Smoke => Smoke,
        _ => throw new ArgumentOutOfRangeException(nameof(profile)),
    };

    public override string ToString() => Name;
}

/// <summary>The Keras text-generation epilogue: <see cref="Length"/> characters sampled at <see cref="Temperature"/>.</summary>
public sealed record TextSampling(int Length = 400, double Temperature = 0.5);
