using System.IO.Compression;
using PerfTests.Harness.Data;
using PerfTests.Harness.Data.Formats;
using PerfTests.Harness.Data.Sets;
using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Data;

[Trait("Category", "Unit")]
public sealed class ReaderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("images-idx3-ubyte")]
    [InlineData("images-idx3-ubyte.gz")]
    public void Idx_round_trips_raw_and_gzip(string name)
    {
        var data = Enumerable.Range(0, 2 * 28 * 28).Select(i => (byte)(i % 251)).ToArray();
        var path = _temp.File(name);
        IdxFile.Write(path, [2, 28, 28], data);

        var contents = IdxFile.Read(path);

        contents.Shape.Should().Equal(2, 28, 28);
        contents.Data.Should().Equal(data);
        if (name.EndsWith(".gz")) File.ReadAllBytes(path)[..2].Should().Equal((byte)0x1f, (byte)0x8b);
    }

    [Fact]
    public void Truncated_gzip_idx_names_the_file()
    {
        var path = _temp.File("train-images-idx3-ubyte.gz");
        IdxFile.Write(path, [50, 28, 28], new byte[50 * 784]);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var act = () => IdxFile.Read(path);

        act.Should().Throw<DataFormatException>().Where(e => e.Message.Contains(path) && e.Message.Contains("truncated"));
    }

    [Fact]
    public void Idx_with_fewer_bytes_than_its_header_declares_is_rejected()
    {
        var path = _temp.File("labels-idx1-ubyte");
        IdxFile.Write(path, [10], new byte[10]);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^3]);

        var act = () => IdxFile.Read(path);

        act.Should().Throw<DataFormatException>().WithMessage($"{path}: truncated: the header declares 10 = 10 bytes of data, the file holds 7.");
    }

    [Fact]
    public void A_file_that_is_not_idx_is_rejected()
    {
        var path = _temp.File("t10k-images-idx3-ubyte");
        File.WriteAllText(path, "<html>404 Not Found</html>");

        var act = () => IdxFile.Read(path);

        act.Should().Throw<DataFormatException>().Where(e => e.Message.Contains(path) && e.Message.Contains("not an IDX file"));
    }

    [Fact]
    public void Cifar_archive_round_trips_with_train_spread_over_five_batches()
    {
        var (pixels, labels) = Cifar10Spec.Shapes(12, seed: 1);
        var (testPixels, testLabels) = Cifar10Spec.Shapes(3, seed: 2);
        var path = _temp.File(CifarBinary.ArchiveName);
        CifarBinary.WriteArchive(path, new CifarBinary.Split(pixels, labels), new CifarBinary.Split(testPixels, testLabels));

        var (train, test) = CifarBinary.Read(path);

        train.Pixels.Should().Equal(pixels);
        train.Labels.Should().Equal(labels);
        test.Pixels.Should().Equal(testPixels);
        test.Labels.Should().Equal(testLabels);
    }

    [Fact]
    public void Cifar_extracted_folder_is_read_and_a_truncated_batch_named()
    {
        var folder = _temp.Folder(CifarBinary.FolderName);
        var record = new byte[CifarBinary.RecordBytes];
        record[0] = 7;
        record[1] = 200;
        foreach (var batch in CifarBinary.TrainBatches.Append(CifarBinary.TestBatch))
            File.WriteAllBytes(Path.Combine(folder, batch), [.. record, .. record]);

        var (train, test) = CifarBinary.Read(_temp.Path);
        train.Count.Should().Be(10);
        test.Labels.Should().Equal(7, 7);
        train.Pixels[0].Should().Be(200);

        var broken = Path.Combine(folder, "data_batch_3.bin");
        File.WriteAllBytes(broken, record[..1000]);
        var act = () => CifarBinary.Read(_temp.Path);
        act.Should().Throw<DataFormatException>().Where(e => e.Message.Contains(broken) && e.Message.Contains("3073-byte"));
    }

    [Fact]
    public void Npz_written_by_numpy_is_read_including_pickled_object_arrays()
    {
        var arrays = NpzFile.Read(Path.Combine(AppContext.BaseDirectory, "Data", "Fixtures", "keras-style-imdb.npz"));

        arrays["x_train"].Lists![0].Should().Equal(14, 22, 16, 43);
        arrays["x_train"].Lists![1].Should().Equal(1, 5, 19999, 20000, 70000);
        arrays["x_train"].Lists![2].Should().Equal(Enumerable.Range(1, 1499));
        arrays["x_test"].Lists![0].Should().Equal(9);
        arrays["x_test"].Lists![1].Should().BeEmpty();
        arrays["y_train"].Integers.Should().Equal(1, 0, 1);
        arrays["y_test"].Integers.Should().Equal(0, 1);
    }

    [Fact]
    public void Npz_writer_output_reads_back()
    {
        var path = _temp.File("imdb.npz");
        int[][] reviews = [[1, 2, 3], [], [65_000, 300, 7], Enumerable.Range(1, 2500).ToArray()];
        NpzFile.Write(path, new Dictionary<string, long[]> { ["y_train"] = [1, 0, 1, 1] }, new Dictionary<string, int[][]> { ["x_train"] = reviews });

        var arrays = NpzFile.Read(path);

        arrays["x_train"].Lists.Should().BeEquivalentTo(reviews, o => o.WithStrictOrdering());
        arrays["y_train"].Integers.Should().Equal(1, 0, 1, 1);
    }

    [Fact]
    public void Written_archives_carry_fixed_times_so_the_same_data_always_gives_the_same_bytes()
    {
        var npz = _temp.File("imdb.npz");
        NpzFile.Write(npz, new Dictionary<string, long[]> { ["y_train"] = [1, 0] }, new Dictionary<string, int[][]> { ["x_train"] = [[4, 5], [6]] });
        var (pixels, labels) = Cifar10Spec.Shapes(5, seed: 1);
        var cifar = _temp.File(CifarBinary.ArchiveName);
        CifarBinary.WriteArchive(cifar, new CifarBinary.Split(pixels, labels), new CifarBinary.Split(pixels, labels));

        using (var zip = ZipFile.OpenRead(npz))
            zip.Entries.Should().OnlyContain(e => e.LastWriteTime.DateTime == NpzFile.EntryTime.DateTime);
        using var tar = new System.Formats.Tar.TarReader(new GZipStream(File.OpenRead(cifar), CompressionMode.Decompress));
        int entries = 0;
        while (tar.GetNextEntry() is { } entry)
        {
            entries++;
            entry.Format.Should().Be(System.Formats.Tar.TarEntryFormat.Ustar, "PAX headers are named after the writing process");
            entry.ModificationTime.Should().Be(DateTimeOffset.UnixEpoch);
        }
        entries.Should().Be(6);
    }

    [Fact]
    public void Npz_with_a_truncated_array_names_the_entry()
    {
        var path = _temp.File("imdb.npz");
        NpzFile.Write(path, new Dictionary<string, long[]> { ["y_train"] = [1, 0, 1] }, new Dictionary<string, int[][]>());
        byte[] entry;
        using (var zip = ZipFile.OpenRead(path))
        using (var stream = zip.GetEntry("y_train.npy")!.Open())
        using (var buffer = new MemoryStream())
        {
            stream.CopyTo(buffer);
            entry = buffer.ToArray();
        }
        var broken = _temp.File("broken.npz");
        using (var zip = ZipFile.Open(broken, ZipArchiveMode.Create))
        using (var stream = zip.CreateEntry("y_train.npy").Open())
            stream.Write(entry, 0, entry.Length - 5);

        var act = () => NpzFile.Read(broken);

        act.Should().Throw<DataFormatException>().Where(e => e.Message.Contains("broken.npz!y_train.npy") && e.Message.Contains("truncated"));
    }

    [Fact]
    public void A_file_that_is_not_a_zip_is_named_in_the_npz_error()
    {
        var path = _temp.File("imdb.npz");
        File.WriteAllText(path, "partial download");

        var act = () => NpzFile.Read(path);

        act.Should().Throw<DataFormatException>().Where(e => e.Message.StartsWith(path));
    }

    [Fact]
    public void AclImdb_folder_becomes_frequency_ranks_like_keras()
    {
        void Review(string split, string sentiment, string name, string text) =>
            File.WriteAllText(Path.Combine(_temp.Folder("aclImdb", split, sentiment), name), text);
        Review("train", "pos", "0_9.txt", "A great film.<br />Great acting, great story!");
        Review("train", "neg", "1_2.txt", "A dull film; dull.");
        Review("test", "pos", "0_8.txt", "Great, unseen words.");
        Review("test", "neg", "1_1.txt", "dull");

        var reviews = AclImdbFolder.Read(Path.Combine(_temp.Path, "aclImdb"));

        // Training counts: great 3, a 2, dull 2, film 2, acting 1, story 1 (ties alphabetical) → ranks 1..6.
        reviews.TrainLabels.Should().Equal(0, 1);
        reviews.Train[0].Should().Equal(2, 3, 4, 3);
        reviews.Train[1].Should().Equal(2, 1, 4, 1, 5, 1, 6);
        reviews.Test[1].Should().Equal(1, 7, 7);
        reviews.Test[0].Should().Equal(3);
    }

    [Fact]
    public void Text_with_a_character_outside_the_BMP_is_refused_naming_file_line_and_character()
    {
        var path = _temp.File("nietzsche.txt");
        File.WriteAllText(path, "PREFACE\n\nSupposing that Truth is a woman \U0001F600 what then?", new System.Text.UTF8Encoding(false));

        var act = () => new NietzscheSpec().Read(new LocatedDataset("nietzsche", DatasetId.Nietzsche, path, [path]));

        act.Should().Throw<DataFormatException>().WithMessage($"{path}: line 3 holds U+1F600, outside the Basic Multilingual Plane*");
    }

    [Fact]
    public void Text_within_the_BMP_is_read_lower_cased()
    {
        var path = _temp.File("nietzsche.txt");
        File.WriteAllText(path, "Ÿes — Ünd SO?");

        new NietzscheSpec().Read(new LocatedDataset("nietzsche", DatasetId.Nietzsche, path, [path])).Should().Be("ÿes — ünd so?");
    }
}
