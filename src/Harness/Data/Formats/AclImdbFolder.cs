using System.Text.RegularExpressions;

namespace PerfTests.Harness.Data.Formats;

/// <summary>
/// The Stanford aclImdb folder (train|test / pos|neg / *.txt), turned into what Keras's imdb.npz holds:
/// each review as word ranks (1 = most frequent word in the training reviews), label 1 for positive.
/// Tokenisation: lower case, "&lt;br /&gt;" removed, runs of letters, digits and apostrophes.
/// </summary>
public static partial class AclImdbFolder
{
    public static ReviewSet Read(string folder)
    {
        var (trainTexts, trainLabels) = ReadSplit(folder, "train");
        var (testTexts, testLabels) = ReadSplit(folder, "test");
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var review in trainTexts)
            foreach (var word in review) counts[word] = counts.GetValueOrDefault(word) + 1;
        var rank = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select((kv, i) => (kv.Key, Rank: i + 1)).ToDictionary(p => p.Key, p => p.Rank, StringComparer.Ordinal);
        // A word never seen in training gets a rank past the vocabulary, so num_words maps it to the out-of-vocabulary index.
        int unseen = rank.Count + 1;
        int[][] Encode(List<string[]> texts) => texts.Select(t => t.Select(w => rank.GetValueOrDefault(w, unseen)).ToArray()).ToArray();
        return new ReviewSet(Encode(trainTexts), trainLabels.ToArray(), Encode(testTexts), testLabels.ToArray());
    }

    public static string[] Tokenize(string text) =>
        Word().Matches(text.Replace("<br />", " ", StringComparison.OrdinalIgnoreCase).ToLowerInvariant()).Select(m => m.Value).ToArray();

    private static (List<string[]> Texts, List<int> Labels) ReadSplit(string folder, string split)
    {
        var texts = new List<string[]>();
        var labels = new List<int>();
        foreach (var (sentiment, label) in new[] { ("neg", 0), ("pos", 1) })
        {
            var dir = Path.Combine(folder, split, sentiment);
            if (!Directory.Exists(dir))
                throw new DataFormatException(folder, $"not an aclImdb folder: {Path.Combine(split, sentiment)}/ is missing.");
            foreach (var file in Directory.EnumerateFiles(dir, "*.txt").Order(StringComparer.Ordinal))
            {
                texts.Add(Tokenize(File.ReadAllText(file)));
                labels.Add(label);
            }
        }
        if (texts.Count == 0) throw new DataFormatException(folder, $"{split}/pos and {split}/neg hold no .txt reviews.");
        return (texts, labels);
    }

    [GeneratedRegex("[a-z0-9']+")]
    private static partial Regex Word();
}
