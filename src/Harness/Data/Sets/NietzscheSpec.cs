using System.Text;
using PerfTests.Harness.Data.Acquisition;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Data.Sets;

/// <summary>The Nietzsche corpus of Keras's character-level text-generation example: one UTF-8 text file.</summary>
public sealed class NietzscheSpec : DatasetSpec<string>
{
    public const string TextFile = "nietzsche.txt";

    public override DatasetId Id => DatasetId.Nietzsche;

    /// <summary>Characters of the corpus; it has no test split (the workload holds out its tail).</summary>
    public override (int Train, int Test) RealSize => (600_893, 0);

    public override string FilesToPlace => TextFile;

    /// <summary>No published checksum was found for nietzsche.txt.</summary>
    public override IReadOnlyList<DownloadableDataset> Downloads { get; } =
    [
        new DownloadableDataset("nietzsche", "Nietzsche corpus (Keras text-generation example)",
        [
            new(TextFile, [new Uri("https://s3.amazonaws.com/text-datasets/" + TextFile)], Sha256: null, Size: null),
        ]),
    ];

    public override LocatedDataset? Probe(string name, string folder)
    {
        var text = Path.Combine(folder, TextFile);
        return File.Exists(text) ? Located(name, text, [text]) : null;
    }

    /// <summary>
    /// The corpus's length in characters: all of it where the schedule uses all, else enough that the training part
    /// holds TrainSamples windows and the held-out tail ValidationSamples.
    /// </summary>
    public override (int Train, int Test) GeneratedSize(Schedule schedule, DataPreparation preparation)
    {
        if (schedule.TrainSamples is null) return RealSize;
        double windows = Math.Max(schedule.TrainSamples.Value / (1 - preparation.HeldOutFraction),
            (schedule.ValidationSamples ?? 0) / preparation.HeldOutFraction);
        return ((int)(windows * preparation.WindowStep) + 4 * preparation.SequenceLength, 0);
    }

    /// <summary>The corpus lower-cased, as the Keras example reads it.</summary>
    public override string Read(LocatedDataset located)
    {
        string text;
        try
        {
            text = File.ReadAllText(located.Path, new UTF8Encoding(false, throwOnInvalidBytes: true));
        }
        catch (DecoderFallbackException e)
        {
            throw new DataFormatException(located.Path, $"is not UTF-8 text ({e.Message}).", e);
        }
        // The character model takes one UTF-16 unit per character, as the Keras example took one Python character:
        // a character beyond U+FFFF would become two halves that mean nothing alone, so it is refused, not mangled.
        int surrogate = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (surrogate >= 0)
        {
            int line = text.AsSpan(0, surrogate).Count('\n') + 1;
            // Strict UTF-8 decoding never yields a lone surrogate, so this is the first half of a pair.
            throw new DataFormatException(located.Path, $"line {line} holds U+{char.ConvertToUtf32(text, surrogate):X}, outside the Basic Multilingual Plane; the character model reads characters up to U+FFFF only.");
        }
        return text.ToLowerInvariant();
    }

    public override WorkloadData Prepare(string raw, LocatedDataset located, WorkloadSpec workload, Schedule schedule, DataProvenance provenance)
    {
        var (train, validation, alphabet) = DataPreparer.Text(raw, located.Path, workload.Preparation, schedule);
        return new WorkloadData(train, validation, alphabet.Length, alphabet.Length, provenance, alphabet);
    }

    public override void WriteGenerated(string folder, int train, int test) =>
        File.WriteAllText(Path.Combine(folder, TextFile), Prose(train, SyntheticDatasets.GeneratorSeed));

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
