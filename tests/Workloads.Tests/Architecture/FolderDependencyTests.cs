using System.Text;
using System.Text.RegularExpressions;
using PerfTests.Workloads.Tests.Reports;

namespace PerfTests.Workloads.Tests.Architecture;

/// <summary>
/// The folders of src/Harness form a pipeline, Workloads → Data → Backends → Training → Measurements → Baselines → Reports,
/// with Devices below every stage and Gate and Cli on top: a folder may use the ones before it, never one after it.
/// These tests read the source (each folder's .cs files, comments left out) for every way one folder can name another.
/// </summary>
[Trait("Category", "Unit")]
public sealed partial class FolderDependencyTests
{
    /// <summary>What each folder may use besides itself. README.md, "Architecture", shows the same table.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>
    {
        ["Devices"] = [],
        ["Workloads"] = ["Devices"],
        ["Data"] = ["Devices", "Workloads"],
        ["Backends"] = ["Devices", "Workloads", "Data"],
        ["Training"] = ["Devices", "Workloads", "Data", "Backends"],
        ["Measurements"] = ["Devices", "Workloads", "Data", "Backends", "Training"],
        ["Baselines"] = ["Devices", "Workloads", "Data", "Backends", "Training", "Measurements"],
        ["Reports"] = ["Devices", "Workloads", "Data", "Backends", "Training", "Measurements", "Baselines"],
        ["Gate"] = ["Devices", "Workloads", "Data", "Backends", "Training", "Measurements", "Baselines", "Reports"],
        ["Cli"] = ["Devices", "Workloads", "Data", "Backends", "Training", "Measurements", "Baselines", "Reports", "Gate"],
    };

    /// <summary>The order the table must respect: a folder may only be allowed folders listed before it.</summary>
    private static readonly string[] Order =
        ["Devices", "Workloads", "Data", "Backends", "Training", "Measurements", "Baselines", "Reports", "Gate", "Cli"];

    [Fact]
    public void Every_folder_of_src_Harness_is_in_the_table()
    {
        var folders = Directory.GetDirectories(HarnessSource()).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj"));

        folders.Should().BeEquivalentTo(Allowed.Keys, "a new folder must be given its place in the pipeline");
    }

    [Fact]
    public void The_table_allows_no_folder_a_later_one()
    {
        Order.Should().BeEquivalentTo(Allowed.Keys);
        foreach (var (folder, allowed) in Allowed)
            allowed.Where(a => Array.IndexOf(Order, a) < 0 || Array.IndexOf(Order, a) >= Array.IndexOf(Order, folder)).Should()
                .BeEmpty($"{folder} may only use folders before it in {string.Join(" → ", Order)}");
    }

    [Fact]
    public void No_folder_uses_a_later_one()
    {
        var violations = SourceUses().Where(u => !Allowed[u.From].Contains(u.To))
            .Select(u => $"{u.File}:{u.Line}: {u.From} uses {u.To} in `{u.Text}`; {u.From} may use {(Allowed[u.From].Length == 0 ? "no other folder" : "only " + string.Join(", ", Allowed[u.From]))}");
        string.Join(Environment.NewLine, violations).Should().BeEmpty("no folder uses one after it in the pipeline");
    }

    [Fact]
    public void Every_file_declares_the_namespace_of_its_folder()
    {
        var root = HarnessSource();
        var wrong = new List<string>();
        foreach (var folder in Allowed.Keys)
        {
            foreach (var file in SourceFiles(Path.Combine(root, folder)))
            {
                foreach (Match declaration in NamespaceDeclaration().Matches(WithoutComments(File.ReadAllText(file))))
                {
                    var name = declaration.Groups[1].Value;
                    if (name != $"PerfTests.Harness.{folder}" && !name.StartsWith($"PerfTests.Harness.{folder}.", StringComparison.Ordinal))
                        wrong.Add($"{Path.GetRelativePath(root, file)}: namespace {name}");
                }
            }
        }

        wrong.Should().BeEmpty("a type declared in another folder's namespace would hide a dependency from this check");
    }

    [Theory]
    [InlineData("using PerfTests.Harness.Reports;", "Reports")]
    [InlineData("global using PerfTests.Harness.Reports;", "Reports")]
    [InlineData("using static PerfTests.Harness.Reports.SeedTables;", "Reports")]
    [InlineData("using Tables = PerfTests.Harness.Reports.SeedTables;", "Reports")]
    [InlineData("var t = global::PerfTests.Harness.Reports.SeedTables.Metric(a, b);", "Reports")]
    [InlineData("var t = Harness.Reports.SeedTables.Metric(a, b);", "Reports")]
    [InlineData("var seed = Training.RunRequest.DefaultSeed;", "Training")]
    [InlineData("Data.Acquisition.DownloadCatalog.Default.Find(x);", "Data")]
    [InlineData("var url = \"https://example.org/a\"; var s = Training.RunRequest.DefaultSeed;", "Training")]
    [InlineData("// using PerfTests.Harness.Reports;", "")]
    [InlineData("/* PerfTests.Harness.Reports.SeedTables */ int x;", "")]
    [InlineData("/// <see cref=\"Training.Trainer\"/>", "")]
    [InlineData("var name = run.Data.Name; var t = Training.Count;", "")]
    [InlineData("var device = request.Devices.Select(d => d);", "")]
    public void The_scanner_sees_each_way_of_naming_a_folder_and_nothing_in_comments(string source, string expected)
    {
        var declared = new Dictionary<string, HashSet<string>>
        {
            ["Reports"] = ["SeedTables"],
            ["Training"] = ["RunRequest", "Trainer"],
            ["Data"] = ["Acquisition", "DataCatalog"],
            ["Devices"] = ["DeviceKey"],
        };

        var used = Uses(WithoutComments(source), declared).Select(u => u.Folder).Distinct();

        used.Should().BeEquivalentTo(expected == "" ? [] : new[] { expected });
    }

