using System.Text.Json.Nodes;

namespace Integration.Crm.HubSpot.Emulator.State;

/// <summary>The stock deals pipeline (id <c>default</c>) every portal starts with (hubspot-facts.md §5).</summary>
internal static class Pipelines
{
    internal sealed record Stage(string Id, string Label, double Probability, bool IsClosed);

    internal sealed record Pipeline(string Id, string Label, IReadOnlyList<Stage> Stages);

    public static readonly IReadOnlyList<Pipeline> Deals =
    [
        new("default", "Sales Pipeline",
        [
            new("appointmentscheduled", "Appointment Scheduled", 0.2, false),
            new("qualifiedtobuy", "Qualified To Buy", 0.4, false),
            new("presentationscheduled", "Presentation Scheduled", 0.6, false),
            new("decisionmakerboughtin", "Decision Maker Bought-In", 0.8, false),
            new("contractsent", "Contract Sent", 0.9, false),
            new("closedwon", "Closed Won", 1.0, true),
            new("closedlost", "Closed Lost", 0.0, true),
        ]),
    ];

    public static JsonObject ToJson(Pipeline pipeline)
    {
        var created = Json.Time(DateTimeOffset.UnixEpoch);
        return new JsonObject
        {
            ["id"] = pipeline.Id,
            ["label"] = pipeline.Label,
            ["displayOrder"] = 0,
            ["createdAt"] = created,
            ["updatedAt"] = created,
            ["archived"] = false,
            ["stages"] = new JsonArray([.. pipeline.Stages.Select((s, i) => (JsonNode)new JsonObject
            {
                ["id"] = s.Id,
                ["label"] = s.Label,
                ["displayOrder"] = i,
                ["metadata"] = new JsonObject
                {
                    ["isClosed"] = s.IsClosed ? "true" : "false",
                    ["probability"] = s.Probability.ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
                ["createdAt"] = created,
                ["updatedAt"] = created,
                ["archived"] = false,
                ["writePermissions"] = "CRM_PERMISSIONS_ENFORCEMENT",
            })]),
        };
    }
}
