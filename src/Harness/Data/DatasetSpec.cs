using PerfTests.Harness.Data.Acquisition;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Data;

/// <summary>
/// Everything the harness knows about one data set, in one place: the <see cref="DatasetId"/> workloads name it by,
/// the real sets that can serve it (preferred first), their canonical files and how a folder holding them is
/// recognised, the real sizes, the reader, the generated stand-in and the download entries. A new data set is one
/// subclass, registered in <see cref="DatasetSpecs.All"/>.
/// </summary>
public abstract class DatasetSpec
{
    /// <summary>The data set workloads name, called after the seed's own set (<see cref="SetName"/>).</summary>
    public abstract DatasetId Id { get; }

    /// <summary>The seed's own set ("mnist", not its stand-in): what is fetched, and what generated data is named after.</summary>
    public string SetName => Id.Name;

    /// <summary>Real sets in the same format that stand in when the seed's own is not found ("fashion-mnist" for MNIST).</summary>
    public virtual IReadOnlyList<string> Substitutes => [];

    /// <summary>The sets tried, preferred first: the seed's own set, then its <see cref="Substitutes"/>.</summary>
    public IReadOnlyList<string> SetNames => [SetName, .. Substitutes];

    /// <summary>Sizes of the real set (train, test; characters for a corpus), which a generated stand-in for the full profile copies.</summary>
    public abstract (int Train, int Test) RealSize { get; }

    /// <summary>The files to place by hand, as a message names them ("imdb.npz (Keras's; or the extracted aclImdb/ folder)").</summary>
    public abstract string FilesToPlace { get; }

    /// <summary>A sentence that ends the "place these files" message (a distribution package that provides a stand-in), or null.</summary>
    public virtual string? InstallHint => null;

    /// <summary>Where each of <see cref="SetNames"/> can be downloaded, and the reference size and checksum of its files.</summary>
    public abstract IReadOnlyList<DownloadableDataset> Downloads { get; }

    /// <summary>The set called <paramref name="name"/> in <paramref name="folder"/>, if its files are there (a folder of another set is not mistaken for it).</summary>
    public abstract LocatedDataset? Probe(string name, string folder);

    /// <summary>Writes the generated stand-in of <paramref name="train"/> + <paramref name="test"/> samples into <paramref name="folder"/>, in the real set's canonical files.</summary>
    public abstract void WriteGenerated(string folder, int train, int test);

    /// <summary>The generated stand-in's size for a schedule: what the schedule uses, or the real set's size where it uses all.</summary>
    public virtual (int Train, int Test) GeneratedSize(Schedule schedule, DataPreparation preparation) =>
        (schedule.TrainSamples ?? RealSize.Train, schedule.ValidationSamples ?? RealSize.Test);

    /// <summary>Reads a located set with the reader its format needs, validating what the workloads rely on.</summary>
    public abstract object ReadRaw(LocatedDataset located);

    /// <summary>Turns what <see cref="ReadRaw"/> returned into the workload's model input.</summary>
    public abstract WorkloadData PrepareRaw(object raw, LocatedDataset located, WorkloadSpec workload, Schedule schedule, DataProvenance provenance);

    protected LocatedDataset Located(string name, string path, IReadOnlyList<string> files) => new(name, Id, path, files);
}

/// <summary>A data set whose reader returns <typeparamref name="TRaw"/> (an <see cref="ImageSet"/>, a <see cref="ReviewSet"/>, a corpus).</summary>
public abstract class DatasetSpec<TRaw> : DatasetSpec where TRaw : class
{
    public abstract TRaw Read(LocatedDataset located);

    public abstract WorkloadData Prepare(TRaw raw, LocatedDataset located, WorkloadSpec workload, Schedule schedule, DataProvenance provenance);

    public sealed override object ReadRaw(LocatedDataset located) => Read(located);

    public sealed override WorkloadData PrepareRaw(object raw, LocatedDataset located, WorkloadSpec workload, Schedule schedule, DataProvenance provenance) =>
        Prepare((TRaw)raw, located, workload, schedule, provenance);
}

/// <summary>Images with one class label each, scaled to [0, 1] for the model.</summary>
public abstract class ImageDatasetSpec : DatasetSpec<ImageSet>
{
    public sealed override WorkloadData Prepare(ImageSet raw, LocatedDataset located, WorkloadSpec workload, Schedule schedule, DataProvenance provenance)
    {
        var (train, validation) = DataPreparer.Images(raw, workload.Input, schedule);
        return new WorkloadData(train, validation, raw.Classes, 0, provenance);
    }
}
