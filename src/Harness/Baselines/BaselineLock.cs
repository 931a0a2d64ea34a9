using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PerfTests.Harness.Baselines;

/// <summary>
/// Serializes <see cref="BaselineUpdater.Accept"/> across processes: an exclusive open of baselines/.accept.lock (an
/// flock on Unix, released by the kernel when the holder dies, so a killed accept never leaves the folder locked).
/// A second accept waits for the first to finish, then reads what it wrote; after <see cref="DefaultWait"/> it fails.
/// </summary>
public sealed partial class BaselineLock : IDisposable
{
    public const string FileName = ".accept.lock";
    public static readonly TimeSpan DefaultWait = TimeSpan.FromMinutes(2);

    private readonly FileStream _stream;

    private BaselineLock(FileStream stream) => _stream = stream;

    /// <param name="waiting">Told once, when another accept holds the lock and this one starts to wait.</param>
    public static BaselineLock Acquire(string directory, TimeSpan? wait = null, Action<string>? waiting = null)
    {
        var path = Path.Combine(directory, FileName);
        var limit = wait ?? DefaultWait;
        var clock = Stopwatch.StartNew();
        bool told = false;
        while (true)
        {
            try
            {
                var held = new BaselineLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
                held.RemoveStaleTemporaryFiles(directory);
                return held;
            }
            catch (IOException) when (clock.Elapsed < limit && File.Exists(path))
            {
                if (!told) waiting?.Invoke($"another 'baselines accept' holds {path}; waiting for it (up to {limit.TotalSeconds:0} s)");
                told = true;
                Thread.Sleep(100);
            }
            catch (IOException e) when (File.Exists(path))
            {
                throw new IOException($"{path}: another 'baselines accept' still holds this lock after {limit.TotalSeconds:0} s; try again when it has finished.", e);
            }
        }
    }

    /// <summary>
    /// Temporary files an accept killed between writing and renaming left behind (.k80.json.1234.tmp). While the lock is
    /// held no other accept is writing, so every one of them is stale.
    /// </summary>
    private void RemoveStaleTemporaryFiles(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory, ".*.tmp").Where(f => StaleTemporary().IsMatch(Path.GetFileName(f))))
            File.Delete(file);
    }

    [GeneratedRegex(@"^\..+\.json\.\d+\.tmp$")]
    private static partial Regex StaleTemporary();

    public void Dispose() => _stream.Dispose();
}
