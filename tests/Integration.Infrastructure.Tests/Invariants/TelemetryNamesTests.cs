using System.Diagnostics.Metrics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Integration.BigCommerce.Webhooks;
using Integration.Core.Processing;
using Integration.Core.Telemetry;
using Integration.Infrastructure.Tests.Arm;
using Integration.Infrastructure.Tests.Bicep;
using Integration.Testing;
using Microsoft.Azure.Functions.Worker;

namespace Integration.Infrastructure.Tests.Invariants;

/// <summary>
/// infra/telemetry-names.json is the one list of names the alerts and the workbook query (both load it). Each name is
/// checked against the app that emits it (instrument, tag value, function, route), and every name a query filters on
/// must come from the list: a query on a name nothing emits is an alert that cannot fire.
/// </summary>
public sealed partial class TelemetryNamesTests(CompiledTemplate compiled)
{
    private static readonly JsonNode Names = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "infra", "telemetry-names.json")))!;

    [Fact]
    public void MetricNames_AreInstrumentsTheAppPublishes()
    {
        var published = PublishedInstruments();

        foreach (var (key, value) in Names["metrics"]!.AsObject())
        {
            Assert.True(published.Contains((string)value!), $"telemetry-names.json metrics.{key} = {value}: the app publishes no such instrument.");
        }
    }

    [Fact]
    public void TagValues_AreWhatTheAppRecords()
    {
        var decisionName = typeof(WebhookIntakeHandler).GetMethod("DecisionName", BindingFlags.NonPublic | BindingFlags.Static)!;
        Assert.Equal((string)Names["values"]!["publishFailed"]!, decisionName.Invoke(null, [WebhookDecision.PublishFailed]));
        Assert.Equal((string)Names["values"]!["publishTimedOut"]!, decisionName.Invoke(null, [WebhookDecision.PublishTimedOut]));
        // EventProcessor records the outcome as the enum's name in lower case.
        Assert.Equal((string)Names["values"]!["quarantined"]!, ProcessingOutcome.Quarantined.ToString().ToLowerInvariant());
    }

    [Fact]
    public void FunctionNamesAndWebhookPath_AreTheFunctionsAppsOwn()
    {
        var functions = typeof(Integration.Functions.Webhooks.WebhookFunction).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Select(m => (Method: m, Name: m.GetCustomAttribute<FunctionAttribute>()?.Name))
            .Where(f => f.Name is not null)
            .ToDictionary(f => f.Name!, f => f.Method);
        var consumers = Names["functions"]!["consumers"]!.AsArray().Select(n => (string)n!).ToList();

        Assert.Equal(
            functions.Where(f => f.Value.GetParameters().Any(p => p.GetCustomAttribute<Integration.Functions.Processing.ServiceBusTriggerAttribute>() is not null))
                .Select(f => f.Key).Order(),
            consumers.Order());
        Assert.True(functions.ContainsKey((string)Names["functions"]!["webhook"]!));
        var heartbeat = functions[(string)Names["functions"]!["heartbeat"]!];
        var timer = heartbeat.GetParameters().Select(p => p.GetCustomAttribute<TimerTriggerAttribute>()).Single(a => a is not null)!;
        Assert.Equal("0 */5 * * * *", timer.Schedule); // the heartbeat alert's 15-minute window holds three beats

        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json")))!;
        Assert.Equal($"/{(string)host["extensions"]!["http"]!["routePrefix"]!}/{WebhookEndpoint.Route}", (string)Names["webhookPath"]!);
    }

    [Fact]
    public void EveryNameAQueryFiltersOn_ComesFromTheList()
    {
        var allowed = AllStrings(Names).ToHashSet(StringComparer.Ordinal);
        // The worker's invocation spans: "function <Name>" (functions.spanPrefix and a function name of the list).
        var functions = Names["functions"]!.AsObject().Where(f => f.Key != "spanPrefix").SelectMany(f => AllStrings(f.Value)).ToList();
        allowed.UnionWith(functions.Select(f => (string)Names["functions"]!["spanPrefix"]! + f));
        var dimensions = Names["dimensions"]!.AsObject().Select(d => (string)d.Value!).ToHashSet(StringComparer.Ordinal);
        var queries = Queries().ToList();

        Assert.True(queries.Count >= 12, $"Expected the alerts' and the workbook's queries, found {queries.Count}.");
        foreach (var query in queries)
        {
            foreach (Match match in NameFilter().Matches(query))
            {
                foreach (var name in QuotedValue().Matches(match.Groups["values"].Value).Select(v => v.Groups[1].Value))
                {
                    Assert.True(allowed.Contains(name), $"A query filters on \"{name}\", which infra/telemetry-names.json does not list: {query}");
                }
            }

            foreach (Match match in Dimension().Matches(query))
            {
                Assert.True(dimensions.Contains(match.Groups[1].Value), $"A query reads customDimensions.{match.Groups[1].Value}, not in the list: {query}");
            }
        }
    }

    [Fact]
    public void NoQuery_FiltersRequestsOnNamesOpenTelemetryModeDoesNotEmit()
    {
        // In OpenTelemetry mode the HTTP request is named by its route and the invocation spans by the function
        // (a request or a dependency): operation_Name equality and "EventConsumer" suffixes match nothing reliably.
        Assert.All(Queries(), q =>
        {
            Assert.DoesNotContain("operation_Name", q, StringComparison.Ordinal);
            Assert.DoesNotContain("endswith \"EventConsumer\"", q, StringComparison.Ordinal);
        });
    }

    private IEnumerable<string> Queries() => MonitoringQueries.All(compiled.Template).Select(q => q.Query);

    private static HashSet<string> PublishedInstruments()
    {
        // Instruments declared in static fields exist once their type is initialised.
        RuntimeHelpers.RunClassConstructor(typeof(IntegrationTelemetry).TypeHandle);
        RuntimeHelpers.RunClassConstructor(typeof(Integration.BigCommerce.Client.RateLimitPacer).TypeHandle);
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == IntegrationTelemetry.Name)
            {
                lock (names)
                {
                    names.Add(instrument.Name);
                }
            }
        };
        listener.Start(); // publishes every instrument created so far
        lock (names)
        {
            return [.. names];
        }
    }

    private static IEnumerable<string> AllStrings(JsonNode? node) => node switch
    {
        JsonObject o => o.Where(p => p.Key != "$comment").SelectMany(p => AllStrings(p.Value)),
        JsonArray a => a.SelectMany(AllStrings),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [(string)v!],
        JsonValue v => [v.ToJsonString()],
        _ => [],
    };

    /// <summary><c>name == "x"</c>, <c>name in ("x", "y")</c>, <c>MetricName == "x"</c>, <c>tostring(…) in (…)</c>/<c>== "x"</c>.</summary>
    [GeneratedRegex("(?:\\bname|MetricName|\\))\\s*(?:==|in)\\s*(?<values>\\([^)]*\\)|\"[^\"]*\")")]
    private static partial Regex NameFilter();

    [GeneratedRegex("\"([^\"]*)\"")]
    private static partial Regex QuotedValue();

    [GeneratedRegex("customDimensions\\.([A-Za-z_]+)")]
    private static partial Regex Dimension();
}
