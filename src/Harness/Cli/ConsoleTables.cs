using PerfTests.Harness.Reports;
using Spectre.Console;

namespace PerfTests.Harness.Cli;

/// <summary>Renders a <see cref="ReportTable"/> to the terminal.</summary>
public static class ConsoleTables
{
    public static void Write(ReportTable table, string rowHeader = "backend")
    {
        var rendered = new Table().Title(Markup.Escape(table.Title)).AddColumn(rowHeader);
        foreach (var column in table.Columns) rendered.AddColumn(new TableColumn(Markup.Escape(column)).RightAligned());
        foreach (var row in table.Rows)
            rendered.AddRow([row.Historical ? $"[grey]{Markup.Escape(row.Label)}[/]" : Markup.Escape(row.Label), .. row.Cells.Select(c => c.Bold ? $"[bold green]{Markup.Escape(c.Text)}[/]" : Markup.Escape(c.Text))]);
        AnsiConsole.Write(rendered);
    }
}
