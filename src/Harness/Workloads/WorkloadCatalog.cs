namespace PerfTests.Harness.Workloads;

/// <summary>The six seed workloads (../shared/workloads.md), exactly as the Keras 2.0 examples define them.</summary>
public static class WorkloadCatalog
{
    public static WorkloadSpec BiLstmImdb { get; } = new()
    {
        Name = "bilstm_imdb",
        Title = "Bidirectional LSTM on IMDb",
        Dataset = DatasetId.Imdb,
        Preparation = new DataPreparation(NumWords: 20_000, SequenceLength: 100),
        Input = new InputSpec(InputKind.Tokens, [100]),
        Layers = [new Embedding(20_000, 128), new Bidirectional(new Lstm(64)), new Dropout(0.5), new Dense(1, Activation.Sigmoid)],
        Loss = LossKind.BinaryCrossEntropy,
        Optimizer = new AdamSpec(),
        BatchSize = 32,
        Metric = MetricKind.ValidationAccuracy,
        KerasParameterCount = 2_658_945,
        Full = new Schedule(Epochs: 4),
        Ci = new Schedule(Epochs: 3, TrainSamples: 2_000, ValidationSamples: 1_000),
        Smoke = new Schedule(Epochs: 2, TrainSamples: 96, ValidationSamples: 64),
    };

    public static WorkloadSpec FastTextImdb { get; } = new()
    {
        Name = "fasttext_imdb",
        Title = "fastText on IMDb",
        Dataset = DatasetId.Imdb,
        Preparation = new DataPreparation(NumWords: 20_000, SequenceLength: 400, NgramRange: 1),
        Input = new InputSpec(InputKind.Tokens, [400]),
        Layers = [new Embedding(20_000, 50), new GlobalAveragePooling1D(), new Dense(1, Activation.Sigmoid)],
        Loss = LossKind.BinaryCrossEntropy,
        Optimizer = new AdamSpec(),
        BatchSize = 32,
        Metric = MetricKind.ValidationAccuracy,
        KerasParameterCount = 1_000_051,
        Full = new Schedule(Epochs: 5),
        Ci = new Schedule(Epochs: 4, TrainSamples: 10_000, ValidationSamples: 2_000),
        Smoke = new Schedule(Epochs: 2, TrainSamples: 256, ValidationSamples: 128),
    };

    public static WorkloadSpec MlpMnist { get; } = new()
    {
        Name = "mlp_mnist",
        Title = "MLP on MNIST",
        Dataset = DatasetId.Mnist,
        Input = new InputSpec(InputKind.Features, [784]),
        Layers = [new Dense(512, Activation.Relu), new Dropout(0.2), new Dense(512, Activation.Relu), new Dropout(0.2), new Dense(10, Activation.Softmax)],
        Loss = LossKind.CategoricalCrossEntropy,
        Optimizer = new RmsPropSpec(),
        BatchSize = 128,
        Metric = MetricKind.ValidationAccuracy,
        KerasParameterCount = 669_706,
        Full = new Schedule(Epochs: 20),
        Ci = new Schedule(Epochs: 4, TrainSamples: 12_000, ValidationSamples: 2_000),
        Smoke = new Schedule(Epochs: 2, TrainSamples: 512, ValidationSamples: 256),
    };

    public static WorkloadSpec CnnMnist { get; } = new()
    {
        Name = "cnn_mnist",
        Title = "CNN on MNIST",
        Dataset = DatasetId.Mnist,
        Input = new InputSpec(InputKind.Features, [1, 28, 28]),
        Layers =
        [
            new Conv2D(32, 3, ConvPadding.Valid, Activation.Relu), new Conv2D(64, 3, ConvPadding.Valid, Activation.Relu),
            new MaxPool2D(2), new Dropout(0.25), new Flatten(),
            new Dense(128, Activation.Relu), new Dropout(0.5), new Dense(10, Activation.Softmax),
        ],
        Loss = LossKind.CategoricalCrossEntropy,
        Optimizer = new AdadeltaSpec(),
        BatchSize = 128,
        Metric = MetricKind.ValidationAccuracy,
        KerasParameterCount = 1_199_882,
        Full = new Schedule(Epochs: 12),
        Ci = new Schedule(Epochs: 4, TrainSamples: 12_000, ValidationSamples: 1_000),
        Smoke = new Schedule(Epochs: 2, TrainSamples: 256, ValidationSamples: 128),
    };

