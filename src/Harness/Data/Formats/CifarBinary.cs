using System.Formats.Tar;
using System.IO.Compression;

namespace PerfTests.Harness.Data.Formats;

/// <summary>
/// CIFAR-10's binary version: records of 1 label byte + 3072 pixel bytes (1024 red, 1024 green, 1024 blue,
/// row-major: already channels-first), in data_batch_1..5.bin and test_batch.bin under cifar-10-batches-bin/,
/// either extracted or inside cifar-10-binary.tar.gz.
/// </summary>
public static class CifarBinary
{
    public const int ImageBytes = 3 * 32 * 32;
    public const int RecordBytes = ImageBytes + 1;
    public const string ArchiveName = "cifar-10-binary.tar.gz";
    public const string FolderName = "cifar-10-batches-bin";
    public static readonly string[] TrainBatches = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];
    public const string TestBatch = "test_batch.bin";

    /// <summary>Records in one batch file of the real set; a batch may hold fewer (generated sets), never more.</summary>
    public const int MaximumRecordsPerBatch = 10_000;

    /// <summary>Largest batch file accepted, checked before anything is read or allocated.</summary>
    public const long MaximumBatchBytes = (long)MaximumRecordsPerBatch * RecordBytes;

    /// <summary>Every batch file of the binary version: the five training batches, then the test batch.</summary>
    public static IEnumerable<string> AllBatches => TrainBatches.Append(TestBatch);

    public sealed record Split(byte[] Pixels, byte[] Labels)
    {
        public int Count => Labels.Length;
    }

    /// <summary>Reads train and test splits from the archive or the extracted folder at <paramref name="path"/>.</summary>
    public static (Split Train, Split Test) Read(string path)
    {
        var batches = Directory.Exists(path) ? ReadFolder(path) : ReadArchive(path);
        var missing = AllBatches.Where(b => !batches.ContainsKey(b)).ToList();
        if (missing.Count > 0)
            throw new DataFormatException(path, $"missing CIFAR-10 batch file(s): {string.Join(", ", missing)}.");
        var train = Concat(TrainBatches.Select(b => batches[b]));
        return (train, batches[TestBatch]);
    }

    public static Split ParseBatch(string name, byte[] bytes)
    {
        if (bytes.Length == 0 || bytes.Length % RecordBytes != 0)
            throw new DataFormatException(name, $"{bytes.Length} bytes is not a whole number of {RecordBytes}-byte CIFAR-10 records (truncated or not a CIFAR-10 batch).");
        int count = bytes.Length / RecordBytes;
        var pixels = new byte[(long)count * ImageBytes];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = bytes[i * RecordBytes];
            if (labels[i] > 9) throw new DataFormatException(name, $"record {i} has label {labels[i]}; CIFAR-10 labels are 0–9.");
            Buffer.BlockCopy(bytes, i * RecordBytes + 1, pixels, i * ImageBytes, ImageBytes);
        }
        return new Split(pixels, labels);
    }

    /// <summary>Writes an archive in the canonical layout, spreading <paramref name="train"/> over the five training batches.</summary>
    public static void WriteArchive(string path, Split train, Split test)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Ustar);
        if (train.Count < TrainBatches.Length) throw new ArgumentException($"CIFAR-10 has {TrainBatches.Length} training batches; {train.Count} images cannot fill them.", nameof(train));
        for (int b = 0; b < TrainBatches.Length; b++)
        {
            int start = b * train.Count / TrainBatches.Length, end = (b + 1) * train.Count / TrainBatches.Length;
            AddEntry(tar, TrainBatches[b], Records(train, start, end));
        }
        AddEntry(tar, TestBatch, Records(test, 0, test.Count));
    }

    private static byte[] Records(Split split, int start, int end)
    {
        var bytes = new byte[(end - start) * RecordBytes];
        for (int i = start; i < end; i++)
        {
            bytes[(i - start) * RecordBytes] = split.Labels[i];
            Buffer.BlockCopy(split.Pixels, i * ImageBytes, bytes, (i - start) * RecordBytes + 1, ImageBytes);
        }
        return bytes;
    }

    private static void AddEntry(TarWriter tar, string name, byte[] bytes)
    {
        // Ustar with a fixed time, so that the same records always give the same archive (PAX headers carry the writing
        // process's id in their names).
        var entry = new UstarTarEntry(TarEntryType.RegularFile, $"{FolderName}/{name}")
        {
            DataStream = new MemoryStream(bytes),
            ModificationTime = DateTimeOffset.UnixEpoch,
        };
        tar.WriteEntry(entry);
    }

    private static Dictionary<string, Split> ReadFolder(string folder)
    {
        var inner = Path.Combine(folder, FolderName);
        var root = Directory.Exists(inner) ? inner : folder;
        var result = new Dictionary<string, Split>();
        foreach (var name in AllBatches)
        {
            var file = Path.Combine(root, name);
            if (!File.Exists(file)) continue;
            CheckBatchSize(file, new FileInfo(file).Length);
            result[name] = ParseBatch(file, File.ReadAllBytes(file));
        }
        return result;
    }

    private static Dictionary<string, Split> ReadArchive(string archive)
    {
        var result = new Dictionary<string, Split>();
        try
        {
            using var file = File.OpenRead(archive);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                var name = Path.GetFileName(entry.Name);
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
                if (!AllBatches.Contains(name)) continue;
                var where = $"{archive}!{entry.Name}";
                CheckBatchSize(where, entry.Length);
                var bytes = new byte[entry.Length];
                int read = entry.DataStream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
                if (read < bytes.Length) throw new DataFormatException(where, $"truncated: the archive declares {entry.Length} bytes, holds {read}.");
                result[name] = ParseBatch(where, bytes);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or OverflowException or ArgumentException or NotSupportedException
                                      or (IOException and not DataFormatException))
        {
            // TarReader reports a malformed header in several ways (bad checksum, a size field that is not octal, a PAX
            // record out of range); each means the same here.
            throw new DataFormatException(archive, $"corrupt or truncated archive ({e.GetType().Name}: {e.Message}).", e);
        }
        return result;
    }

    private static void CheckBatchSize(string where, long bytes)
    {
        if (bytes > MaximumBatchBytes || bytes % RecordBytes != 0)
            throw new DataFormatException(where, $"{bytes} bytes is not a CIFAR-10 batch (a whole number of {RecordBytes}-byte records, at most {MaximumRecordsPerBatch} of them).");
    }

    private static Split Concat(IEnumerable<Split> splits)
    {
        var list = splits.ToList();
        var pixels = new byte[list.Sum(s => (long)s.Pixels.Length)];
        var labels = new byte[list.Sum(s => s.Labels.Length)];
        long pixelOffset = 0;
        int labelOffset = 0;
        foreach (var split in list)
        {
            Array.Copy(split.Pixels, 0, pixels, pixelOffset, split.Pixels.Length);
            Array.Copy(split.Labels, 0, labels, labelOffset, split.Labels.Length);
            pixelOffset += split.Pixels.Length;
            labelOffset += split.Labels.Length;
        }
        return new Split(pixels, labels);
    }
}
