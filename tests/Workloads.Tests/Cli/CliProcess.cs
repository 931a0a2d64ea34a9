using System.Diagnostics;

namespace PerfTests.Workloads.Tests.Cli;

/// <summary>The perftests CLI as a user runs it: its own process, exit code and output, with a temporary cache and no network.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CliProcess(string cache, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args.Prepend(Path.Combine(AppContext.BaseDirectory, "perftests.dll"))) start.ArgumentList.Add(arg);
        start.Environment["PERFTESTS_CACHE"] = cache;
        start.Environment["PERFTESTS_DATA"] = null;
        start.Environment["PERFTESTS_OFFLINE"] = "1";
        start.Environment["PERFTESTS_DATASETS_MIRROR"] = null;
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>()) start.Environment[name] = value;
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Exited += (_, _) => _exited.TrySetResult();
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string cache, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        using var cli = new CliProcess(cache, environment, args);
        int exitCode = await cli.ExitCodeAsync(TimeSpan.FromMinutes(3));
        return (exitCode, cli.Output);
    }

    public async Task<int> ExitCodeAsync(TimeSpan limit)
    {
        await _exited.Task.WaitAsync(limit);
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    /// <summary>Waits until the output holds <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || clock.Elapsed > limit)
                throw new Xunit.Sdk.XunitException($"'{text}' never appeared; output so far:\n{Output}");
            await Task.Delay(50);
        }
    }

    public void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-" + name, _process.Id.ToString()]);
        kill.WaitForExit();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
