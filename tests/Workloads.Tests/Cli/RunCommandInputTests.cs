using System.Buffers.Binary;
using System.IO.Compression;
using PerfTests.Harness.Cli;
using PerfTests.Harness.Data.Formats;
using PerfTests.Harness.Devices;
using PerfTests.Harness.Measurements;

namespace PerfTests.Workloads.Tests.Cli;

/// <summary>
/// perftests run against bad options, bad data and interrupts: refused before training with the option named and exit
/// code 2; one broken unit fails alone (exit 1); a signal abandons the current unit, keeps the rest, exits 130.
/// </summary>
[Trait("Category", "Unit")]
public sealed class RunCommandInputTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private string Cache => _temp.Folder("cache");

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, string[], string?, string> BadOptions => new()
    {
        { "more threads than cores", ["--threads", "9999"], null, $"*--threads 9999 is out of range*use 1 to {Environment.ProcessorCount}*" },
        { "negative threads", ["--threads", "-3"], null, "*--threads -3 is out of range*" },
        { "absurd epochs", ["--epochs", "2147483647"], null, "*--epochs 2147483647 is out of range: use 1 to 1000*" },
        { "zero epochs", ["--epochs", "0"], null, "*--epochs 0 is out of range*" },
        { "zero samples", ["--samples", "0"], null, "*--samples 0 is out of range: use at least 1*" },
        { "data that does not exist", ["--data", "/nonexistent/perftests-data"], null, "*--data /nonexistent/perftests-data does not exist*" },
        { "data that is a file", ["--data", "{file}"], null, "*--data {file} is a file*" },
        { "out that is a file", ["--out", "{file}"], null, "*--out {file} is a file*" },
        { "out that cannot be created", ["--out", "{file}/results"], null, "*--out {file}/results cannot be written*" },
        { "offline that is neither", [], "maybe", "*$PERFTESTS_OFFLINE='maybe' is not one of 0, 1, true, false*" },
        { "an unknown option", ["--thread", "2"], null, "*Unknown option*thread*" },
        { "an unknown workload", ["-w", "mlp_minst"], null, "*Unknown workload 'mlp_minst'. Known: *" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task Run_BadOption_IsRefusedBeforeTrainingNamingTheOption(string name, string[] options, string? offline, string message)
    {
        var file = _temp.File("a-file");
        File.WriteAllText(file, "not a folder");
        string[] args = ["run", "-b", "managed", "-w", "mlp_mnist", "-p", "smoke", .. options.Select(o => o.Replace("{file}", file))];

        var (exitCode, output) = await CliProcess.RunAsync(Cache, new Dictionary<string, string?> { ["PERFTESTS_OFFLINE"] = offline ?? "1" }, args);

        exitCode.Should().Be(ExitCodes.BadInput, $"{name}: {output}");
        output.Should().Match(message.Replace("{file}", file)).And.NotContain("epoch 1/", "nothing is trained").And.NotContain("(Parameter '");
    }

    [Fact]
    public async Task Run_BrokenDataSetForOneWorkload_OthersStillRunTablesPrintExitIs1()
    {
        var npz = Path.Combine(_temp.Folder("data", "imdb"), "imdb.npz");
        WriteNpzWithVersion2HeaderLength(npz, uint.MaxValue);
        var results = _temp.Folder("results");

        var (exitCode, output) = await CliProcess.RunAsync(Cache, null,
            "run", "-b", "managed", "-w", "fasttext_imdb", "-w", "lstm_textgen", "-p", "smoke", "--data", _temp.Folder("data"), "--out", results);

        exitCode.Should().Be(ExitCodes.Failed, output);
        output.Should().Contain($"failed: {npz}!x_train.npy: truncated .npy header")
            .And.Contain("lstm_textgen: training loss")
            .And.Contain("1 of 2 runs failed");
        Directory.EnumerateFiles(results).Select(Path.GetFileName).Should().ContainSingle().Which.Should().StartWith("lstm_textgen.managed.");
    }

    [Fact]
    public async Task Run_ResultFileCannotBeWritten_KeepsTheRunInTheTablesAndRunsTheRest()
    {
        var results = _temp.Folder("results");
        // A folder where the mlp_mnist result file would go: writing it fails after training, as a full disk would.
        var device = DeviceDetector.Cpu(Environment.ProcessorCount).Key;
        Directory.CreateDirectory(Path.Combine(results, $"mlp_mnist.managed.{device}.smoke.json"));

        var (exitCode, output) = await CliProcess.RunAsync(Cache, null,
            "run", "-b", "managed", "-w", "mlp_mnist", "-w", "lstm_textgen", "-p", "smoke", "--out", results);

        exitCode.Should().Be(ExitCodes.Failed, output);
        output.Should().Contain("result not written:").And.Contain("mlp_mnist: validation").And.Contain("1 of 2 runs failed");
        System.Text.RegularExpressions.Regex.Matches(output, "│ managed │").Should().HaveCount(4, "both runs appear in both tables");
        File.Exists(Path.Combine(results, $"lstm_textgen.managed.{device}.smoke.json")).Should().BeTrue(output);
    }

    [Fact]
    public async Task Run_Signalled_AbandonsTheCurrentRunWritesNothingOfItAndExits130()
    {
        var results = _temp.Folder("results");
        using var cli = new CliProcess(Cache, null,
            "run", "-b", "managed", "-w", "mlp_mnist", "-w", "cnn_mnist", "-p", "smoke", "--epochs", "1000", "--out", results);
        await cli.WaitForOutputAsync("mlp_mnist epoch 2/1000", TimeSpan.FromMinutes(2));

        // SIGTERM, which the CLI handles as it handles Ctrl-C's SIGINT: a test host started in the background inherits
        // SIGINT ignored, and so would its child.
        cli.Signal("TERM");
        int exitCode = await cli.ExitCodeAsync(TimeSpan.FromMinutes(1));

        exitCode.Should().Be(ExitCodes.Interrupted, cli.Output);
        cli.Output.Should().Contain("Interrupted during mlp_mnist on managed; nothing of it was written. Completed 0 of 2 runs.")
            .And.NotContain("cnn_mnist on managed (cpu");
        Directory.EnumerateFileSystemEntries(results).Should().BeEmpty("no result, and no temporary file, of an abandoned run");
    }

    [Fact]
    public async Task Run_CachedFileThatVerifyCallsCorrupt_IsNotTrainedOn()
    {
        // A readable imdb.npz, but not the published one: its size and SHA-256 differ from the catalog's.
        var npz = Path.Combine(_temp.Folder("cache", "datasets", "imdb"), "imdb.npz");
        int[][] reviews = [.. Enumerable.Range(0, 300).Select(i => new[] { 1, 2 + i % 50, 3 })];
        long[] labels = [.. Enumerable.Range(0, 300).Select(i => (long)(i % 2))];
        NpzFile.Write(npz, new Dictionary<string, long[]> { ["y_train"] = labels, ["y_test"] = labels },
            new Dictionary<string, int[][]> { ["x_train"] = reviews, ["x_test"] = reviews });

        var verify = await CliProcess.RunAsync(Cache, null, "datasets", "verify", "imdb");
        var (exitCode, output) = await CliProcess.RunAsync(Cache, null, "run", "-b", "managed", "-w", "fasttext_imdb", "-p", "smoke");

        verify.ExitCode.Should().Be(ExitCodes.Failed, verify.Output);
        verify.Output.Should().Contain("corrupt");
        exitCode.Should().Be(ExitCodes.Failed, output);
        output.Should().Contain($"failed: {Path.GetDirectoryName(npz)} is corrupt: imdb.npz").And.Contain("Not training on it")
            .And.NotContain("epoch 1/");
    }

    private static void WriteNpzWithVersion2HeaderLength(string path, uint headerLength)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using var entry = zip.CreateEntry("x_train.npy").Open();
        var header = new byte[12];
        header[0] = 0x93;
        "NUMPY"u8.CopyTo(header.AsSpan(1));
        header[6] = 2;
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), headerLength);
        entry.Write(header);
        entry.Write("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }"u8);
    }
}
