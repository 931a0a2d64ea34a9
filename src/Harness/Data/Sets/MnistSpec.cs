using PerfTests.Harness.Data.Acquisition;
using PerfTests.Harness.Data.Formats;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Data.Sets;

/// <summary>MNIST handwritten digits in IDX files; Fashion-MNIST, with MNIST's exact format and shape, stands in for it.</summary>
public sealed class MnistSpec : ImageDatasetSpec
{
    /// <summary>The four IDX files, without the .gz that the downloads and generated sets carry (either form is read).</summary>
    public static readonly string[] Files =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    public override DatasetId Id => DatasetId.Mnist;

    public override IReadOnlyList<string> Substitutes { get; } = ["fashion-mnist"];

    public override (int Train, int Test) RealSize => (60_000, 10_000);

    public override string FilesToPlace => string.Join(", ", Files.Select(f => f + ".gz"));

    public override string InstallHint => "On Debian/Ubuntu, `apt-get install dataset-fashion-mnist` provides Fashion-MNIST in MNIST's format.";

    /// <summary>
    /// Sizes and SHA-256 sums from tensorflow_datasets' url_checksums (mnist, fashion_mnist). Debian's dataset-fashion-mnist
    /// package ships the Fashion-MNIST files recompressed without the file name in the gzip header (hence 23-24 bytes
    /// shorter); their sums, taken from that package, are accepted as variants so that a copy of
    /// /usr/share/datasets/fashion-mnist verifies.
    /// </summary>
    public override IReadOnlyList<DownloadableDataset> Downloads { get; } =
    [
        new DownloadableDataset("mnist", "MNIST handwritten digits (IDX, gzip)", IdxFiles(
            ["https://storage.googleapis.com/cvdf-datasets/mnist/", "https://ossci-datasets.s3.amazonaws.com/mnist/", "https://yann.lecun.com/exdb/mnist/"],
            (Idx(0), 9_912_422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            (Idx(1), 28_881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            (Idx(2), 1_648_877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            (Idx(3), 4_542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"))),
        new DownloadableDataset("fashion-mnist", "Fashion-MNIST (IDX, gzip)", WithDebianVariants(IdxFiles(
            ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/", DownloadSources.KerasDatasets],
            (Idx(0), 26_421_880, "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
            (Idx(1), 29_515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
            (Idx(2), 4_422_102, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
            (Idx(3), 5_148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5")),
            (Idx(0), 26_421_856, "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"),
            (Idx(1), 29_491, "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"),
            (Idx(2), 4_422_079, "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"),
            (Idx(3), 5_125, "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"))),
    ];

    public override LocatedDataset? Probe(string name, string folder)
    {
        var files = Files.Select(f => FirstExisting(folder, f + ".gz", f)).ToList();
        return files.All(f => f is not null) ? Located(name, folder, files!) : null;
    }

    public override ImageSet Read(LocatedDataset located)
    {
        var images = located.Files.Select(IdxFile.Read).ToArray();
        var (trainImages, trainLabels, testImages, testLabels) = (images[0], images[1], images[2], images[3]);
        CheckImages(located.Files[0], trainImages, located.Files[1], trainLabels);
        CheckImages(located.Files[2], testImages, located.Files[3], testLabels);
        return new ImageSet(trainImages.Data, Labels(located.Files[1], trainLabels.Data, 10), testImages.Data,
            Labels(located.Files[3], testLabels.Data, 10), 28 * 28, 10);
    }

    public override void WriteGenerated(string folder, int train, int test)
    {
        var (trainDigits, trainLabels) = Strokes(train, SyntheticDatasets.GeneratorSeed);
        var (testDigits, testLabels) = Strokes(test, SyntheticDatasets.GeneratorSeed + 1);
        IdxFile.Write(Path.Combine(folder, Files[0] + ".gz"), [train, 28, 28], trainDigits);
        IdxFile.Write(Path.Combine(folder, Files[1] + ".gz"), [train], trainLabels);
        IdxFile.Write(Path.Combine(folder, Files[2] + ".gz"), [test, 28, 28], testDigits);
        IdxFile.Write(Path.Combine(folder, Files[3] + ".gz"), [test], testLabels);
    }

    /// <summary>
    /// MNIST-like: each class is three strokes; a sample redraws them with jittered end points, thickness
    /// and position, on a speckled background. 4% of labels are replaced by a random class.
    /// </summary>
    internal static (byte[] Pixels, byte[] Labels) Strokes(int count, int seed)
    {
        var prototypes = new Random(SyntheticDatasets.GeneratorSeed);
        var strokes = new (float X0, float Y0, float X1, float Y1)[10, 3];
        for (int c = 0; c < 10; c++)
            for (int s = 0; s < 3; s++)
                strokes[c, s] = (prototypes.Next(5, 23), prototypes.Next(5, 23), prototypes.Next(5, 23), prototypes.Next(5, 23));

        var random = new Random(seed);
        var pixels = new byte[count * 784];
        var labels = new byte[count];
        for (int n = 0; n < count; n++)
        {
            int label = random.Next(10);
            float dx = random.Next(-2, 3), dy = random.Next(-2, 3);
            var image = pixels.AsSpan(n * 784, 784);
            for (int s = 0; s < 3; s++)
            {
                var (x0, y0, x1, y1) = strokes[label, s];
                float J() => (float)(random.NextDouble() * 4 - 2);
                DrawLine(image, x0 + dx + J(), y0 + dy + J(), x1 + dx + J(), y1 + dy + J(), 1.0f + (float)random.NextDouble());
            }
            for (int speckle = 0; speckle < 25; speckle++)
            {
                int at = random.Next(784);
                image[at] = (byte)Math.Max(image[at], random.Next(60, 160));
            }
            labels[n] = (byte)(random.NextDouble() < 0.04 ? random.Next(10) : label);
        }
        return (pixels, labels);
    }

    private static void DrawLine(Span<byte> image, float x0, float y0, float x1, float y1, float halfWidth)
    {
        float vx = x1 - x0, vy = y1 - y0, lengthSquared = Math.Max(vx * vx + vy * vy, 1e-3f);
        int minX = Math.Max(0, (int)(Math.Min(x0, x1) - halfWidth - 1)), maxX = Math.Min(27, (int)(Math.Max(x0, x1) + halfWidth + 1));
        int minY = Math.Max(0, (int)(Math.Min(y0, y1) - halfWidth - 1)), maxY = Math.Min(27, (int)(Math.Max(y0, y1) + halfWidth + 1));
        for (int y = minY; y <= maxY; y++)
        {
            for (int x = minX; x <= maxX; x++)
            {
                float t = Math.Clamp(((x - x0) * vx + (y - y0) * vy) / lengthSquared, 0, 1);
                float ex = x - (x0 + t * vx), ey = y - (y0 + t * vy);
                float coverage = Math.Clamp(halfWidth + 0.5f - MathF.Sqrt(ex * ex + ey * ey), 0, 1);
                int value = (int)(coverage * 255);
                if (value > image[y * 28 + x]) image[y * 28 + x] = (byte)value;
            }
        }
    }

    private static void CheckImages(string imagePath, IdxFile.Contents images, string labelPath, IdxFile.Contents labels)
    {
        if (images.Shape.Length != 3 || images.Shape[1] != 28 || images.Shape[2] != 28)
            throw new DataFormatException(imagePath, $"holds images of shape {string.Join('×', images.Shape)}; MNIST images are N×28×28.");
        if (labels.Shape.Length != 1)
            throw new DataFormatException(labelPath, $"holds shape {string.Join('×', labels.Shape)}; labels are one-dimensional.");
        if (labels.Count != images.Count)
            throw new DataFormatException(labelPath, $"holds {labels.Count} labels for the {images.Count} images in {Path.GetFileName(imagePath)}.");
    }

    private static int[] Labels(string path, byte[] bytes, int classes)
    {
        var labels = new int[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] >= classes) throw new DataFormatException(path, $"label {i} is {bytes[i]}; expected 0–{classes - 1}.");
            labels[i] = bytes[i];
        }
        return labels;
    }

    private static string? FirstExisting(string folder, params string[] names) =>
        names.Select(n => Path.Combine(folder, n)).FirstOrDefault(File.Exists);

    /// <summary>The gzip name of IDX file <paramref name="index"/>.</summary>
    private static string Idx(int index) => Files[index] + ".gz";

    private static List<DownloadableFile> WithDebianVariants(List<DownloadableFile> files, params (string Name, long Size, string Sha256)[] debian) =>
        files.Select(f => f with
        {
            Variants = debian.Where(d => d.Name == f.Name).Select(d => new FileVariant(d.Sha256, d.Size, "Debian package dataset-fashion-mnist")).ToList(),
        }).ToList();

    private static List<DownloadableFile> IdxFiles(string[] baseUrls, params (string Name, long Size, string Sha256)[] files) =>
        files.Select(f => new DownloadableFile(f.Name, baseUrls.Select(b => new Uri(new Uri(b), f.Name)).ToList(), f.Sha256, f.Size)).ToList();
}
