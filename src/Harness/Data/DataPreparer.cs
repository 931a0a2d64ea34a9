using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Data;

/// <summary>Turns a raw set into a workload's model input, as the Keras examples preprocess it.</summary>
public static class DataPreparer
{
    /// <summary>
    /// Profiles that train on part of a set take a fixed pseudo-random subset (seed 113, the seed Keras's imdb
    /// loader shuffles with), independent of the run's seed, so that every run of a profile sees the same samples.
    /// </summary>
    public const int SubsetSeed = 113;

    public const int ImdbStartChar = 1, ImdbOutOfVocabulary = 2, ImdbIndexFrom = 3;

    /// <summary>Pixels scaled to [0, 1] (x / 255), layout unchanged (channels first).</summary>
    public static (DataSplit Train, DataSplit Validation) Images(ImageSet set, InputSpec input, Schedule schedule)
    {
        if (input.SampleSize != set.ImageSize)
            throw new InvalidOperationException($"The workload expects {input} ({input.SampleSize} values per sample), the data set has {set.ImageSize}.");
        return (ImageSplit(set.TrainPixels, set.TrainLabels, set.ImageSize, schedule.TrainSamples),
                ImageSplit(set.TestPixels, set.TestLabels, set.ImageSize, schedule.ValidationSamples));
    }

    /// <summary>
    /// keras.datasets.imdb.load_data(num_words) then pad_sequences(maxlen): each review becomes
    /// [1] + [rank + 3 …], ranks at or past num_words become 2, then it is cut to its last maxlen words
    /// or padded with zeros at the front.
    /// </summary>
    public static (DataSplit Train, DataSplit Validation) Reviews(ReviewSet set, DataPreparation preparation, Schedule schedule)
    {
        if (preparation.NgramRange != 1)
            throw new NotSupportedException($"fastText n-grams (ngram_range={preparation.NgramRange}) are not implemented; the seed used ngram_range=1.");
        return (ReviewSplit(set.Train, set.TrainLabels, preparation, schedule.TrainSamples),
                ReviewSplit(set.Test, set.TestLabels, preparation, schedule.ValidationSamples));
    }

    /// <summary>
    /// The char-LSTM example: windows of maxlen characters every step characters, each labelled with the next
    /// character. The last <see cref="DataPreparation.HeldOutFraction"/> of the corpus is held out for validation.
    /// </summary>
    public static (DataSplit Train, DataSplit Validation, string Alphabet) Text(string corpus, string source, DataPreparation preparation, Schedule schedule)
    {
        int window = preparation.SequenceLength, step = preparation.WindowStep;
        var alphabet = new string(corpus.Distinct().Order().ToArray());
        int boundary = (int)(corpus.Length * (1 - preparation.HeldOutFraction));
        var trainStarts = new List<int>();
        var validationStarts = new List<int>();
        for (int i = 0; i + window < corpus.Length; i += step)
        {
            if (i + window < boundary) trainStarts.Add(i);
            else if (i >= boundary) validationStarts.Add(i);
        }
        if (trainStarts.Count == 0)
            throw new DataFormatException(source, $"holds {corpus.Length} characters: too short for {window}-character windows.");
        var index = alphabet.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        DataSplit Split(List<int> starts, int? wanted)
        {
            var picked = Pick(starts.Count, wanted);
            var tokens = new int[picked.Length * window];
            var labels = new int[picked.Length];
            for (int s = 0; s < picked.Length; s++)
            {
                int start = starts[picked[s]];
                for (int t = 0; t < window; t++) tokens[s * window + t] = index[corpus[start + t]];
                labels[s] = index[corpus[start + window]];
            }
            return new DataSplit(picked.Length, window, null, tokens, labels);
        }
        return (Split(trainStarts, schedule.TrainSamples), Split(validationStarts, schedule.ValidationSamples), alphabet);
    }

    /// <summary>Indices of the samples a profile uses: all in order, or a fixed pseudo-random subset.</summary>
    public static int[] Pick(int available, int? wanted)
    {
        if (wanted is null || wanted >= available) return Enumerable.Range(0, available).ToArray();
        var order = Enumerable.Range(0, available).ToArray();
        new Random(SubsetSeed).Shuffle(order);
        return order[..wanted.Value];
    }

    private static DataSplit ImageSplit(byte[] pixels, int[] labels, int size, int? wanted)
    {
        var picked = Pick(labels.Length, wanted);
        var features = new float[(long)picked.Length * size];
        var chosenLabels = new int[picked.Length];
        for (int s = 0; s < picked.Length; s++)
        {
            var source = pixels.AsSpan(picked[s] * size, size);
            var target = features.AsSpan(s * size, size);
            for (int i = 0; i < size; i++) target[i] = source[i] / 255f;
            chosenLabels[s] = labels[picked[s]];
        }
        return new DataSplit(picked.Length, size, features, null, chosenLabels);
    }

    private static DataSplit ReviewSplit(int[][] reviews, int[] labels, DataPreparation preparation, int? wanted)
    {
        int length = preparation.SequenceLength, numWords = preparation.NumWords;
        var picked = Pick(reviews.Length, wanted);
        var tokens = new int[picked.Length * length];
        var chosenLabels = new int[picked.Length];
        var encoded = new List<int>();
        for (int s = 0; s < picked.Length; s++)
        {
            encoded.Clear();
            encoded.Add(ImdbStartChar);
            foreach (var rank in reviews[picked[s]])
            {
                int w = rank + ImdbIndexFrom;
                encoded.Add(numWords > 0 && w >= numWords ? ImdbOutOfVocabulary : w);
            }
            int take = Math.Min(length, encoded.Count);
            var row = tokens.AsSpan(s * length, length);
            for (int i = 0; i < take; i++) row[length - take + i] = encoded[encoded.Count - take + i];
            chosenLabels[s] = labels[picked[s]];
        }
        return new DataSplit(picked.Length, length, null, tokens, chosenLabels);
    }
}
