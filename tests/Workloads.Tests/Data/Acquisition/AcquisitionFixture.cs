using System.Security.Cryptography;
using PerfTests.Harness.Data;
using PerfTests.Harness.Data.Acquisition;

namespace PerfTests.Workloads.Tests.Data.Acquisition;

/// <summary>Generated file contents, one-set catalogs pointing at a loopback server, and a temporary cache folder.</summary>
internal sealed class AcquisitionFixture : IDisposable
{
    public const string SetName = "testset";
    public const string FileName = "data.bin";

    public AcquisitionFixture(int size = 300_000, int seed = 7)
    {
        Content = new byte[size];
        new Random(seed).NextBytes(Content);
        CacheDirectory = Path.Combine(Path.GetTempPath(), "perftests-acquisition-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(CacheDirectory);
    }

    public byte[] Content { get; }
    public string CacheDirectory { get; }
    public string SetDirectory => CacheLayout.SetDirectory(CacheDirectory, SetName);
    public string TargetPath => Path.Combine(SetDirectory, FileName);
    public string PartialPath => TargetPath + FileDownloader.PartialSuffix;
    public string Sha256 => Hash(Content);

    public static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public DownloadableFile File(IEnumerable<Uri> urls, string? sha256 = null, long? size = null, bool withReference = true) =>
        new(FileName, urls.ToList(), withReference ? sha256 ?? Sha256 : null, withReference ? size ?? Content.Length : null);

    public static DownloadCatalog Catalog(params DownloadableFile[] files) =>
        new([new DownloadableDataset(SetName, "generated test set", files)]);

    /// <summary>An acquirer over <paramref name="catalog"/> with retries quick enough for tests.</summary>
    public static DatasetAcquirer Acquirer(DownloadCatalog catalog, int attemptsPerSource = 3)
    {
        var http = FileDownloader.CreateHttpClient();
        return new DatasetAcquirer(catalog, http, new FileDownloader(http) { AttemptsPerSource = attemptsPerSource, StallTimeout = TimeSpan.FromSeconds(10) });
    }

    public void WritePartial(ReadOnlySpan<byte> bytes)
    {
        Directory.CreateDirectory(SetDirectory);
        System.IO.File.WriteAllBytes(PartialPath, bytes.ToArray());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(CacheDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
