namespace PerfTests.Harness.Reports;

public static class MarkdownTable
{
    public static string Render(ReportTable table, string rowHeader = "backend")
    {
        var lines = new List<string>
        {
            $"**{table.Title}**",
            "",
            $"| {rowHeader} | {string.Join(" | ", table.Columns)} |",
            $"|---|{string.Concat(table.Columns.Select(_ => "---:|"))}",
        };
        foreach (var row in table.Rows)
            lines.Add($"| {(row.Historical ? $"*{row.Label}*" : row.Label)} | {string.Join(" | ", row.Cells.Select(Cell))} |");
        return string.Join('\n', lines) + "\n";
    }

    private static string Cell(TableCell cell) => cell.Bold && cell.Text.Length > 0 ? $"**{cell.Text}**" : cell.Text;
}
