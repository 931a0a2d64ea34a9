using System.Text;
using System.Text.Json;
using PerfTests.Harness.Data.Formats;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Data;

/// <summary>
/// Learnable stand-ins for the real sets, written in the real sets' file formats (and then read back by the real
/// readers), for tests and for machines without the real data. Each has a little label noise or ambiguity, so
/// accuracy stays below 1 and a regression can show. Output depends only on the sizes and
/// <see cref="GeneratorVersion"/>, never on the run's seed: the same profile always trains on the same data.
/// </summary>
public static class SyntheticDatasets
{
    /// <summary>Bump when any generator's output changes, so cached files are regenerated.</summary>
    public const int GeneratorVersion = 2;
    private const int GeneratorSeed = 2017;

    /// <summary>"generated-imdb-v2": the version is part of the name, so a baseline measured on an older generator's data is not comparable.</summary>
    public static string GeneratedName(DatasetId dataset) => $"generated-{DataLocator.SetName(dataset)}-v{GeneratorVersion}";

    /// <summary>
    /// The generated set of the given size, written on first use to
    /// &lt;cache&gt;/generated/&lt;set&gt;-v&lt;version&gt;-&lt;train&gt;x&lt;test&gt;/ (atomically: concurrent runs may race).
    /// For the text corpus, <paramref name="train"/> is its length in characters and <paramref name="test"/> is 0.
    /// </summary>
    public static LocatedDataset Ensure(DatasetId dataset, int train, int test, string cacheDirectory)
    {
        var name = DataLocator.SetName(dataset);
        var folder = Path.Combine(cacheDirectory, "generated", $"{name}-v{GeneratorVersion}-{train}x{test}");
        var found = DataLocator.Probe(dataset, GeneratedName(dataset), folder);
        if (found is not null) return found;

        var staging = folder + $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        Directory.CreateDirectory(staging);
        try
        {
            Write(dataset, staging, train, test);
            try
            {
                Directory.Move(staging, folder);
            }
            catch (IOException) when (Directory.Exists(folder))
            {
                // Another process generated the same set first; its files are identical.
            }
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        return DataLocator.Probe(dataset, GeneratedName(dataset), folder)
            ?? throw new IOException($"Generated data set in {folder} is incomplete; delete the folder and run again.");
    }

    public static void Write(DatasetId dataset, string folder, int train, int test)
    {
        switch (dataset)
        {
            case DatasetId.Mnist:
                var (trainDigits, trainLabels) = Strokes(train, GeneratorSeed);
                var (testDigits, testLabels) = Strokes(test, GeneratorSeed + 1);
                IdxFile.Write(Path.Combine(folder, DataLocator.MnistFiles[0] + ".gz"), [train, 28, 28], trainDigits);
                IdxFile.Write(Path.Combine(folder, DataLocator.MnistFiles[1] + ".gz"), [train], trainLabels);
                IdxFile.Write(Path.Combine(folder, DataLocator.MnistFiles[2] + ".gz"), [test, 28, 28], testDigits);
                IdxFile.Write(Path.Combine(folder, DataLocator.MnistFiles[3] + ".gz"), [test], testLabels);
                break;
            case DatasetId.Cifar10:
                var (trainImages, trainClasses) = Shapes(train, GeneratorSeed);
                var (testImages, testClasses) = Shapes(test, GeneratorSeed + 1);
                CifarBinary.WriteArchive(Path.Combine(folder, CifarBinary.ArchiveName),
                    new CifarBinary.Split(trainImages, trainClasses), new CifarBinary.Split(testImages, testClasses));
                break;
            case DatasetId.Imdb:
                var vocabulary = new ReviewVocabulary(GeneratorSeed);
                var (trainReviews, trainSentiment) = vocabulary.Reviews(train, GeneratorSeed);
                var (testReviews, testSentiment) = vocabulary.Reviews(test, GeneratorSeed + 1);
                NpzFile.Write(Path.Combine(folder, DataLocator.ImdbArchive),
                    new Dictionary<string, long[]> { ["y_train"] = trainSentiment, ["y_test"] = testSentiment },
                    new Dictionary<string, int[][]> { ["x_train"] = trainReviews, ["x_test"] = testReviews });
                File.WriteAllText(Path.Combine(folder, DataLocator.ImdbWordIndex), JsonSerializer.Serialize(vocabulary.WordIndex()));
                break;
            case DatasetId.Nietzsche:
                File.WriteAllText(Path.Combine(folder, DataLocator.TextFile), Prose(train, GeneratorSeed));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dataset));
        }
    }

    /// <summary>
    /// MNIST-like: each class is three strokes; a sample redraws them with jittered end points, thickness
    /// and position, on a speckled background. 4% of labels are replaced by a random class.
    /// </summary>
    internal static (byte[] Pixels, byte[] Labels) Strokes(int count, int seed)
    {
        var prototypes = new Random(GeneratorSeed);
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

    /// <summary>
    /// IMDb-like reviews: words drawn from a Zipf law over 30,000 ranks, with 6% of positions taken by one of 40
    /// "positive" or 40 "negative" words, matching the review's sentiment seven times in ten. Lengths are
    /// log-normal around 180 words, as IMDb's are; short reviews are ambiguous, so accuracy stays well below 1.
    /// </summary>
    private sealed class ReviewVocabulary
    {
        private const int Words = 30_000;
        private readonly double[] _cumulative = new double[Words];
        private readonly int[] _positive, _negative;

        public ReviewVocabulary(int seed)
        {
            double sum = 0;
            for (int r = 0; r < Words; r++) _cumulative[r] = sum += 1.0 / (r + 1);
            for (int r = 0; r < Words; r++) _cumulative[r] /= sum;
            var candidates = Enumerable.Range(100, 4900).ToArray();
            new Random(seed).Shuffle(candidates);
            _positive = candidates[..40];
            _negative = candidates[40..80];
        }

        public (int[][] Reviews, long[] Labels) Reviews(int count, int seed)
        {
            var random = new Random(seed);
            var reviews = new int[count][];
            var labels = new long[count];
            for (int n = 0; n < count; n++)
            {
                int label = random.Next(2);
                double normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                int length = Math.Clamp((int)Math.Exp(Math.Log(180) + 0.6 * normal), 10, 1000);
                var review = new int[length];
                for (int i = 0; i < length; i++)
                {
                    if (random.NextDouble() < 0.06)
                    {
                        var pool = (random.NextDouble() < 0.7) == (label == 1) ? _positive : _negative;
                        review[i] = pool[random.Next(pool.Length)];
                    }
                    else
                    {
                        int index = Array.BinarySearch(_cumulative, random.NextDouble());
                        review[i] = (index < 0 ? ~index : index) + 1;
                    }
                }
                reviews[n] = review;
                labels[n] = label;
            }
            return (reviews, labels);
        }

        /// <summary>Keras's imdb_word_index.json: word → rank; here pronounceable made-up words.</summary>
        public Dictionary<string, int> WordIndex()
        {
            string[] syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "do", "gi", "hu", "be", "fy", "qo", "we", "xi", "ja", "ce"];
            var index = new Dictionary<string, int>(Words);
            for (int rank = 1; rank <= Words; rank++)
            {
                var word = new StringBuilder();
                for (int v = rank; v > 0; v /= syllables.Length) word.Append(syllables[v % syllables.Length]);
                index[word.ToString()] = rank;
            }
            return index;
        }
    }

    /// <summary>Prose from a small grammar: a char-LSTM learns its spelling and rhythm, and its loss falls well below log(alphabet).</summary>
    internal static string Prose(int characters, int seed)
    {
        string[] subjects = ["the philosopher", "every free spirit", "the will to power", "a great man", "the herd", "morality", "the artist", "truth", "the ascetic priest", "our age"];
        string[] verbs = ["despises", "creates", "demands", "conceals", "overcomes", "loves", "fears", "seduces", "questions", "forgets"];
        string[] objects = ["its own values", "the old tables", "every certainty", "the eternal return", "pity", "the depths", "a new dawn", "the masks of virtue", "all that is weak", "its shadow"];
        string[] clauses = ["and yet", "because", "although", "so that", "perhaps"];
        string[] endings = [".", ".", ".", "!", "?", ";"];
        var random = new Random(seed);
        var text = new StringBuilder(characters + 200);
        int line = 0;
        while (text.Length < characters)
        {
            var sentence = new StringBuilder();
            sentence.Append(subjects[random.Next(subjects.Length)]).Append(' ').Append(verbs[random.Next(verbs.Length)]).Append(' ').Append(objects[random.Next(objects.Length)]);
            if (random.NextDouble() < 0.4)
                sentence.Append(", ").Append(clauses[random.Next(clauses.Length)]).Append(' ').Append(subjects[random.Next(subjects.Length)])
                    .Append(' ').Append(verbs[random.Next(verbs.Length)]).Append(' ').Append(objects[random.Next(objects.Length)]);
            sentence.Append(endings[random.Next(endings.Length)]);
            sentence[0] = char.ToUpperInvariant(sentence[0]);
            foreach (var word in sentence.ToString().Split(' '))
            {
                if (line + word.Length > 70) { text.Append('\n'); line = 0; }
                else if (line > 0) { text.Append(' '); line++; }
                text.Append(word);
                line += word.Length;
            }
        }
        return text.ToString(0, characters);
    }
}