    private sealed record SourceUse(string File, int Line, string From, string To, string Text);

    private static IEnumerable<SourceUse> SourceUses()
    {
        var root = HarnessSource();
        var declared = Allowed.Keys.ToDictionary(f => f, f => DeclaredNames(Path.Combine(root, f)));
        foreach (var folder in Allowed.Keys)
        {
            foreach (var file in SourceFiles(Path.Combine(root, folder)))
            {
                var code = WithoutComments(File.ReadAllText(file));
                var lines = code.Split('\n');
                foreach (var (to, index) in Uses(code, declared))
                {
                    if (to == folder) continue;
                    int line = code.AsSpan(0, index).Count('\n') + 1;
                    yield return new SourceUse(Path.GetRelativePath(root, file), line, folder, to, lines[line - 1].Trim());
                }
            }
        }
    }

    /// <summary>
    /// Every place <paramref name="code"/> names a folder's namespace: <c>PerfTests.Harness.X</c> in any using, alias or
    /// qualified name (also <c>Harness.X</c>), and <c>X.Name</c> qualified from inside PerfTests.Harness when Name is a type
    /// or sub-namespace declared in folder X (so a property that happens to be called Data is not taken for the folder).
    /// </summary>
    private static IEnumerable<(string Folder, int Index)> Uses(string code, IReadOnlyDictionary<string, HashSet<string>> declared)
    {
        foreach (Match match in HarnessQualified().Matches(code))
            if (declared.ContainsKey(match.Groups[1].Value)) yield return (match.Groups[1].Value, match.Index);
        foreach (Match match in FolderQualified().Matches(code))
            if (declared.TryGetValue(match.Groups[1].Value, out var names) && names.Contains(match.Groups[2].Value))
                yield return (match.Groups[1].Value, match.Index);
    }

    /// <summary>Types and sub-namespaces declared in a folder's source.</summary>
    private static HashSet<string> DeclaredNames(string folder)
    {
        var names = new HashSet<string>(Directory.GetDirectories(folder).Select(d => Path.GetFileName(d)!));
        foreach (var file in SourceFiles(folder))
            foreach (Match match in TypeDeclaration().Matches(WithoutComments(File.ReadAllText(file))))
                names.Add(match.Groups[1].Value);
        return names;
    }

    /// <summary>
    /// The source with // and /* */ comments blanked (line breaks kept, so line numbers hold). String and character
    /// literals are kept, so a "//" inside one is not taken for a comment.
    /// </summary>
    private static string WithoutComments(string source)
    {
        var code = new StringBuilder(source.Length);
        int i = 0;
        while (i < source.Length)
        {
            char c = source[i];
            char next = i + 1 < source.Length ? source[i + 1] : '\0';
            if (c == '/' && next == '/')
            {
                while (i < source.Length && source[i] != '\n') i++;
            }
            else if (c == '/' && next == '*')
            {
                int end = source.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? source.Length : end + 2;
                foreach (char skipped in source.AsSpan(i, end - i)) code.Append(skipped == '\n' ? '\n' : ' ');
                i = end;
            }
            else if (c == '"' || c == '\'')
            {
                int end = LiteralEnd(source, i);
                code.Append(source, i, end - i);
                i = end;
            }
            else
            {
                code.Append(c);
                i++;
            }
        }
        return code.ToString();
    }

    /// <summary>Where the string or character literal opening at <paramref name="start"/> ends (raw, verbatim or regular).</summary>
    private static int LiteralEnd(string source, int start)
    {
        char quote = source[start];
        int quotes = 0;
        while (start + quotes < source.Length && source[start + quotes] == '"') quotes++;
        if (quote == '"' && quotes >= 3)
        {
            int end = source.IndexOf(new string('"', quotes), start + quotes, StringComparison.Ordinal);
            return end < 0 ? source.Length : end + quotes;
        }
        bool verbatim = quote == '"' && start > 0 && (source[start - 1] == '@' || (source[start - 1] == '$' && start > 1 && source[start - 2] == '@'));
        int i = start + 1;
        while (i < source.Length)
        {
            if (!verbatim && source[i] == '\\') { i += 2; continue; }
            if (source[i] == quote)
            {
                if (verbatim && i + 1 < source.Length && source[i + 1] == '"') { i += 2; continue; }
                return i + 1;
            }
            if (!verbatim && source[i] == '\n') return i;
            i++;
        }
        return source.Length;
    }

    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal);

    private static string HarnessSource() => Path.Combine(ReportFixtures.RepositoryRoot(), "src", "Harness");

    [GeneratedRegex(@"(?:(?<![\w.])|(?<=\bPerfTests\.))Harness\.([A-Za-z_]\w*)")]
    private static partial Regex HarnessQualified();

    [GeneratedRegex(@"(?<![\w.])([A-Z]\w*)\.([A-Za-z_]\w*)")]
    private static partial Regex FolderQualified();

    [GeneratedRegex(@"\b(?:record\s+(?:struct|class)|class|struct|interface|enum|record|delegate\s+[\w<>\[\],.? ]+?)\s+([A-Za-z_]\w*)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"(?m)^\s*namespace\s+([\w.]+)")]
    private static partial Regex NamespaceDeclaration();
}
