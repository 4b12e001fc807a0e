using System.Text.RegularExpressions;

namespace Integration.Testing.Telemetry;

/// <summary>What a query names, checked against captured rows: each thing that is not there is a problem.</summary>
/// <param name="Query">The KQL text.</param>
/// <param name="Checked">Each name, dimension key, URL suffix and column the query reads, with the table(s) it was found in.</param>
/// <param name="Problems">Each one that no captured row has.</param>
/// <param name="NotAppTelemetry">Tables the query reads that are not the app's telemetry (e.g. <c>AzureMetrics</c>), not checked.</param>
public sealed record QueryCheckResult(string Query, IReadOnlyList<string> Checked, IReadOnlyList<string> Problems, IReadOnlyList<string> NotAppTelemetry);

/// <summary>
/// Checks a log query of an alert rule or a workbook against the Application Insights rows an app really sent: the
/// tables it reads (each <c>union a, b</c> list or single table starts a part that runs to the next table), and in each
/// part the names it filters on (<c>name == "x"</c>, <c>name in ("x", "y")</c>), the <c>customDimensions</c> keys it
/// reads (on rows of those names), <c>url endswith "…"</c>, and the columns <c>success</c>, <c>duration</c>,
/// <c>resultCode</c>, <c>url</c>, <c>value*</c>. Something no captured row has is a query that can never match what the
/// app emits. Not a KQL engine: it reads the shapes this project's queries use, and values (<c>== "quarantined"</c>)
/// are not required to have occurred.
/// </summary>
public static partial class QueryTelemetryCheck
{
    /// <summary>The Application Insights tables an app's exporter fills.</summary>
    public static readonly IReadOnlySet<string> AppTables = new HashSet<string>(StringComparer.Ordinal)
    {
        "requests", "dependencies", "traces", "exceptions", "customMetrics", "customEvents", "pageViews", "availabilityResults",
    };

    private static readonly string[] CheckedColumns = ["success", "duration", "resultCode", "url", "valueSum", "valueMin", "valueMax", "valueCount"];

    public static QueryCheckResult Check(string query, IReadOnlyList<TelemetryItem> rows)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(rows);
        var checkedItems = new List<string>();
        var problems = new List<string>();
        var notApp = new List<string>();
        foreach (var part in Parts(query))
        {
            var foreign = part.Tables.Where(t => !AppTables.Contains(t)).ToList();
            if (foreign.Count > 0)
            {
                notApp.AddRange(foreign);
                continue;
            }

            var tables = string.Join("+", part.Tables);
            var inTables = rows.Where(r => part.Tables.Contains(r.Table)).ToList();
            if (inTables.Count == 0)
            {
                problems.Add($"{tables}: no row was captured in {(part.Tables.Count == 1 ? "this table" : "any of these tables")}");
                continue;
            }

            var names = Names(part.Text).ToList();
            foreach (var name in names)
            {
                Require(inTables.Any(r => r.Name == name), $"{tables} name \"{name}\"");
            }

            // Dimension keys and columns are looked for on the rows of the names filtered on (all rows if none).
            var named = names.Count == 0 ? inTables : inTables.Where(r => names.Contains(r.Name!)).ToList();
            foreach (var key in Dimension().Matches(part.Text).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal))
            {
                Require(named.Any(r => r.CustomDimensions.ContainsKey(key)), $"{tables} customDimensions.{key}" + (names.Count > 0 ? $" on {string.Join(", ", names)}" : string.Empty));
            }

            foreach (var suffix in UrlSuffix().Matches(part.Text).Select(m => m.Groups[1].Value))
            {
                Require(inTables.Any(r => r.Columns.GetValueOrDefault("url")?.EndsWith(suffix, StringComparison.Ordinal) == true), $"{tables} url endswith \"{suffix}\"");
            }

            var code = Masked(part.Text);
            foreach (var column in CheckedColumns.Where(c => Regex.IsMatch(code, $@"\b{c}\b")))
            {
                Require(named.Any(r => r.Columns.GetValueOrDefault(column) is not null), $"{tables} column {column}");
            }
        }

        return new QueryCheckResult(query, checkedItems, problems, notApp);

        void Require(bool found, string what)
        {
            checkedItems.Add(what);
            if (!found)
            {
                problems.Add($"{what}: never emitted");
            }
        }
    }

    /// <summary>The parts of a query: a table, or a <c>union</c> list of them, and the text up to the next table.</summary>
    internal static List<(List<string> Tables, string Text)> Parts(string query)
    {
        var code = Masked(query);
        var mentions = TableMention().Matches(code).Where(m => !IsColumnOrFunction(code, m)).ToList();
        var groups = new List<(List<string> Tables, int Start, int TextStart)>();
        for (var i = 0; i < mentions.Count; i++)
        {
            var m = mentions[i];
            if (i > 0 && code[groups[^1].TextStart..m.Index].Trim() == ",")
            {
                groups[^1].Tables.Add(m.Value);
                groups[^1] = (groups[^1].Tables, groups[^1].Start, m.Index + m.Length);
            }
            else
            {
                groups.Add(([m.Value], m.Index, m.Index + m.Length));
            }
        }

        return groups.Select((g, i) => (g.Tables, query[g.TextStart..(i + 1 < groups.Count ? groups[i + 1].Start : query.Length)])).ToList();
    }

    private static bool IsColumnOrFunction(string code, Match m)
    {
        // "requests" etc. as a table: not a property (x.requests), not a call (requests(...)).
        var before = m.Index > 0 ? code[m.Index - 1] : ' ';
        var after = m.Index + m.Length < code.Length ? code[m.Index + m.Length] : ' ';
        return before == '.' || after == '(';
    }

    private static IEnumerable<string> Names(string text) =>
        NameFilter().Matches(text).SelectMany(m => Quoted().Matches(m.Groups["values"].Value).Select(v => v.Groups[1].Value)).Distinct(StringComparer.Ordinal);

    /// <summary>The query with the contents of its string literals blanked (same length), so words in them are not read as code.</summary>
    private static string Masked(string query) => Quoted().Replace(query, m => "\"" + new string(' ', m.Length - 2) + "\"");

    [GeneratedRegex(@"\b(requests|dependencies|traces|exceptions|customMetrics|customEvents|pageViews|availabilityResults|AzureMetrics|AzureDiagnostics)\b")]
    private static partial Regex TableMention();

    [GeneratedRegex("(?<![A-Za-z_.])name\\s*(?:==|in)\\s*(?<values>\\([^)]*\\)|\"[^\"]*\")")]
    private static partial Regex NameFilter();

    [GeneratedRegex("customDimensions\\.([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Dimension();

    [GeneratedRegex("\\burl\\s+endswith\\s+\"([^\"]*)\"")]
    private static partial Regex UrlSuffix();

    [GeneratedRegex("\"([^\"]*)\"")]
    private static partial Regex Quoted();
}
