using PerfTests.Harness.Data.Acquisition;
using PerfTests.Harness.Data.Formats;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Data.Sets;

/// <summary>CIFAR-10's binary version: the archive, or its extracted batch folder.</summary>
public sealed class Cifar10Spec : ImageDatasetSpec
{
    public override DatasetId Id => DatasetId.Cifar10;

    public override (int Train, int Test) RealSize => (50_000, 10_000);

    public override string FilesToPlace => $"{CifarBinary.ArchiveName} (or its extracted {CifarBinary.FolderName}/)";

    /// <summary>Size and SHA-256 from tensorflow_datasets' url_checksums (cifar10).</summary>
    public override IReadOnlyList<DownloadableDataset> Downloads { get; } =
    [
        new DownloadableDataset("cifar10", "CIFAR-10 (binary version)",
        [
            new(CifarBinary.ArchiveName, [new Uri("https://www.cs.toronto.edu/~kriz/" + CifarBinary.ArchiveName)],
                "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd", 170_052_171),
        ]),
    ];

    public override LocatedDataset? Probe(string name, string folder)
    {
        var archive = Path.Combine(folder, CifarBinary.ArchiveName);
        if (File.Exists(archive)) return Located(name, archive, [archive]);
        var extracted = Path.Combine(folder, CifarBinary.FolderName);
        var batches = CifarBinary.AllBatches.Select(b => Path.Combine(extracted, b)).ToList();
        return batches.All(File.Exists) ? Located(name, extracted, batches) : null;
    }

    public override ImageSet Read(LocatedDataset located)
    {
        var (train, test) = CifarBinary.Read(located.Path);
        return new ImageSet(train.Pixels, train.Labels.Select(l => (int)l).ToArray(), test.Pixels,
            test.Labels.Select(l => (int)l).ToArray(), CifarBinary.ImageBytes, 10);
    }

    public override void WriteGenerated(string folder, int train, int test)
    {
        var (trainImages, trainClasses) = Shapes(train, SyntheticDatasets.GeneratorSeed);
        var (testImages, testClasses) = Shapes(test, SyntheticDatasets.GeneratorSeed + 1);
        CifarBinary.WriteArchive(Path.Combine(folder, CifarBinary.ArchiveName),
            new CifarBinary.Split(trainImages, trainClasses), new CifarBinary.Split(testImages, testClasses));
    }

    /// <summary>
    /// CIFAR-like: a shape (disc, square, triangle, bar, ring) in a warm or cool colour, at a random place and size,
    /// over a noisy background of random colour; class = shape × colour family. 5% of labels are random.
    /// </summary>
    internal static (byte[] Pixels, byte[] Labels) Shapes(int count, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[count * 3072];
        var labels = new byte[count];
        Span<float> background = stackalloc float[3];
        Span<float> colour = stackalloc float[3];
        for (int n = 0; n < count; n++)
        {
            int label = random.Next(10), shape = label % 5;
            bool warm = label < 5;
            for (int ch = 0; ch < 3; ch++) background[ch] = random.Next(40, 200);
            colour[0] = warm ? random.Next(170, 256) : random.Next(0, 90);
            colour[1] = random.Next(60, 200);
            colour[2] = warm ? random.Next(0, 90) : random.Next(170, 256);
            float cx = random.Next(9, 23), cy = random.Next(9, 23), r = random.Next(6, 10);
            var image = pixels.AsSpan(n * 3072, 3072);
            for (int y = 0; y < 32; y++)
            {
                for (int x = 0; x < 32; x++)
                {
                    float u = (x - cx) / r, v = (y - cy) / r;
                    bool inside = shape switch
                    {
                        0 => u * u + v * v <= 1,
                        1 => Math.Abs(u) <= 0.8f && Math.Abs(v) <= 0.8f,
                        2 => v <= 0.8f && v >= -0.9f + 1.8f * Math.Abs(u),
                        3 => Math.Abs(v) <= 0.35f && Math.Abs(u) <= 1.1f,
                        _ => u * u + v * v <= 1 && u * u + v * v >= 0.4f,
                    };
                    for (int ch = 0; ch < 3; ch++)
                    {
                        float value = (inside ? colour[ch] : background[ch]) + random.Next(-25, 26);
                        image[ch * 1024 + y * 32 + x] = (byte)Math.Clamp(value, 0, 255);
                    }
                }
            }
            labels[n] = (byte)(random.NextDouble() < 0.05 ? random.Next(10) : label);
        }
        return (pixels, labels);
    }
}
