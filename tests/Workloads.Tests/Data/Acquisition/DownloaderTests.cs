using PerfTests.Harness.Data.Acquisition;

namespace PerfTests.Workloads.Tests.Data.Acquisition;

[Trait("Category", "Unit")]
public sealed class DownloaderTests : IDisposable
{
    private readonly AcquisitionFixture fixture = new();

    public void Dispose() => fixture.Dispose();

    [Fact]
    public async Task A_good_download_is_verified_and_put_in_place_with_progress()
    {
        using var server = new LoopbackServer(request => LoopbackResponse.HonouringRange(fixture.Content, request));
        var reports = new List<DownloadProgress>();
        var acquirer = AcquisitionFixture.Acquirer(AcquisitionFixture.Catalog(fixture.File([server.Url("data.bin")])));

        var directory = await acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: false, new SyncProgress(reports.Add));

        directory.Should().Be(fixture.SetDirectory);
        File.ReadAllBytes(fixture.TargetPath).Should().Equal(fixture.Content);
        File.Exists(fixture.PartialPath).Should().BeFalse();
        reports.Should().NotBeEmpty();
        reports[^1].Should().Match<DownloadProgress>(p => p.Completed && p.BytesReceived == fixture.Content.Length && p.TotalBytes == fixture.Content.Length);
        var report = await DatasetAcquirer.CheckAsync(acquirer.Catalog.Find(AcquisitionFixture.SetName), directory);
        report.State.Should().Be(SetState.Present);
        report.Files.Should().ContainSingle().Which.State.Should().Be(FileState.Verified);
    }

    [Fact]
    public async Task A_present_verified_set_is_not_downloaded_again()
    {
        using var server = new LoopbackServer(request => LoopbackResponse.HonouringRange(fixture.Content, request));
        var acquirer = AcquisitionFixture.Acquirer(AcquisitionFixture.Catalog(fixture.File([server.Url("data.bin")])));
        await acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: false);

        await acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: true);

        server.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task A_checksum_mismatch_names_the_file_and_both_hashes_and_leaves_nothing_in_place()
    {
        using var server = new LoopbackServer(request => LoopbackResponse.HonouringRange(fixture.Content, request));
        var expected = new string('0', 64);
        var acquirer = AcquisitionFixture.Acquirer(AcquisitionFixture.Catalog(fixture.File([server.Url("data.bin")], sha256: expected)));

        var act = () => acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: false);

        var error = (await act.Should().ThrowAsync<DownloadVerificationException>()).Which;
        error.Message.Should().Contain(AcquisitionFixture.FileName).And.Contain(expected).And.Contain(fixture.Sha256);
        error.ExpectedSha256.Should().Be(expected);
        error.ActualSha256.Should().Be(fixture.Sha256);
        File.Exists(fixture.TargetPath).Should().BeFalse();
        File.Exists(fixture.PartialPath).Should().BeFalse();
    }

    [Fact]
    public async Task A_response_shorter_than_the_reference_size_is_rejected_with_both_sizes()
    {
        var short_ = fixture.Content[..200_000];
        using var server = new LoopbackServer(_ => LoopbackResponse.Whole(short_));
        var acquirer = AcquisitionFixture.Acquirer(AcquisitionFixture.Catalog(fixture.File([server.Url("data.bin")])));

        var act = () => acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: false);

        var error = (await act.Should().ThrowAsync<DownloadVerificationException>()).Which;
        error.Message.Should().Contain(AcquisitionFixture.FileName).And.Contain("300,000").And.Contain("200,000");
        error.ExpectedSize.Should().Be(fixture.Content.Length);
        error.ActualSize.Should().Be(short_.Length);
        File.Exists(fixture.TargetPath).Should().BeFalse();
        File.Exists(fixture.PartialPath).Should().BeFalse();
    }

    [Fact]
    public async Task A_transfer_that_keeps_breaking_off_fails_and_is_never_used()
    {
        // Declares the whole length, sends half, hangs up; ignores Range, so no retry gets further.
        using var server = new LoopbackServer(_ => LoopbackResponse.Whole(fixture.Content) with { SendOnly = 150_000 });
        var acquirer = AcquisitionFixture.Acquirer(AcquisitionFixture.Catalog(fixture.File([server.Url("data.bin")])));

        var act = () => acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: false);

        var error = (await act.Should().ThrowAsync<DatasetUnavailableException>()).Which;
        error.Message.Should().Contain(AcquisitionFixture.FileName).And.Contain("broke off");
        server.Requests.Should().HaveCount(3);
        File.Exists(fixture.TargetPath).Should().BeFalse();
    }

    [Fact]
    public async Task A_transfer_without_reference_size_that_breaks_off_is_still_caught_by_content_length()
    {
        using var server = new LoopbackServer(_ => LoopbackResponse.Whole(fixture.Content) with { SendOnly = 150_000 });
        var acquirer = AcquisitionFixture.Acquirer(
            AcquisitionFixture.Catalog(fixture.File([server.Url("data.bin")], withReference: false)), attemptsPerSource: 1);

        var act = () => acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: false);

        await act.Should().ThrowAsync<DatasetUnavailableException>();
        File.Exists(fixture.TargetPath).Should().BeFalse();
    }

    [Fact]
    public async Task An_interrupted_transfer_resumes_with_a_range_request_and_fetches_only_the_rest()
    {
        int calls = 0;
        using var server = new LoopbackServer(request => Interlocked.Increment(ref calls) == 1
            ? LoopbackResponse.Whole(fixture.Content) with { SendOnly = 120_000 }
            : LoopbackResponse.HonouringRange(fixture.Content, request));
        var acquirer = AcquisitionFixture.Acquirer(AcquisitionFixture.Catalog(fixture.File([server.Url("data.bin")])));

        await acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: false);

        File.ReadAllBytes(fixture.TargetPath).Should().Equal(fixture.Content);
        var requests = server.Requests.ToList();
        requests.Should().HaveCount(2);
        requests[0].RangeStart.Should().BeNull();
        requests[1].RangeStart.Should().Be(120_000);
        server.BodyBytesSent.Should().Be(fixture.Content.Length);
    }

    [Fact]
    public async Task A_partial_file_from_an_earlier_run_is_resumed()
    {
        fixture.WritePartial(fixture.Content.AsSpan(0, 100_000));
        using var server = new LoopbackServer(request => LoopbackResponse.HonouringRange(fixture.Content, request));
        var acquirer = AcquisitionFixture.Acquirer(AcquisitionFixture.Catalog(fixture.File([server.Url("data.bin")])));

        await acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: false);

        File.ReadAllBytes(fixture.TargetPath).Should().Equal(fixture.Content);
        server.Requests.Should().ContainSingle().Which.RangeStart.Should().Be(100_000);
        server.BodyBytesSent.Should().Be(fixture.Content.Length - 100_000);
        File.Exists(fixture.PartialPath).Should().BeFalse();
    }

    [Fact]
    public async Task A_server_that_ignores_range_makes_the_download_restart_cleanly()
    {
        // The partial file holds bytes that are not the file's start: appending to it would corrupt the result.
        fixture.WritePartial(new byte[100_000]);
        using var server = new LoopbackServer(_ => LoopbackResponse.Whole(fixture.Content));
        var acquirer = AcquisitionFixture.Acquirer(AcquisitionFixture.Catalog(fixture.File([server.Url("data.bin")])));

        await acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: false);

        File.ReadAllBytes(fixture.TargetPath).Should().Equal(fixture.Content);
        server.Requests.Should().ContainSingle().Which.RangeStart.Should().Be(100_000);
    }

    [Fact]
    public async Task A_stale_partial_file_that_spoils_the_result_is_discarded_and_fetched_from_scratch()
    {
        fixture.WritePartial(new byte[100_000]);
        using var server = new LoopbackServer(request => LoopbackResponse.HonouringRange(fixture.Content, request));
        var acquirer = AcquisitionFixture.Acquirer(AcquisitionFixture.Catalog(fixture.File([server.Url("data.bin")])));

        await acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: false);

        File.ReadAllBytes(fixture.TargetPath).Should().Equal(fixture.Content);
        server.Requests.Select(r => r.RangeStart).Should().Equal(100_000, null);
    }

    [Fact]
    public async Task A_complete_partial_file_left_before_the_rename_is_verified_and_used()
    {
        fixture.WritePartial(fixture.Content);
        using var server = new LoopbackServer(request => LoopbackResponse.HonouringRange(fixture.Content, request));
        var acquirer = AcquisitionFixture.Acquirer(AcquisitionFixture.Catalog(fixture.File([server.Url("data.bin")])));

        await acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: false);

        File.ReadAllBytes(fixture.TargetPath).Should().Equal(fixture.Content);
        server.BodyBytesSent.Should().Be(0);
    }

    [Fact]
    public async Task A_mirror_is_used_when_the_primary_answers_404()
    {
        using var server = new LoopbackServer(request => request.Path.StartsWith("/mirror/", StringComparison.Ordinal)
            ? LoopbackResponse.HonouringRange(fixture.Content, request)
            : LoopbackResponse.NotFound);
        var acquirer = AcquisitionFixture.Acquirer(AcquisitionFixture.Catalog(
            fixture.File([server.Url("primary/data.bin"), server.Url("mirror/data.bin")])));

        await acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: false);

        File.ReadAllBytes(fixture.TargetPath).Should().Equal(fixture.Content);
        server.Requests.Select(r => r.Path).Should().Equal("/primary/data.bin", "/mirror/data.bin");
    }

    [Fact]
    public async Task A_mirror_is_used_when_the_primary_serves_corrupt_bytes()
    {
        var corrupt = (byte[])fixture.Content.Clone();
        corrupt[1234] ^= 0xFF;
        using var server = new LoopbackServer(request => request.Path.StartsWith("/mirror/", StringComparison.Ordinal)
            ? LoopbackResponse.HonouringRange(fixture.Content, request)
            : LoopbackResponse.Whole(corrupt));
        var acquirer = AcquisitionFixture.Acquirer(AcquisitionFixture.Catalog(
            fixture.File([server.Url("primary/data.bin"), server.Url("mirror/data.bin")])));

        await acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: false);

        File.ReadAllBytes(fixture.TargetPath).Should().Equal(fixture.Content);
    }

    [Fact]
    public async Task A_corrupt_file_in_place_is_moved_aside_and_downloaded_again()
    {
        Directory.CreateDirectory(fixture.SetDirectory);
        File.WriteAllBytes(fixture.TargetPath, new byte[fixture.Content.Length]);
        using var server = new LoopbackServer(request => LoopbackResponse.HonouringRange(fixture.Content, request));
        var log = new List<string>();
        var acquirer = new DatasetAcquirer(AcquisitionFixture.Catalog(fixture.File([server.Url("data.bin")]))) { Log = log.Add };

        await acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: false);

        File.ReadAllBytes(fixture.TargetPath).Should().Equal(fixture.Content);
        File.Exists(fixture.TargetPath + DatasetAcquirer.CorruptSuffix).Should().BeTrue();
        log.Should().Contain(line => line.Contains("corrupt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stalled_transfer_is_given_up_after_the_stall_timeout()
    {
        using var server = new LoopbackServer(_ => LoopbackResponse.Whole(fixture.Content) with { SendOnly = 50_000, HoldOpen = true });
        var http = FileDownloader.CreateHttpClient();
        var downloader = new FileDownloader(http) { AttemptsPerSource = 2, StallTimeout = TimeSpan.FromMilliseconds(300) };
        var acquirer = new DatasetAcquirer(AcquisitionFixture.Catalog(fixture.File([server.Url("data.bin")])), http, downloader);

        var act = () => acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: false);

        (await act.Should().ThrowAsync<DatasetUnavailableException>()).Which.Message.Should().Contain("stalled");
        File.Exists(fixture.TargetPath).Should().BeFalse();
    }

    [Fact]
    public async Task Cancelling_keeps_the_partial_file_for_a_later_resume_and_puts_nothing_in_place()
    {
        using var server = new LoopbackServer(_ => LoopbackResponse.Whole(fixture.Content) with { SendOnly = 50_000, HoldOpen = true });
        using var cancel = new CancellationTokenSource();
        var http = FileDownloader.CreateHttpClient();
        var downloader = new FileDownloader(http) { ProgressInterval = TimeSpan.Zero };
        var acquirer = new DatasetAcquirer(AcquisitionFixture.Catalog(fixture.File([server.Url("data.bin")])), http, downloader);
        var progress = new SyncProgress(p =>
        {
            if (p.BytesReceived >= 50_000) cancel.Cancel();
        });

        var act = () => acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: false, progress, cancel.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        File.Exists(fixture.TargetPath).Should().BeFalse();
        new FileInfo(fixture.PartialPath).Length.Should().Be(50_000);
    }

    [Fact]
    public async Task Progress_reports_rate_and_remaining_time_while_bytes_arrive()
    {
        using var server = new LoopbackServer(_ => LoopbackResponse.Whole(fixture.Content) with { SendOnly = 100_000, HoldOpen = true });
        using var cancel = new CancellationTokenSource();
        DownloadProgress? seen = null;
        var http = FileDownloader.CreateHttpClient();
        var downloader = new FileDownloader(http) { ProgressInterval = TimeSpan.Zero };
        var acquirer = new DatasetAcquirer(AcquisitionFixture.Catalog(fixture.File([server.Url("data.bin")])), http, downloader);
        var progress = new SyncProgress(p =>
        {
            if (p.BytesReceived < 100_000) return;
            seen = p;
            cancel.Cancel();
        });

        var act = () => acquirer.EnsureAsync(AcquisitionFixture.SetName, fixture.CacheDirectory, offline: false, progress, cancel.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        seen.Should().NotBeNull();
        seen!.TotalBytes.Should().Be(fixture.Content.Length);
        seen.Fraction.Should().BeApproximately(1 / 3.0, 0.01);
        seen.BytesPerSecond.Should().BePositive();
        seen.Remaining.Should().NotBeNull();
        seen.Completed.Should().BeFalse();
    }

    private sealed class SyncProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
