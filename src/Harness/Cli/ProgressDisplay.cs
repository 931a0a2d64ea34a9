using PerfTests.Harness.Training;
using Spectre.Console;

namespace PerfTests.Harness.Cli;

/// <summary>
/// Progress for a training run: a live bar with ETA in an interactive terminal, plain lines
/// (one per epoch, one every 10 seconds, one when a long epoch starts validating) when output is redirected,
/// so CI logs stay readable.
/// </summary>
public static class ProgressDisplay
{
    public static T Run<T>(string title, Func<IProgress<TrainingEvent>, Action<string>, T> work)
    {
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
        {
            // Refreshed from the trainer's thread between steps, not by Spectre's own render thread: a step's allocations are
            // counted on every thread, and the renderer's must not land among them.
            var lastRefresh = DateTime.UtcNow;
            return AnsiConsole.Progress()
                .AutoRefresh(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(title), maxValue: 1);
                    var progress = new SynchronousProgress<TrainingEvent>(e =>
                    {
                        switch (e)
                        {
                            case EpochStarted s:
                                task.MaxValue = (double)s.Epochs * s.Batches;
                                task.Description = Markup.Escape($"{title} epoch {s.Epoch}/{s.Epochs}");
                                ctx.Refresh();
                                break;
                            case BatchCompleted b:
                                task.Value = (double)(b.Epoch - 1) * b.Batches + b.Batch;
                                if (DateTime.UtcNow - lastRefresh > TimeSpan.FromMilliseconds(100))
                                {
                                    lastRefresh = DateTime.UtcNow;
                                    ctx.Refresh();
                                }
                                break;
                            case ValidationStarted v:
                                task.Description = Markup.Escape($"{title} epoch {v.Epoch} validating");
                                ctx.Refresh();
                                break;
                            case EpochCompleted c:
                                AnsiConsole.MarkupLineInterpolated($"  {PlainLine(c)}");
                                break;
                        }
                    });
                    var result = work(progress, line => AnsiConsole.MarkupLineInterpolated($"  [grey]{line}[/]"));
                    task.Value = task.MaxValue;
                    return result;
                });
        }

        var last = DateTime.UtcNow;
        var epochStart = DateTime.UtcNow;
        var plain = new SynchronousProgress<TrainingEvent>(e =>
        {
            switch (e)
            {
                case EpochStarted:
                    epochStart = DateTime.UtcNow;
                    break;
                // Only for epochs long enough that a silent validation pass would look like a hang.
                case ValidationStarted v when DateTime.UtcNow - epochStart > TimeSpan.FromSeconds(10):
                    last = DateTime.UtcNow;
                    Console.WriteLine($"  {title} epoch {v.Epoch}: validating ({v.Batches} batches)");
                    break;
                case BatchCompleted b when DateTime.UtcNow - last > TimeSpan.FromSeconds(10):
                    last = DateTime.UtcNow;
                    Console.WriteLine($"  {title} epoch {b.Epoch}: batch {b.Batch}/{b.Batches}, loss {b.Loss:F4}");
                    break;
                case EpochCompleted c:
                    last = DateTime.UtcNow;
                    Console.WriteLine($"  {PlainLine(c)}");
                    break;
            }
        });
        return work(plain, line => Console.WriteLine($"  {line}"));
    }

    private static string PlainLine(EpochCompleted c) =>
        $"{c.Workload} epoch {c.Measurement.Epoch}/{c.Epochs}: loss {c.Measurement.TrainLoss:F4}, " +
        $"val loss {c.Measurement.ValidationLoss:F4}, val acc {c.Measurement.ValidationAccuracy:F4}, {c.Measurement.Seconds:F2} s";
}

/// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
public sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
