using PerfTests.Harness.Data.Formats;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Data;

/// <summary>Images as their files hold them: bytes 0–255, channels first, one label per image.</summary>
public sealed record ImageSet(byte[] TrainPixels, int[] TrainLabels, byte[] TestPixels, int[] TestLabels, int ImageSize, int Classes);

/// <summary>Reviews as Keras's imdb.npz holds them: word ranks (1 = most frequent), labels 0/1.</summary>
public sealed record ReviewSet(int[][] Train, int[] TrainLabels, int[][] Test, int[] TestLabels);

/// <summary>Reads a located set with the reader its format needs, validating what the workloads rely on.</summary>
public static class RawDatasets
{
    public static ImageSet ReadMnist(LocatedDataset set)
    {
        var images = set.Files.Select(IdxFile.Read).ToArray();
        var (trainImages, trainLabels, testImages, testLabels) = (images[0], images[1], images[2], images[3]);
        CheckImages(set.Files[0], trainImages, set.Files[1], trainLabels);
        CheckImages(set.Files[2], testImages, set.Files[3], testLabels);
        return new ImageSet(trainImages.Data, Labels(set.Files[1], trainLabels.Data, 10), testImages.Data,
            Labels(set.Files[3], testLabels.Data, 10), 28 * 28, 10);
    }

    public static ImageSet ReadCifar10(LocatedDataset set)
    {
        var (train, test) = CifarBinary.Read(set.Path);
        return new ImageSet(train.Pixels, train.Labels.Select(l => (int)l).ToArray(), test.Pixels,
            test.Labels.Select(l => (int)l).ToArray(), CifarBinary.ImageBytes, 10);
    }

    public static ReviewSet ReadImdb(LocatedDataset set)
    {
        if (Directory.Exists(set.Path)) return AclImdbFolder.Read(set.Path);
        var arrays = NpzFile.Read(set.Path);
        NpzFile.NpyArray Array(string name) => arrays.TryGetValue(name, out var a) ? a
            : throw new DataFormatException(set.Path, $"has no '{name}' array (found: {string.Join(", ", arrays.Keys)}); expected Keras's imdb.npz with x_train, y_train, x_test, y_test.");
        var (xTrain, yTrain, xTest, yTest) = (Array("x_train"), Array("y_train"), Array("x_test"), Array("y_test"));
        if (xTrain.Lists is null || xTest.Lists is null) throw new DataFormatException(set.Path, "x_train and x_test must be object arrays of word-index lists.");
        if (yTrain.Integers is null || yTest.Integers is null) throw new DataFormatException(set.Path, "y_train and y_test must be integer arrays.");
        if (xTrain.Length != yTrain.Length) throw new DataFormatException(set.Path, $"x_train has {xTrain.Length} reviews but y_train {yTrain.Length} labels.");
        if (xTest.Length != yTest.Length) throw new DataFormatException(set.Path, $"x_test has {xTest.Length} reviews but y_test {yTest.Length} labels.");
        int[] BinaryLabels(long[] values, string name) => values.Select((v, i) => v is 0 or 1 ? (int)v
            : throw new DataFormatException(set.Path, $"{name}[{i}] = {v}; sentiment labels are 0 or 1.")).ToArray();
        return new ReviewSet(xTrain.Lists, BinaryLabels(yTrain.Integers, "y_train"), xTest.Lists, BinaryLabels(yTest.Integers, "y_test"));
    }

    /// <summary>The corpus lower-cased, as the Keras example reads it.</summary>
    public static string ReadText(LocatedDataset set)
    {
        string text;
        try
        {
            text = File.ReadAllText(set.Path, new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true));
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw new DataFormatException(set.Path, $"is not UTF-8 text ({e.Message}).", e);
        }
        // The character model takes one UTF-16 unit per character, as the Keras example took one Python character:
        // a character beyond U+FFFF would become two halves that mean nothing alone, so it is refused, not mangled.
        int surrogate = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (surrogate >= 0)
        {
            int line = text.AsSpan(0, surrogate).Count('\n') + 1;
            // Strict UTF-8 decoding never yields a lone surrogate, so this is the first half of a pair.
            throw new DataFormatException(set.Path, $"line {line} holds U+{char.ConvertToUtf32(text, surrogate):X}, outside the Basic Multilingual Plane; the character model reads characters up to U+FFFF only.");
        }
        return text.ToLowerInvariant();
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
}
