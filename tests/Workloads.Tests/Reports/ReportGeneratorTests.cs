using PerfTests.Harness.Measurements;
using PerfTests.Harness.Reports;
using static PerfTests.Workloads.Tests.Reports.ReportFixtures;

namespace PerfTests.Workloads.Tests.Reports;

[Trait("Category", "Unit")]
public sealed class ReportGeneratorTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private string Results => Path.Combine(_temp.Path, "results");
    private static string Baselines => Path.Combine(RepositoryRoot(), "baselines");

    public ReportGeneratorTests()
    {
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1") WriteFixtureFiles();
        foreach (var file in Directory.EnumerateFiles(FixtureDirectory, "*.json", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(Results, Path.GetRelativePath(FixtureDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Generate_FixedResults_MatchesExpectedMarkdown()
    {
        var expectedPath = Path.Combine(ReportsTestDirectory, "Expected", "report.md");
        var markdown = ReportGenerator.Generate(new ReportOptions(Results, Baselines)).Markdown;

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(expectedPath)!);
            File.WriteAllText(expectedPath, markdown);
        }
        markdown.Should().Be(File.ReadAllText(expectedPath), $"the report changed; if intended, rerun with {UpdateVariable}=1 and review the diff");
    }

    [Fact]
    public void Fixtures_CheckedInFiles_AreTheFixtureResults()
    {
        ResultFiles.ReadAll(FixtureDirectory).Should().BeEquivalentTo(All);
    }

    [Fact]
    public void Generate_MarkdownOption_WritesTheSameMarkdownToTheFile()
    {
        var path = Path.Combine(_temp.Path, "out", "report.md");
        var output = ReportGenerator.Generate(new ReportOptions(Results, Baselines, Markdown: path));
        File.ReadAllText(path).Should().Be(output.Markdown);
        output.Written.Should().Equal(path);
    }

    [Fact]
    public void Generate_MarkdownAndCharts_FileLinksEveryChartRelativeToItself()
    {
        var markdownPath = Path.Combine(_temp.Path, "out", "report.md");
        var charts = Path.Combine(_temp.Path, "out", "charts of run 1");

        var output = ReportGenerator.Generate(new ReportOptions(Results, Baselines, Markdown: markdownPath, Charts: charts));

        var file = File.ReadAllText(markdownPath);
        var links = System.Text.RegularExpressions.Regex.Matches(file, @"!\[[^\]]+\]\(([^)]+)\)").Select(m => m.Groups[1].Value).ToList();
        links.Should().HaveCount(2 * output.Model.Sections.Count).And.Contain("charts%20of%20run%201/mlp_mnist.full.seconds-per-epoch.svg");
        links.Should().OnlyContain(link => File.Exists(Path.Combine(_temp.Path, "out", link.Replace("%20", " "))));
        output.Markdown.Should().NotContain("![", "standard output and the step summary cannot show the chart files");
    }

    [Fact]
    public void Generate_MalformedJson_ErrorNamesTheFile()
    {
        var bad = Path.Combine(Results, "broken", "mlp_mnist.torchsharp.cpu.ci.json");
        Directory.CreateDirectory(Path.GetDirectoryName(bad)!);
        File.WriteAllText(bad, "{ \"workload\": \"mlp_mnist\", ");

        var act = () => ReportGenerator.Generate(new ReportOptions(Results));

        act.Should().Throw<InvalidDataException>().Where(e => e.Message.StartsWith(bad) && e.Message.Contains("not a valid result file"));
    }

    [Fact]
    public void Generate_ResultWithNullWorkload_ErrorNamesTheFileAndTheField()
    {
        var path = ResultFiles.Write(All[0], Path.Combine(Results, "extra"));
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"workload\": \"mlp_mnist\"", "\"workload\": null"));

        var act = () => ReportGenerator.Generate(new ReportOptions(Results));

        act.Should().Throw<InvalidDataException>().Where(e => e.Message.StartsWith(path) && e.Message.Contains("workload missing"));
    }

    [Fact]
    public void Generate_JsonWrittenIntoTheResultsFolder_IsNotReadBackAsAResult()
    {
        var json = Path.Combine(Results, "report.json");
        var options = new ReportOptions(Results, Baselines, Json: json);

        var first = ReportGenerator.Generate(options);
        var second = ReportGenerator.Generate(options);

        second.Markdown.Should().Be(first.Markdown);
    }

    [Fact]
    public void Generate_EmptyFolder_IsAnError()
    {
        var empty = Path.Combine(_temp.Path, "empty");
        Directory.CreateDirectory(empty);

        var act = () => ReportGenerator.Generate(new ReportOptions(empty));

        act.Should().Throw<InvalidDataException>().WithMessage("*no result files*");
    }

    [Fact]
    public void Generate_StepSummary_AppendsTheMarkdownAfterExistingContent()
    {
        var summary = Path.Combine(_temp.Path, "step-summary.md");
        File.WriteAllText(summary, "# Earlier step\n\n");

        var output = ReportGenerator.Generate(new ReportOptions(Results, StepSummary: summary));

        File.ReadAllText(summary).Should().Be("# Earlier step\n\n" + output.Markdown + "\n");
    }

    [Fact]
    public void ReportCommand_GithubStepSummarySet_AppendsAndWritesOutputs()
    {
        var summary = Path.Combine(_temp.Path, "summary.md");
        var json = Path.Combine(_temp.Path, "report.json");
        var csv = Path.Combine(_temp.Path, "epochs.csv");
        var markdown = Path.Combine(_temp.Path, "report.md");
        var previous = Environment.GetEnvironmentVariable("GITHUB_STEP_SUMMARY");
        Environment.SetEnvironmentVariable("GITHUB_STEP_SUMMARY", summary);
        try
        {
            var app = new Spectre.Console.Cli.CommandApp<PerfTests.Harness.Cli.ReportCommand>();
            var exit = app.Run([Results, "--baselines", Baselines, "--out", markdown, "--json", json, "--csv", csv]);

            exit.Should().Be(0);
            File.ReadAllText(summary).Should().Be(File.ReadAllText(markdown) + "\n");
            File.Exists(json).Should().BeTrue();
            File.Exists(csv).Should().BeTrue();
        }
        finally
        {
            Environment.SetEnvironmentVariable("GITHUB_STEP_SUMMARY", previous);
        }
    }

    [Fact]
    public void ReportCommand_MalformedResult_ExitsWithTwo()
    {
        File.WriteAllText(Path.Combine(Results, "junk.json"), "not json");
        var app = new Spectre.Console.Cli.CommandApp<PerfTests.Harness.Cli.ReportCommand>();

        app.Run([Results, "--baselines", Baselines]).Should().Be(2);
    }
}
