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
                total *= shape[d];
            }
            if (total > int.MaxValue) throw new DataFormatException(path, $"IDX shape {string.Join('×', shape)} is too large.");
            var data = new byte[total];
            int read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
            if (read < data.Length)
                throw new DataFormatException(path, $"truncated: the header declares {string.Join('×', shape)} = {total} bytes of data, the file holds {read}.");
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
