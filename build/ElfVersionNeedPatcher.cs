// Marks chosen symbol-version requirements of an ELF shared library as weak (VER_FLG_WEAK in
// .gnu.version_r), so the dynamic loader accepts the library where the system's libstdc++ lacks
// that version. Compiled twice: as an MSBuild inline task (build/TorchSharpNative.targets) and
// into the unit tests (with ELF_PATCHER_LIBRARY defined), so the build and its test share one copy.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace PerfTests.Build
{
    public enum VersionNeedState { Absent, Required, AlreadyWeak }

    public static class ElfVersionNeedPatcher
    {
        public const ushort VerFlagWeak = 0x2;
        private const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>How <paramref name="versionName"/> is required by the library at <paramref name="path"/>.</summary>
        public static VersionNeedState Inspect(string path, string versionName)
        {
            byte[] image = File.ReadAllBytes(path);
            var state = VersionNeedState.Absent;
            foreach (var entry in VersionNeeds(image, path))
            {
                if (entry.Name != versionName) continue;
                state = (entry.Flags & VerFlagWeak) != 0 ? VersionNeedState.AlreadyWeak : VersionNeedState.Required;
            }
            return state;
        }

        /// <summary>Sets VER_FLG_WEAK on every requirement of <paramref name="versionName"/>; returns how many it changed (0 when already weak or absent).</summary>
        public static int MarkWeak(string path, string versionName)
        {
            byte[] image = File.ReadAllBytes(path);
            int changed = 0;
            foreach (var entry in VersionNeeds(image, path))
            {
                if (entry.Name != versionName || (entry.Flags & VerFlagWeak) != 0) continue;
                WriteUInt16(image, entry.FlagsOffset, (ushort)(entry.Flags | VerFlagWeak));
                changed++;
            }
            if (changed == 0) return 0;

            // Write beside, then replace: an interrupted build never leaves a half-written library.
            string temporary = path + ".patching";
            File.WriteAllBytes(temporary, image);
            File.Copy(temporary, path, overwrite: true);
            File.Delete(temporary);
            return changed;
        }

        /// <summary>True when the shared library at <paramref name="libraryPath"/> defines <paramref name="versionName"/> (searched as a NUL-delimited string).</summary>
        public static bool DefinesVersion(string libraryPath, string versionName)
        {
            byte[] image = File.ReadAllBytes(libraryPath);
            byte[] needle = Encoding.ASCII.GetBytes("\0" + versionName + "\0");
            // Inline tasks compile against netstandard2.0: no span search there.
            for (int i = 0; i + needle.Length <= image.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && image[i + j] == needle[j]) j++;
                if (j == needle.Length) return true;
            }
            return false;
        }

        private readonly struct VersionNeed
        {
            public VersionNeed(string name, ushort flags, int flagsOffset) { Name = name; Flags = flags; FlagsOffset = flagsOffset; }
            public string Name { get; }
            public ushort Flags { get; }
            public int FlagsOffset { get; }
        }

        private static List<VersionNeed> VersionNeeds(byte[] image, string path)
        {
            if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
                throw new InvalidDataException($"{path}: not an ELF file");
            if (image[4] != 2 || image[5] != 1)
                throw new InvalidDataException($"{path}: only 64-bit little-endian ELF is supported (class {image[4]}, data {image[5]})");

            long sectionHeaders = (long)ReadUInt64(image, 0x28);
            int headerSize = ReadUInt16(image, 0x3A);
            int sectionCount = ReadUInt16(image, 0x3C);
            if (sectionHeaders <= 0 || sectionHeaders + (long)headerSize * sectionCount > image.Length)
                throw new InvalidDataException($"{path}: section header table lies outside the file (truncated?)");

            var needs = new List<VersionNeed>();
            for (int i = 0; i < sectionCount; i++)
            {
                int header = checked((int)(sectionHeaders + (long)i * headerSize));
                if (ReadUInt32(image, header + 4) != ShtGnuVerneed) continue;

                int offset = checked((int)ReadUInt64(image, header + 0x18));
                int link = (int)ReadUInt32(image, header + 0x28);
                int entryCount = (int)ReadUInt32(image, header + 0x2C);
                int stringTable = checked((int)ReadUInt64(image, checked((int)(sectionHeaders + (long)link * headerSize)) + 0x18));

                int verneed = offset;
                for (int e = 0; e < entryCount; e++)
                {
                    int auxCount = ReadUInt16(image, verneed + 2);
                    int aux = verneed + (int)ReadUInt32(image, verneed + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        ushort flags = ReadUInt16(image, aux + 4);
                        int name = stringTable + (int)ReadUInt32(image, aux + 8);
                        needs.Add(new VersionNeed(ReadCString(image, name, path), flags, aux + 4));
                        aux += (int)ReadUInt32(image, aux + 12);
                    }
                    verneed += (int)ReadUInt32(image, verneed + 12);
                }
            }
            return needs;
        }

        private static string ReadCString(byte[] image, int offset, string path)
        {
            int end = Array.IndexOf(image, (byte)0, offset);
            if (offset < 0 || end < 0) throw new InvalidDataException($"{path}: version name outside the string table (truncated?)");
            return Encoding.ASCII.GetString(image, offset, end - offset);
        }

        private static ushort ReadUInt16(byte[] b, int o) { Check(b, o, 2); return (ushort)(b[o] | b[o + 1] << 8); }
        private static uint ReadUInt32(byte[] b, int o) { Check(b, o, 4); return BitConverter.ToUInt32(b, o); }
        private static ulong ReadUInt64(byte[] b, int o) { Check(b, o, 8); return BitConverter.ToUInt64(b, o); }
        private static void WriteUInt16(byte[] b, int o, ushort v) { b[o] = (byte)v; b[o + 1] = (byte)(v >> 8); }
        private static void Check(byte[] b, int o, int n)
        {
            if (o < 0 || o + n > b.Length) throw new InvalidDataException("ELF structure points past the end of the file (truncated?)");
        }
    }

#if !ELF_PATCHER_LIBRARY
    /// <summary>MSBuild task: weakens <see cref="Versions"/> in <see cref="Library"/> when no system libstdc++ defines them.</summary>
    public sealed class WeakenMissingLibstdcxxVersions : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required] public string Library { get; set; } = "";
        [Microsoft.Build.Framework.Required] public string Versions { get; set; } = "";
        public string SystemLibraries { get; set; } =
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6;/lib/x86_64-linux-gnu/libstdc++.so.6;/usr/lib64/libstdc++.so.6;/usr/lib/libstdc++.so.6;/usr/lib/aarch64-linux-gnu/libstdc++.so.6";

        public override bool Execute()
        {
            if (!File.Exists(Library)) return true;
            string? systemLibrary = null;
            foreach (var candidate in SystemLibraries.Split(';'))
                if (candidate.Length > 0 && File.Exists(candidate)) { systemLibrary = candidate; break; }

            foreach (var version in Versions.Split(';'))
            {
                if (version.Length == 0) continue;
                if (systemLibrary != null && ElfVersionNeedPatcher.DefinesVersion(systemLibrary, version))
                {
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, $"{systemLibrary} defines {version}: {Library} left as shipped.");
                    continue;
                }
                int changed = ElfVersionNeedPatcher.MarkWeak(Library, version);
                if (changed > 0)
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                        $"Marked {version} weak in {Library}: the system libstdc++ ({systemLibrary ?? "not found"}) lacks it.");
            }
            return true;
        }
    }
#endif
}
