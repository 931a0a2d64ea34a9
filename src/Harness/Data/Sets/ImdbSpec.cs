using System.Text;
using System.Text.Json;
using PerfTests.Harness.Data.Acquisition;
using PerfTests.Harness.Data.Formats;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Data.Sets;

/// <summary>IMDb reviews as Keras's word indices (imdb.npz), or Stanford's raw aclImdb/ folder.</summary>
public sealed class ImdbSpec : DatasetSpec<ReviewSet>
{
    public const string Archive = "imdb.npz";
    public const string WordIndex = "imdb_word_index.json";
    public const string RawFolder = "aclImdb";

    public override DatasetId Id => DatasetId.Imdb;

    public override (int Train, int Test) RealSize => (25_000, 25_000);

    public override string FilesToPlace => $"{Archive} (Keras's; or the extracted {RawFolder}/ folder)";

    /// <summary>
    /// imdb.npz's size and SHA-256 from Keras's get_file call (imdb_word_index.json has only an MD5 there); the raw
    /// archive's from tensorflow_datasets' url_checksums (imdb_reviews).
    /// </summary>
    public override IReadOnlyList<DownloadableDataset> Downloads { get; } =
    [
        new DownloadableDataset("imdb", "IMDb reviews as Keras word indices",
        [
            new(Archive, [new Uri(DownloadSources.KerasDatasets + Archive)],
                "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f", 17_464_789),
            new(WordIndex, [new Uri(DownloadSources.KerasDatasets + WordIndex)],
                Sha256: null, Size: 1_641_221, Md5: "bfafd718b763782e994055a2d397834f"),
            new("aclImdb_v1.tar.gz", [new Uri("https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz")],
                "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe", 84_125_825, Optional: true),
        ]),
    ];

    public override LocatedDataset? Probe(string name, string folder)
    {
        var npz = Path.Combine(folder, Archive);
        if (File.Exists(npz)) return Located(name, npz, [npz]);
        var acl = Path.Combine(folder, RawFolder);
        if (Directory.Exists(Path.Combine(acl, "train", "pos")))
            return Located(name, acl, [acl]);
        return null;
    }

    public override ReviewSet Read(LocatedDataset located)
    {
        if (Directory.Exists(located.Path)) return AclImdbFolder.Read(located.Path);
        var arrays = NpzFile.Read(located.Path);
        NpzFile.NpyArray Array(string name) => arrays.TryGetValue(name, out var a) ? a
            : throw new DataFormatException(located.Path, $"has no '{name}' array (found: {string.Join(", ", arrays.Keys)}); expected Keras's imdb.npz with x_train, y_train, x_test, y_test.");
        var (xTrain, yTrain, xTest, yTest) = (Array("x_train"), Array("y_train"), Array("x_test"), Array("y_test"));
        if (xTrain.Lists is null || xTest.Lists is null) throw new DataFormatException(located.Path, "x_train and x_test must be object arrays of word-index lists.");
        if (yTrain.Integers is null || yTest.Integers is null) throw new DataFormatException(located.Path, "y_train and y_test must be integer arrays.");
        if (xTrain.Length != yTrain.Length) throw new DataFormatException(located.Path, $"x_train has {xTrain.Length} reviews but y_train {yTrain.Length} labels.");
        if (xTest.Length != yTest.Length) throw new DataFormatException(located.Path, $"x_test has {xTest.Length} reviews but y_test {yTest.Length} labels.");
        int[] BinaryLabels(long[] values, string name) => values.Select((v, i) => v is 0 or 1 ? (int)v
            : throw new DataFormatException(located.Path, $"{name}[{i}] = {v}; sentiment labels are 0 or 1.")).ToArray();
        return new ReviewSet(xTrain.Lists, BinaryLabels(yTrain.Integers, "y_train"), xTest.Lists, BinaryLabels(yTest.Integers, "y_test"));
    }

    public override WorkloadData Prepare(ReviewSet raw, LocatedDataset located, WorkloadSpec workload, Schedule schedule, DataProvenance provenance)
    {
        var (train, validation) = DataPreparer.Reviews(raw, workload.Preparation, schedule);
        return new WorkloadData(train, validation, 2, 0, provenance);
    }

    public override void WriteGenerated(string folder, int train, int test)
    {
        var vocabulary = new ReviewVocabulary(SyntheticDatasets.GeneratorSeed);
        var (trainReviews, trainSentiment) = vocabulary.Reviews(train, SyntheticDatasets.GeneratorSeed);
        var (testReviews, testSentiment) = vocabulary.Reviews(test, SyntheticDatasets.GeneratorSeed + 1);
        NpzFile.Write(Path.Combine(folder, Archive),
            new Dictionary<string, long[]> { ["y_train"] = trainSentiment, ["y_test"] = testSentiment },
            new Dictionary<string, int[][]> { ["x_train"] = trainReviews, ["x_test"] = testReviews });
        File.WriteAllText(Path.Combine(folder, WordIndex), JsonSerializer.Serialize(vocabulary.WordIndex()));
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
}
