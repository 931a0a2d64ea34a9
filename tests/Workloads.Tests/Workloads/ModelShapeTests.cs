using PerfTests.Harness.Workloads;
using PerfTests.Workloads.Tests.Backends;

namespace PerfTests.Workloads.Tests.Workloads;

[Trait("Category", "Unit")]
public sealed class ModelShapeTests
{
    [Theory]
    [MemberData(nameof(TestModels.WorkloadNames), MemberType = typeof(TestModels))]
    public void KerasParameterCount_EachWorkload_EqualsTheCountTheCatalogStatesFromKeras(string workload)
    {
        // The catalog states each Keras example's model.summary() total (lstm_textgen with the 57 characters of lower-cased Nietzsche).
        var spec = WorkloadCatalog.Get(workload);

        ModelShape.KerasParameterCount(spec, TestModels.DataDimension).Should().Be(spec.KerasParameterCount);
    }

    [Fact]
    public void Resolve_CnnMnist_FlattensTo9216()
    {
        var layers = ModelShape.Resolve(WorkloadCatalog.CnnMnist);

        layers.Single(l => l.Layer is Flatten).OutputShape.Should().Equal(9216);
    }

    [Fact]
    public void Resolve_CnnCifar10_FlattensTo2304()
    {
        var layers = ModelShape.Resolve(WorkloadCatalog.CnnCifar10);

        layers.Single(l => l.Layer is Flatten).OutputShape.Should().Equal(2304);
    }

    [Fact]
    public void Resolve_SizeFromDataWithoutData_ThrowsNamingTheWorkload()
    {
        var act = () => ModelShape.Resolve(WorkloadCatalog.LstmTextgen);

        act.Should().Throw<InvalidOperationException>().WithMessage("lstm_textgen*data dimension*");
    }

    [Fact]
    public void Catalog_UnknownWorkload_ThrowsListingKnownOnes()
    {
        var act = () => WorkloadCatalog.Get("resnet50");

        act.Should().Throw<ArgumentException>().WithMessage("*resnet50*mlp_mnist*");
    }

    [Fact]
    public void Select_All_ReturnsTheSixSeedWorkloads()
    {
        WorkloadCatalog.Select(["all"]).Select(w => w.Name).Should().Equal(
            "bilstm_imdb", "fasttext_imdb", "mlp_mnist", "cnn_mnist", "cnn_cifar10", "lstm_textgen");
    }

    [Fact]
    public void Schedules_FullProfile_AreTheSeedsEpochs()
    {
        WorkloadCatalog.All.Select(w => w.Full.Epochs).Should().Equal(4, 5, 20, 12, 20, 10);
        WorkloadCatalog.All.Should().OnlyContain(w => w.Full.TrainSamples == null && w.Full.ValidationSamples == null);
    }

    [Fact]
    public void Optimizers_KerasDefaults_AreSpelledOut()
    {
        WorkloadCatalog.MlpMnist.Optimizer.Should().Be(new RmsPropSpec(0.001, 0.9, 1e-8));
        WorkloadCatalog.CnnMnist.Optimizer.Should().Be(new AdadeltaSpec(1.0, 0.95, 1e-8));
        WorkloadCatalog.BiLstmImdb.Optimizer.Should().Be(new AdamSpec(0.001, 0.9, 0.999, 1e-8));
        WorkloadCatalog.CnnCifar10.Optimizer.Should().Be(new RmsPropSpec(1e-4) { Decay = 1e-6 });
        WorkloadCatalog.LstmTextgen.Optimizer.Should().Be(new RmsPropSpec(0.01));
    }

    [Fact]
    public void LearningRateAt_KerasDecay_DividesByOnePlusDecayTimesUpdates()
    {
        var spec = new RmsPropSpec(1e-4) { Decay = 1e-6 };

        spec.LearningRateAt(0).Should().Be(1e-4);
        spec.LearningRateAt(1_000_000).Should().BeApproximately(0.5e-4, 1e-12);
    }
}