    public static WorkloadSpec CnnCifar10 { get; } = new()
    {
        Name = "cnn_cifar10",
        Title = "CNN on CIFAR-10",
        Dataset = DatasetId.Cifar10,
        Input = new InputSpec(InputKind.Features, [3, 32, 32]),
        Layers =
        [
            new Conv2D(32, 3, ConvPadding.Same), new ActivationLayer(Activation.Relu),
            new Conv2D(32, 3, ConvPadding.Valid), new ActivationLayer(Activation.Relu),
            new MaxPool2D(2), new Dropout(0.25),
            new Conv2D(64, 3, ConvPadding.Same), new ActivationLayer(Activation.Relu),
            new Conv2D(64, 3, ConvPadding.Valid), new ActivationLayer(Activation.Relu),
            new MaxPool2D(2), new Dropout(0.25),
            new Flatten(), new Dense(512), new ActivationLayer(Activation.Relu), new Dropout(0.5),
            new Dense(10), new ActivationLayer(Activation.Softmax),
        ],
        Loss = LossKind.CategoricalCrossEntropy,
        Optimizer = new RmsPropSpec(LearningRate: 1e-4) { Decay = 1e-6 },
        BatchSize = 32,
        Metric = MetricKind.ValidationAccuracy,
        Augmentation = new AugmentationSpec(WidthShift: 0.1, HeightShift: 0.1, HorizontalFlip: true),
        KerasParameterCount = 1_250_858,
        Full = new Schedule(Epochs: 20),
        Ci = new Schedule(Epochs: 3, TrainSamples: 3_000, ValidationSamples: 1_000),
        Smoke = new Schedule(Epochs: 2, TrainSamples: 96, ValidationSamples: 64),
    };

    public static WorkloadSpec LstmTextgen { get; } = new()
    {
        Name = "lstm_textgen",
        Title = "Character LSTM text generation",
        Dataset = DatasetId.Nietzsche,
        Preparation = new DataPreparation(SequenceLength: 40, WindowStep: 3, HeldOutFraction: 0.05),
        Input = new InputSpec(InputKind.Tokens, [40]),
        Layers = [new OneHot(LayerSpec.FromData), new Lstm(128), new Dense(LayerSpec.FromData, Activation.Softmax)],
        Loss = LossKind.CategoricalCrossEntropy,
        Optimizer = new RmsPropSpec(LearningRate: 0.01),
        BatchSize = 128,
        Metric = MetricKind.TrainingLoss,
        Sampling = new TextSampling(Length: 400, Temperature: 0.5),
        // With the 57 characters of the lower-cased Nietzsche corpus.
        KerasParameterCount = 102_585,
        Full = new Schedule(Epochs: 10),
        Ci = new Schedule(Epochs: 5, TrainSamples: 12_000, ValidationSamples: 1_000),
        Smoke = new Schedule(Epochs: 2, TrainSamples: 256, ValidationSamples: 64),
    };

    public static IReadOnlyList<WorkloadSpec> All { get; } = [BiLstmImdb, FastTextImdb, MlpMnist, CnnMnist, CnnCifar10, LstmTextgen];

    /// <summary>Resolves a name, or throws listing the known ones.</summary>
    public static WorkloadSpec Get(string name) =>
        All.FirstOrDefault(w => string.Equals(w.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown workload '{name}'. Known: {string.Join(", ", All.Select(w => w.Name))}.");

    /// <summary>Expands CLI selections: names, or "all".</summary>
    public static IReadOnlyList<WorkloadSpec> Select(IEnumerable<string> names)
    {
        var list = names.ToList();
        if (list.Count == 0 || list.Any(n => string.Equals(n, "all", StringComparison.OrdinalIgnoreCase))) return All;
        return list.Select(Get).Distinct().ToList();
    }
}
