using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using PerfTests.Harness.Data;
using PerfTests.Harness.Data.Formats;

namespace PerfTests.Workloads.Tests.Data;

/// <summary>
/// Seeded mutations of small valid files in every format the readers take: whatever the bytes, a reader either
/// returns or throws <see cref="DataFormatException"/> naming the file; no other exception may escape and abort a run.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ReaderFuzzTests : IDisposable
{
    private const int Seed = 20261202;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ReadNpy_MutatedIntegerAndObjectArrays_OnlyDataFormatException()
    {
        var random = new Random(Seed);
        byte[][] valid = [IntegerNpy([3, 1, 4, 1, 5, 9, 2, 6]), ObjectNpy([[1, 2, 3], [400, 70000], [], [5]])];
        for (int i = 0; i < 2500; i++)
        {
            var bytes = Mutate(random, valid[i % 2]);
            Expect($"npy mutation {i}", () => NpzFile.ReadNpy("fuzz.npy", bytes));
        }
    }

    [Fact]
    public void ReadNpz_MutatedArchives_OnlyDataFormatException()
    {
        var random = new Random(Seed + 1);
        var path = _temp.File("imdb.npz");
        NpzFile.Write(path, new Dictionary<string, long[]> { ["y_train"] = [0, 1, 1] }, new Dictionary<string, int[][]> { ["x_train"] = [[1, 2], [3], [4, 5, 6]] });
        var valid = File.ReadAllBytes(path);
        for (int i = 0; i < 800; i++)
        {
            File.WriteAllBytes(path, Mutate(random, valid));
            Expect($"npz mutation {i}", () => NpzFile.Read(path));
        }
    }

    [Fact]
    public void ReadIdx_MutatedRawAndGzipFiles_OnlyDataFormatException()
    {
        var random = new Random(Seed + 2);
        var raw = _temp.File("train-images-idx3-ubyte");
        IdxFile.Write(raw, [3, 28, 28], Enumerable.Range(0, 3 * 784).Select(i => (byte)i).ToArray());
        var valid = File.ReadAllBytes(raw);
        for (int i = 0; i < 1500; i++)
        {
            var bytes = Mutate(random, valid);
            if (i % 3 == 0) bytes = Gzip(bytes);
            File.WriteAllBytes(raw, bytes);
            Expect($"idx mutation {i}", () => IdxFile.Read(raw));
        }
    }

    [Fact]
    public void ReadCifar_MutatedArchivesAndBatches_OnlyDataFormatException()
    {
        var random = new Random(Seed + 3);
        var tar = CifarTar(records: 1);
        var archive = _temp.File(CifarBinary.ArchiveName);
        var folder = _temp.Folder("extracted", CifarBinary.FolderName);
        var batch = Enumerable.Range(0, 2 * CifarBinary.RecordBytes).Select(i => (byte)(i % CifarBinary.RecordBytes == 0 ? i % 10 : i)).ToArray();
        for (int i = 0; i < 600; i++)
        {
            File.WriteAllBytes(archive, Gzip(Mutate(random, tar)));
            Expect($"cifar archive mutation {i}", () => CifarBinary.Read(archive));
            var mutated = Mutate(random, batch);
            Expect($"cifar batch mutation {i}", () => CifarBinary.ParseBatch("data_batch_1.bin", mutated));
        }
        foreach (var name in CifarBinary.AllBatches) File.WriteAllBytes(Path.Combine(folder, name), batch);
        File.WriteAllBytes(Path.Combine(folder, CifarBinary.TestBatch), Mutate(random, batch));
        Expect("cifar folder", () => CifarBinary.Read(Path.GetDirectoryName(folder)!));
    }

    [Fact]
    public void ReadNpy_Version2HeaderLengthBeyondTheFile_IsADataError()
    {
        var bytes = IntegerNpy([1, 2, 3]);
        bytes[6] = 2;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), uint.MaxValue);

        var act = () => NpzFile.ReadNpy("x.npz!a.npy", bytes);

        act.Should().Throw<DataFormatException>().WithMessage("x.npz!a.npy: truncated .npy header*");
    }

    [Theory]
    [InlineData("99999999999999999999")]
    [InlineData("-5")]
    [InlineData("4294967296")]
    public void ReadNpy_ShapeBeyondAnArrayLength_IsADataError(string length)
    {
        var bytes = System.Text.Encoding.Latin1.GetBytes(System.Text.Encoding.Latin1.GetString(IntegerNpy([1, 2, 3])).Replace("(3,)", $"({length},)"));

        var act = () => NpzFile.ReadNpy("x.npz!a.npy", bytes);

        act.Should().Throw<DataFormatException>().WithMessage($"x.npz!a.npy: *{length}*");
    }

    [Theory]
    [InlineData("L12x\n")]
    [InlineData("Vnot a list\n")]
    [InlineData("N")]
    public void ReadNpy_PickleThatIsNotNumpys_IsADataErrorNamingTheEntry(string payload)
    {
        var header = ObjectNpy([[1]]);
        int body = header.AsSpan().IndexOf((byte)0x80);
        var pickle = System.Text.Encoding.Latin1.GetBytes("\u0080\u0003" + payload + ".");
        var bytes = header[..body].Concat(pickle).ToArray();

        var act = () => NpzFile.ReadNpy("imdb.npz!x_train.npy", bytes);

        act.Should().Throw<DataFormatException>().WithMessage("imdb.npz!x_train.npy: *");
    }

    [Fact]
    public void ReadCifar_ArchiveEntryDeclaringGigabytes_IsRefusedBeforeAllocating()
    {
        var tar = CifarTar(records: 1);
        // The first entry's ustar size field (offset 124, 12 octal digits) now declares 8 GiB; its checksum is fixed up.
        System.Text.Encoding.ASCII.GetBytes("77777777777\0").CopyTo(tar, 124);
        System.Text.Encoding.ASCII.GetBytes("        ").CopyTo(tar, 148);
        int checksum = tar.AsSpan(0, 512).ToArray().Sum(b => b);
        System.Text.Encoding.ASCII.GetBytes(Convert.ToString(checksum, 8).PadLeft(6, '0') + "\0 ").CopyTo(tar, 148);
        var archive = _temp.File(CifarBinary.ArchiveName);
        File.WriteAllBytes(archive, Gzip(tar));

        var act = () => CifarBinary.Read(archive);

        act.Should().Throw<DataFormatException>().WithMessage($"{archive}!{CifarBinary.FolderName}/data_batch_1.bin: 8589934591 bytes is not a CIFAR-10 batch*");
    }

    [Fact]
    public void ReadIdx_HeaderDeclaringFourHugeDimensions_IsADataError()
    {
        var path = _temp.File("train-images-idx3-ubyte");
        File.WriteAllBytes(path, [0, 0, 8, 4, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 1, 2, 3]);

        var act = () => IdxFile.Read(path);

        act.Should().Throw<DataFormatException>().WithMessage($"{path}: IDX shape * declares more than *");
    }

    private static void Expect(string what, Action read)
    {
        try
        {
            read();
        }
        catch (DataFormatException e)
        {
            e.FilePath.Should().NotBeNullOrEmpty(what);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{what}: {e.GetType().Name} escaped the reader: {e.Message}\n{e.StackTrace}");
        }
    }

    /// <summary>One to four edits: flipped bytes, extreme 32-bit values, truncation, inserted or removed runs.</summary>
    private static byte[] Mutate(Random random, byte[] valid)
    {
        var bytes = new List<byte>(valid);
        var word = new byte[4];
        for (int edits = random.Next(1, 5); edits > 0 && bytes.Count > 0; edits--)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = (byte)random.Next(256); break;
                case 2:
                    BinaryPrimitives.WriteInt32LittleEndian(word, random.Next(4) switch { 0 => -1, 1 => int.MaxValue, 2 => int.MinValue, _ => random.Next() });
                    for (int k = 0; k < 4 && at + k < bytes.Count; k++) bytes[at + k] = word[k];
                    break;
                case 3: bytes.RemoveRange(at, bytes.Count - at); break;
                case 4: bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 16)).Select(_ => (byte)random.Next(256))); break;
                default: bytes.RemoveRange(at, Math.Min(random.Next(1, 16), bytes.Count - at)); break;
            }
        }
        return bytes.ToArray();
    }

    private static byte[] IntegerNpy(long[] values)
    {
        var path = Path.GetTempFileName();
        try
        {
            NpzFile.Write(path, new Dictionary<string, long[]> { ["a"] = values }, new Dictionary<string, int[][]>());
            return Entry(path, "a.npy");
        }
        finally { File.Delete(path); }
    }

    private static byte[] ObjectNpy(int[][] lists)
    {
        var path = Path.GetTempFileName();
        try
        {
            NpzFile.Write(path, new Dictionary<string, long[]>(), new Dictionary<string, int[][]> { ["a"] = lists });
            return Entry(path, "a.npy");
        }
        finally { File.Delete(path); }
    }

    private static byte[] Entry(string npz, string name)
    {
        using var zip = ZipFile.OpenRead(npz);
        using var stream = zip.GetEntry(name)!.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static byte[] CifarTar(int records)
    {
        using var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var name in CifarBinary.AllBatches)
            {
                var bytes = new byte[records * CifarBinary.RecordBytes];
                for (int r = 0; r < records; r++) bytes[r * CifarBinary.RecordBytes] = (byte)(r % 10);
                tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"{CifarBinary.FolderName}/{name}") { DataStream = new MemoryStream(bytes) });
            }
        }
        return buffer.ToArray();
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(bytes);
        return buffer.ToArray();
    }
}
