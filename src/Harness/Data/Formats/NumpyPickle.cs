using System.Buffers.Binary;
using System.Text;

namespace PerfTests.Harness.Data.Formats;

/// <summary>
/// Writes the pickle numpy stores for a 1-d object array of integer lists (what np.save writes for Keras's
/// imdb.npz), opcode for opcode as CPython's pickle protocol 3 emits it, minus the memo (which readers don't need).
/// </summary>
internal static class NumpyPickle
{
    private const byte Proto = 0x80, Global = (byte)'c', Reduce = (byte)'R', Build = (byte)'b', Mark = (byte)'(', Tuple = (byte)'t',
        Tuple1 = 0x85, Tuple3 = 0x87, EmptyList = (byte)']', Appends = (byte)'e', BinInt = (byte)'J', BinInt1 = (byte)'K', BinInt2 = (byte)'M',
        BinUnicode = (byte)'X', ShortBinBytes = (byte)'C', None = (byte)'N', NewTrue = 0x88, NewFalse = 0x89, Stop = (byte)'.';

    public static void WriteObjectArray(Stream output, int[][] items)
    {
        using var writer = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true);
        writer.Write(Proto); writer.Write((byte)3);
        WriteGlobal(writer, "numpy.core.multiarray", "_reconstruct");
        WriteGlobal(writer, "numpy", "ndarray");
        WriteInt(writer, 0); writer.Write(Tuple1);
        writer.Write(ShortBinBytes); writer.Write((byte)1); writer.Write((byte)'b');
        writer.Write(Tuple3); writer.Write(Reduce);

        writer.Write(Mark);
        WriteInt(writer, 1);
        WriteInt(writer, items.Length); writer.Write(Tuple1);
        WriteGlobal(writer, "numpy", "dtype");
        WriteString(writer, "O8"); writer.Write(NewFalse); writer.Write(NewTrue); writer.Write(Tuple3); writer.Write(Reduce);
        writer.Write(Mark);
        WriteInt(writer, 3); WriteString(writer, "|"); writer.Write(None); writer.Write(None); writer.Write(None);
        WriteInt(writer, -1); WriteInt(writer, -1); WriteInt(writer, 63);
        writer.Write(Tuple); writer.Write(Build);
        writer.Write(NewFalse);
        writer.Write(EmptyList);
        WriteAppends(writer, items.Length, i =>
        {
            writer.Write(EmptyList);
            var list = items[i];
            WriteAppends(writer, list.Length, j => WriteInt(writer, list[j]));
        });
        writer.Write(Tuple); writer.Write(Build);
        writer.Write(Stop);
    }

    /// <summary>Pickle batches APPENDS in groups of 1000, as CPython does.</summary>
    private static void WriteAppends(BinaryWriter writer, int count, Action<int> writeItem)
    {
        for (int start = 0; start < count; start += 1000)
        {
            writer.Write(Mark);
            for (int i = start; i < Math.Min(count, start + 1000); i++) writeItem(i);
            writer.Write(Appends);
        }
    }

    private static void WriteGlobal(BinaryWriter writer, string module, string name)
    {
        writer.Write(Global);
        writer.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }

    private static void WriteString(BinaryWriter writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        writer.Write(BinUnicode);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        writer.Write(length);
        writer.Write(bytes);
    }

    private static void WriteInt(BinaryWriter writer, int value)
    {
        if (value is >= 0 and < 256) { writer.Write(BinInt1); writer.Write((byte)value); }
        else if (value is >= 0 and < 65536) { writer.Write(BinInt2); writer.Write((ushort)value); }
        else { writer.Write(BinInt); writer.Write(value); }
    }
}
