using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace PerfTests.Harness.Data.Acquisition;

/// <summary>No source of a file could deliver it (unreachable, HTTP errors, or interrupted every time).</summary>
public sealed class FileDownloadException(string fileName, IReadOnlyList<string> sourceFailures)
    : IOException($"Could not download {fileName}:{Environment.NewLine}{string.Join(Environment.NewLine, sourceFailures.Select(f => "  " + f))}")
{
    public string FileName { get; } = fileName;
}

/// <summary>
/// Downloads one catalog file: streams into <c>&lt;file&gt;.part</c>, resumes a partial file with an HTTP Range
/// request when the server honours it (else starts over), checks size and checksum, and only then renames it
/// into place. Sources are tried in order; an interrupted transfer is retried (resuming) before moving on.
/// </summary>
public sealed class FileDownloader(HttpClient http)
{
    public const string PartialSuffix = ".part";

    /// <summary>Tries per source when a transfer breaks off midway (each try resumes what the last one left).</summary>
    public int AttemptsPerSource { get; init; } = 3;

    /// <summary>A transfer that delivers no bytes for this long counts as interrupted.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>An HttpClient suited to large downloads: no overall timeout (stalls are caught per read), no decompression.</summary>
    public static HttpClient CreateHttpClient()
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(20),
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = true,
        };
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("perftests", "1.0"));
        return client;
    }

    /// <summary>Downloads <paramref name="file"/> into <paramref name="directory"/> and returns the check that verified it, at its final path.</summary>
    /// <exception cref="DownloadVerificationException">A source delivered bytes that fail the size or checksum check (and no later source delivered good ones).</exception>
    /// <exception cref="FileDownloadException">No source delivered the file.</exception>
    public async Task<FileCheck> DownloadAsync(DownloadableFile file, string directory,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        var target = Path.Combine(directory, file.Name);
        var partial = target + PartialSuffix;
        var failures = new List<string>();
        DownloadVerificationException? rejected = null;

        foreach (var source in file.Urls)
        {
            bool builtOnEarlierBytes = false, retriedFromScratch = false;
            for (int attempt = 1; attempt <= AttemptsPerSource; attempt++)
            {
                var outcome = await TransferAsync(file, source, partial, progress, cancellationToken);
                builtOnEarlierBytes |= outcome.Resumed;
                if (outcome.Kind == TransferKind.Interrupted && attempt < AttemptsPerSource) continue;
                if (outcome.Kind != TransferKind.Complete)
                {
                    failures.Add($"{source}: {outcome.Reason}");
                    break;
                }

                var (check, rejection) = await VerifyPartialAsync(file, source, partial, cancellationToken);
                if (rejection is not null && builtOnEarlierBytes && !retriedFromScratch)
                {
                    // The resumed bytes may be what is wrong (a stale .part from another version or source): start over once.
                    retriedFromScratch = true;
                    builtOnEarlierBytes = false;
                    attempt = 0;
                    continue;
                }
                if (rejection is not null)
                {
                    rejected = rejection;
                    failures.Add($"{source}: {rejection.Message}");
                    break;
                }
                File.Move(partial, target, overwrite: true);
                long size = check.ActualSize!.Value;
                progress?.Report(new DownloadProgress(file.Name, size, size, 0, TimeSpan.Zero, Completed: true));
                return check with { Path = target };
            }
        }

        if (rejected is not null)
        {
            var message = failures.Count == 1 ? rejected.Message
                : $"{rejected.Message}{Environment.NewLine}All sources failed:{Environment.NewLine}{string.Join(Environment.NewLine, failures.Select(f => "  " + f))}";
            throw new DownloadVerificationException(rejected.FileName, rejected.SourceUrl, rejected.ExpectedSha256, rejected.ActualSha256,
                rejected.ExpectedSize, rejected.ActualSize, message);
        }
        throw new FileDownloadException(file.Name, failures);
    }

    private enum TransferKind { Complete, Interrupted, Failed }

    /// <param name="Resumed">The partial file's earlier bytes were kept and appended to.</param>
    private sealed record TransferOutcome(TransferKind Kind, string Reason = "", bool Resumed = false);

    /// <summary>One HTTP request: appends to (or restarts) the partial file until the response ends.</summary>
    private async Task<TransferOutcome> TransferAsync(DownloadableFile file, Uri source, string partial,
        IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        long offset = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (file.Size is { } knownSize && offset > knownSize)
        {
            File.Delete(partial);
            offset = 0;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, source);
        if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            return new TransferOutcome(TransferKind.Failed, $"unreachable ({e.Message})");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new TransferOutcome(TransferKind.Failed, "unreachable (connection timed out)");
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && offset > 0)
            {
                // The partial file may already hold every byte (an earlier run stopped before the rename).
                if (file.Size == offset) return new TransferOutcome(TransferKind.Complete, Resumed: true);
                File.Delete(partial);
                return new TransferOutcome(TransferKind.Interrupted, "server refused to resume; restarting");
            }
            if (!response.IsSuccessStatusCode)
                return new TransferOutcome(TransferKind.Failed, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");

            bool resumed = offset > 0 && response.StatusCode == HttpStatusCode.PartialContent
                           && response.Content.Headers.ContentRange?.From == offset;
            if (!resumed) offset = 0;
            long? total = file.Size
                          ?? response.Content.Headers.ContentRange?.Length
                          ?? (response.Content.Headers.ContentLength is { } length ? offset + length : null);

            FileStream output;
            try
            {
                output = new FileStream(partial, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            }
            catch (IOException e)
            {
                return new TransferOutcome(TransferKind.Failed, $"cannot write {partial} (another download of it running?): {e.Message}");
            }

            await using (output)
            {
                return await CopyBodyAsync(file.Name, response, output, offset, total, progress, cancellationToken) with { Resumed = resumed };
            }
        }
    }

    private async Task<TransferOutcome> CopyBodyAsync(string fileName, HttpResponseMessage response, FileStream output,
        long offset, long? total, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var nextReport = TimeSpan.Zero;
        long received = 0;
        var buffer = new byte[1 << 16];
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            while (true)
            {
                stall.CancelAfter(StallTimeout);
                int read = await body.ReadAsync(buffer, stall.Token);
                if (read == 0) break;
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                received += read;
                if (progress is not null && clock.Elapsed >= nextReport)
                {
                    nextReport = clock.Elapsed + ProgressInterval;
                    progress.Report(Snapshot(fileName, offset + received, total, received, clock.Elapsed));
                }
            }
            await output.FlushAsync(cancellationToken);
            output.Flush(flushToDisk: true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new TransferOutcome(TransferKind.Interrupted, $"stalled: no data for {StallTimeout.TotalSeconds:F0} s after {offset + received:N0} bytes");
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return new TransferOutcome(TransferKind.Interrupted, $"transfer broke off after {offset + received:N0}{(total is { } t ? $" of {t:N0}" : "")} bytes ({e.Message})");
        }

        progress?.Report(Snapshot(fileName, offset + received, total, received, clock.Elapsed));
        return new TransferOutcome(TransferKind.Complete);
    }

    private static DownloadProgress Snapshot(string fileName, long have, long? total, long receivedThisAttempt, TimeSpan elapsed)
    {
        double rate = elapsed.TotalSeconds > 0 ? receivedThisAttempt / elapsed.TotalSeconds : 0;
        TimeSpan? remaining = total is { } t && rate > 0 ? TimeSpan.FromSeconds(Math.Max(0, t - have) / rate) : null;
        return new DownloadProgress(fileName, have, total, rate, remaining);
    }

    /// <summary>Checks a finished partial file; deletes it and returns the error as well when it is not the catalog's file.</summary>
    private static async Task<(FileCheck Check, DownloadVerificationException? Rejection)> VerifyPartialAsync(DownloadableFile file, Uri source,
        string partial, CancellationToken cancellationToken)
    {
        var check = await FileVerifier.CheckAsync(file, partial, cancellationToken);
        if (check.State != FileState.Corrupt) return (check, null);
        File.Delete(partial);
        long actualSize = check.ActualSize ?? 0;
        string what = file.Size is { } expectedSize && actualSize != expectedSize
            ? $"expected {expectedSize:N0} bytes, got {actualSize:N0} (truncated or wrong file)"
            : file.Sha256 is not null
                ? $"expected sha256 {file.Sha256}, got {check.ActualSha256}"
                : check.Detail;
        return (check, new DownloadVerificationException(file.Name, source, file.Sha256, check.ActualSha256, file.Size, actualSize,
            $"Downloaded {file.Name} from {source} failed verification: {what}. The download was deleted; nothing was put in place."));
    }
}
