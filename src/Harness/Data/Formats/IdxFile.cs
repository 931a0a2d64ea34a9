using System.Buffers.Binary;
using System.IO.Compression;

namespace PerfTests.Harness.Data.Formats;

/// <summary>
/// The IDX format of MNIST and Fashion-MNIST (raw or gzip): big-endian magic 0x0000_08_NN (NN = number of
/// dimensions, 08 = unsigned bytes), NN big-endian int32 sizes, then the bytes.
/// </summary>
public static class IdxFile
{
    public sealed record Contents(int[] Shape, byte[] Data)
    {
        public int Count => Shape[0];
    }

    public static Contents Read(string path)
    {
        try
        {
            using var stream = DataFiles.OpenMaybeGzip(path);
            Span<byte> header = stackalloc byte[4];
            ReadExactly(stream, header, path, "the 4-byte magic number");
            if (header[0] != 0 || header[1] != 0)
                throw new DataFormatException(path, $"not an IDX file (magic {Convert.ToHexString(header)}; expected 000008xx).");
            if (header[2] != 0x08)
                throw new DataFormatException(path, $"IDX element type 0x{header[2]:X2} is not unsigned byte (0x08).");
            int dimensions = header[3];
            if (dimensions is < 1 or > 4) throw new DataFormatException(path, $"IDX header declares {dimensions} dimensions.");
            var shape = new int[dimensions];
            Span<byte> size = stackalloc byte[4];
            long total = 1;
            for (int d = 0; d < dimensions; d++)
            {
                ReadExactly(stream, size, path, $"dimension {d + 1} of the header");
                shape[d] = BinaryPrimitives.ReadInt32BigEndian(size);
                if (shape[d] < 0) throw new DataFormatException(path, $"dimension {d + 1} is negative ({shape[d]}).");
                // Checked at each step: four int32 sizes multiplied at once could wrap around a long.
                total *= shape[d];
                if (total > MaximumBytes) throw new DataFormatException(path, $"IDX shape {string.Join('×', shape[..(d + 1)])}… declares more than {MaximumBytes} bytes.");
            }
            // Sized by what the stream holds, never by the header alone: a 60-byte file declaring 1 GB allocates nothing big.
            var data = ReadUpTo(stream, total);
            if (data.Length < total)
                throw new DataFormatException(path, $"truncated: the header declares {string.Join('×', shape)} = {total} bytes of data, the file holds {data.Length}.");
            if (stream.ReadByte() != -1)
                throw new DataFormatException(path, $"has bytes after the {total} the header declares ({string.Join('×', shape)}).");
            return new Contents(shape, data);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"corrupt gzip stream ({e.Message}).", e);
        }
        catch (EndOfStreamException e)
        {
            throw new DataFormatException(path, "truncated gzip stream.", e);
        }
    }

    /// <summary>Largest data block read; MNIST's training images are 47 MB.</summary>
    public const long MaximumBytes = 1L << 30;

    private static byte[] ReadUpTo(Stream stream, long count)
    {
        if (stream.CanSeek)
        {
            var data = new byte[Math.Min(count, Math.Max(0, stream.Length - stream.Position))];
            return data[..stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false)];
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        while (buffer.Length < count)
        {
            int read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, count - buffer.Length));
            if (read == 0) break;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    public static void Write(string path, int[] shape, ReadOnlySpan<byte> data)
    {
        using var file = File.Create(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionLevel.Fastest)
            : file;
        Span<byte> word = stackalloc byte[4];
        word[0] = 0; word[1] = 0; word[2] = 0x08; word[3] = (byte)shape.Length;
        stream.Write(word);
        foreach (var d in shape)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, d);
            stream.Write(word);
        }
        stream.Write(data);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path, string what)
    {
        if (stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) < buffer.Length)
            throw new DataFormatException(path, $"truncated: ends inside {what}.");
    }
}
