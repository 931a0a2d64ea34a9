using System.Buffers.Binary;
using System.Collections;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Razorvine.Pickle;

namespace PerfTests.Harness.Data.Formats;

/// <summary>
/// NumPy's .npz (a zip of .npy files), as Keras ships imdb.npz: integer label arrays, and object arrays of
/// Python lists (word indices), which .npy stores as a pickle of the ndarray. The pickles are read with
/// Razorvine.Pickle; numpy's reconstructors are mapped to small classes here, and nothing else is constructed.
/// </summary>
public static partial class NpzFile
{
    /// <summary>A 1-d array: either numbers (<see cref="Integers"/>) or ragged integer lists (<see cref="Lists"/>).</summary>
    public sealed record NpyArray(long[]? Integers, int[][]? Lists)
    {
        public int Length => Integers?.Length ?? Lists!.Length;
    }

    /// <summary>Largest .npy entry read (uncompressed); Keras's imdb.npz holds about 30 MB in its largest.</summary>
    public const long MaximumEntryBytes = 1L << 30;

    public static Dictionary<string, NpyArray> Read(string path)
    {
        var result = new Dictionary<string, NpyArray>();
        string where = path;
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries)
            {
                if (!entry.Name.EndsWith(".npy", StringComparison.Ordinal)) continue;
                where = $"{path}!{entry.FullName}";
                if (entry.Length > MaximumEntryBytes)
                    throw new DataFormatException(where, $"declares {entry.Length} bytes; entries above {MaximumEntryBytes} are refused.");
                var name = entry.Name[..^4];
                using var stream = entry.Open();
                // The declared length sizes the buffer, and the copy stops there: a lying header cannot make it grow.
                var bytes = new byte[entry.Length];
                int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
                if (read < bytes.Length) throw new DataFormatException(where, $"truncated: declares {entry.Length} bytes, holds {read}.");
                result[name] = ReadNpy(where, bytes);
            }
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or (IOException and not DataFormatException))
        {
            throw new DataFormatException(where, $"not a readable .npz (zip) archive: {e.Message}", e);
        }
        return result;
    }

    public static NpyArray ReadNpy(string where, byte[] bytes)
    {
        ReadOnlySpan<byte> magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(magic))
            throw new DataFormatException(where, "not a .npy array (bad magic).");
        int major = bytes[6];
        int headerLength, headerStart;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)); headerStart = 10; }
        else if (major is 2 or 3)
        {
            if (bytes.Length < 12) throw new DataFormatException(where, "truncated .npy header.");
            uint declared = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
            if (declared > bytes.Length - 12) throw new DataFormatException(where, $"truncated .npy header: declares {declared} bytes, the entry holds {bytes.Length - 12} after it.");
            headerLength = (int)declared;
            headerStart = 12;
        }
        else throw new DataFormatException(where, $"unsupported .npy version {major}.");
        if (headerStart + headerLength > bytes.Length) throw new DataFormatException(where, "truncated .npy header.");
        var header = Encoding.Latin1.GetString(bytes, headerStart, headerLength);
        var descr = DescrPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !shape.Success) throw new DataFormatException(where, $"unreadable .npy header: {header.Trim()}");
        if (header.Contains("'fortran_order': True", StringComparison.Ordinal))
            throw new DataFormatException(where, "Fortran-ordered arrays are not supported.");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (dims.Length != 1) throw new DataFormatException(where, $"expected a 1-d array, the header says shape ({shape.Groups[1].Value}).");
        if (!int.TryParse(dims[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int count))
            throw new DataFormatException(where, $"shape ({dims[0]},) is not an array length (0 to {int.MaxValue}).");
        var body = bytes.AsSpan(headerStart + headerLength);
        var type = descr.Groups[1].Value;
        if (type == "|O") return new NpyArray(null, ReadObjectArray(where, body.ToArray(), count));
        int width = type switch { "<i8" or "<u8" => 8, "<i4" or "<u4" => 4, "<i2" or "<u2" => 2, "|i1" or "|u1" or "|b1" => 1, _ => 0 };
        if (width == 0) throw new DataFormatException(where, $"unsupported dtype '{type}' (expected integers or objects).");
        if (body.Length != (long)count * width)
            throw new DataFormatException(where, $"truncated: shape ({count},) of {type} needs {(long)count * width} bytes, found {body.Length}.");
        var values = new long[count];
        for (int i = 0; i < count; i++)
        {
            var item = body.Slice(i * width, width);
            values[i] = type switch
            {
                "<i8" => BinaryPrimitives.ReadInt64LittleEndian(item),
                "<u8" => (long)BinaryPrimitives.ReadUInt64LittleEndian(item),
                "<i4" => BinaryPrimitives.ReadInt32LittleEndian(item),
                "<u4" => BinaryPrimitives.ReadUInt32LittleEndian(item),
                "<i2" => BinaryPrimitives.ReadInt16LittleEndian(item),
                "<u2" => BinaryPrimitives.ReadUInt16LittleEndian(item),
                "|i1" => (sbyte)item[0],
                _ => item[0],
            };
        }
        return new NpyArray(values, null);
    }

    private static int[][] ReadObjectArray(string where, byte[] pickle, int count)
    {
        // Every item takes at least one opcode byte: a count beyond that is a lie told before anything is allocated.
        if (count > pickle.Length) throw new DataFormatException(where, $"shape ({count},) cannot fit in a {pickle.Length}-byte pickle.");
        object unpickled;
        try
        {
            using var unpickler = new Unpickler();
            unpickled = unpickler.loads(pickle);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or DataFormatException))
        {
            // Razorvine.Pickle is a general interpreter: on a malformed pickle it may throw anything (FormatException for a
            // bad LONG text, NullReferenceException for a missing state, ...). All of them mean the same: not numpy's pickle.
            throw new DataFormatException(where, $"object array pickle could not be read ({e.GetType().Name}: {e.Message}).", e);
        }
        if (unpickled is not NumpyArrayState array)
            throw new DataFormatException(where, $"object array pickle holds {unpickled?.GetType().Name ?? "None"}, not a numpy array.");
        if (array.Items is null || array.Items.Count != count)
            throw new DataFormatException(where, $"object array holds {array.Items?.Count ?? 0} items, its header says {count}.");
        var lists = new int[count][];
        for (int i = 0; i < count; i++)
        {
            if (array.Items[i] is not IList items)
                throw new DataFormatException(where, $"item {i} is {array.Items[i]?.GetType().Name ?? "None"}, not a list of word indices.");
            var list = new int[items.Count];
            for (int j = 0; j < list.Length; j++)
            {
                list[j] = items[j] switch
                {
                    int v => v,
                    long v when v is >= 0 and <= int.MaxValue => (int)v,
                    var other => throw new DataFormatException(where, $"item {i}[{j}] is {other ?? "None"}, not a word index."),
                };
            }
            lists[i] = list;
        }
        return lists;
    }

    static NpzFile()
    {
        foreach (var module in new[] { "numpy.core.multiarray", "numpy._core.multiarray" })
            Unpickler.registerConstructor(module, "_reconstruct", new Constructor(_ => new NumpyArrayState()));
        Unpickler.registerConstructor("numpy", "dtype", new Constructor(_ => new NumpyDtype()));
        Unpickler.registerConstructor("numpy", "ndarray", new Constructor(_ => new NumpyDtype()));
    }

    private sealed class Constructor(Func<object[], object> factory) : IObjectConstructor
    {
        public object construct(object[] args) => factory(args);
    }

    /// <summary>numpy.ndarray's pickled state: (version, shape, dtype, is_fortran, items).</summary>
    public sealed class NumpyArrayState
    {
        public IList? Items { get; private set; }

        public void __setstate__(object[]? state) => Items = state is { Length: >= 5 } ? state[4] as IList : null;
    }

    public sealed class NumpyDtype
    {
        public void __setstate__(object[]? state) { }
    }

    /// <summary>Writes an .npz with int64 arrays and object arrays of int lists, byte-compatible with numpy's np.savez.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, long[]> integers, IReadOnlyDictionary<string, int[][]> lists)
    {
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        var word = new byte[8];
        foreach (var (name, values) in integers)
        {
            using var stream = Entry(zip, name, CompressionLevel.NoCompression).Open();
            WriteHeader(stream, $"{{'descr': '<i8', 'fortran_order': False, 'shape': ({values.Length},), }}");
            foreach (var v in values) { BinaryPrimitives.WriteInt64LittleEndian(word, v); stream.Write(word); }
        }
        foreach (var (name, values) in lists)
        {
            using var stream = Entry(zip, name, CompressionLevel.Fastest).Open();
            WriteHeader(stream, $"{{'descr': '|O', 'fortran_order': False, 'shape': ({values.Length},), }}");
            NumpyPickle.WriteObjectArray(stream, values);
        }
    }

    /// <summary>The earliest time a zip entry can hold, for every entry written: the same arrays always give the same file.</summary>
    public static readonly DateTimeOffset EntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ZipArchiveEntry Entry(ZipArchive zip, string name, CompressionLevel compression)
    {
        var entry = zip.CreateEntry(name + ".npy", compression);
        entry.LastWriteTime = EntryTime;
        return entry;
    }

    private static void WriteHeader(Stream stream, string dictionary)
    {
        // Version 1.0: magic, 2 version bytes, little-endian uint16 header length; header padded with spaces to a multiple of 64, ending in \n.
        int unpadded = 10 + dictionary.Length + 1;
        var header = dictionary + new string(' ', (64 - unpadded % 64) % 64) + "\n";
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(Encoding.Latin1.GetBytes(header));
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
