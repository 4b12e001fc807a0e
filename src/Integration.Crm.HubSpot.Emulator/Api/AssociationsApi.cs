using System.Globalization;
using System.Text.Json.Nodes;
using Integration.Crm.HubSpot.Emulator.State;

namespace Integration.Crm.HubSpot.Emulator.Api;

/// <summary>
/// Associations v4 with HubSpot-defined type ids (hubspot-facts.md §4): default and labelled associations between two
/// records, listing, removal, and the batch calls. Bodies must be spec arrays; the old <c>*_to_*</c> strings fail.
/// </summary>
internal static class AssociationsApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var records = app.MapGroup("/crm/v4/objects/{fromType}/{fromId}/associations");
        records.MapPut("/default/{toType}/{toId}", CreateDefault);
        records.MapPut("/{toType}/{toId}", CreateLabelledAsync);
        records.MapGet("/{toType}", List);
        records.MapDelete("/{toType}/{toId}", Remove);

        var batch = app.MapGroup("/crm/v4/associations/{fromType}/{toType}/batch");
        batch.MapPost("/associate/default", BatchDefaultAsync);
        batch.MapPost("/create", BatchCreateAsync);
        batch.MapPost("/read", BatchReadAsync);
        batch.MapPost("/archive", BatchArchiveAsync);
    }

    private static (CrmObjectType From, CrmObjectType To) Types(HttpContext context) =>
        (CrmObjectType.Find((string)context.Request.RouteValues["fromType"]!), CrmObjectType.Find((string)context.Request.RouteValues["toType"]!));

    private static string Route(HttpContext context, string name) => (string)context.Request.RouteValues[name]!;

    private static Task CreateDefault(HttpContext context)
    {
        var (from, to) = Types(context);
        var state = context.State();
        var started = state.Now;
        var results = state.Locked(() => new JsonArray(Default(state, from, Route(context, "fromId"), to, Route(context, "toId"))));
        return Http.Batch(context, started, results, [], 200, state.Now);
    }

    private static async Task CreateLabelledAsync(HttpContext context)
    {
        var (from, to) = Types(context);
        var specs = await Http.ReadAsync(context) as JsonArray
            ?? throw HubSpotApiError.Validation("Invalid input JSON: the body must be an array of {associationCategory, associationTypeId}.");
        var state = context.State();
        var json = state.Locked(() => Labelled(state, from, Route(context, "fromId"), to, Route(context, "toId"), specs));
        await Http.Reply(context, 201, json);
    }

    private static Task List(HttpContext context)
    {
        var (from, to) = Types(context);
        var state = context.State();
        var json = state.Locked(() =>
        {
            var record = state.Require(from, Route(context, "fromId"));
            return new JsonObject { ["results"] = Targets(state, from, record.Id, to) };
        });
        return Http.Reply(context, 200, json);
    }

    private static Task Remove(HttpContext context)
    {
        var (from, to) = Types(context);
        var state = context.State();
        state.Locked(() =>
        {
            state.Dissociate(from, long.Parse(Route(context, "fromId"), CultureInfo.InvariantCulture), to, long.Parse(Route(context, "toId"), CultureInfo.InvariantCulture));
            return 0;
        });
        return Http.Reply(context, 204);
    }

    private static async Task BatchDefaultAsync(HttpContext context)
    {
        var (from, to) = Types(context);
        var inputs = Http.Inputs(await Http.ReadObjectAsync(context), 2000);
        var state = context.State();
        var started = state.Now;
        var errors = new List<JsonObject>();
        var results = state.Locked(() => Http.EachInput(inputs, errors, i => Http.Text(i?["from"]?["id"]), input =>
            Default(state, from, Http.Text(input?["from"]?["id"]) ?? string.Empty, to, Http.Text(input?["to"]?["id"]) ?? string.Empty)));
        await Http.Batch(context, started, results, errors, 200, state.Now);
    }

    private static async Task BatchCreateAsync(HttpContext context)
    {
        var (from, to) = Types(context);
        var inputs = Http.Inputs(await Http.ReadObjectAsync(context), 2000);
        var state = context.State();
        var started = state.Now;
        var errors = new List<JsonObject>();
        var results = state.Locked(() => Http.EachInput(inputs, errors, i => Http.Text(i?["from"]?["id"]), input =>
            Labelled(state, from, Http.Text(input?["from"]?["id"]) ?? string.Empty, to, Http.Text(input?["to"]?["id"]) ?? string.Empty,
                input?["types"] as JsonArray ?? [])));
        await Http.Batch(context, started, results, errors, 201, state.Now);
    }

    private static async Task BatchReadAsync(HttpContext context)
    {
        var (from, to) = Types(context);
        var inputs = Http.Inputs(await Http.ReadObjectAsync(context), 1000);
        var state = context.State();
        var started = state.Now;
        var errors = new List<JsonObject>();
        var results = state.Locked(() => Http.EachInput(inputs, errors, i => Http.Text(i?["id"]), input =>
        {
            var id = Http.Text(input?["id"]) ?? string.Empty;
            var record = state.Require(from, id);
            return new JsonObject { ["from"] = new JsonObject { ["id"] = id }, ["to"] = Targets(state, from, record.Id, to) };
        }));
        await Http.Batch(context, started, results, errors, 200, state.Now);
    }

    private static async Task BatchArchiveAsync(HttpContext context)
    {
        var (from, to) = Types(context);
        var inputs = Http.Inputs(await Http.ReadObjectAsync(context), 2000);
        var state = context.State();
        state.Locked(() =>
        {
            foreach (var input in inputs)
            {
                if (long.TryParse(Http.Text(input?["from"]?["id"]), CultureInfo.InvariantCulture, out var fromId))
                {
                    foreach (var target in input?["to"] as JsonArray ?? [])
                    {
                        if (long.TryParse(Http.Text(target?["id"]), CultureInfo.InvariantCulture, out var toId))
                        {
                            state.Dissociate(from, fromId, to, toId);
                        }
                    }
                }
            }

            return 0;
        });
        await Http.Reply(context, 204);
    }

    private static JsonObject Default(CrmState state, CrmObjectType from, string fromId, CrmObjectType to, string toId)
    {
        var source = state.Require(from, fromId);
        var target = state.Require(to, toId);
        var typeId = AssociationTypes.Default(from, to);
        state.Associate(from, source.Id, to, target.Id, typeId);
        return new JsonObject
        {
            ["from"] = new JsonObject { ["id"] = fromId },
            ["to"] = new JsonObject { ["id"] = toId },
            ["associationSpec"] = new JsonObject { ["associationCategory"] = "HUBSPOT_DEFINED", ["associationTypeId"] = typeId },
        };
    }

    private static JsonObject Labelled(CrmState state, CrmObjectType from, string fromId, CrmObjectType to, string toId, JsonArray specs)
    {
        var source = state.Require(from, fromId);
        var target = state.Require(to, toId);
        var labels = new JsonArray();
        foreach (var spec in specs)
        {
            if (spec is not JsonObject specObject || Http.Text(specObject["associationCategory"]) is not { } category
                || specObject["associationTypeId"] is not JsonValue idValue || !idValue.TryGetValue<int>(out var typeId))
            {
                throw HubSpotApiError.Validation("Each association spec needs associationCategory and a numeric associationTypeId.");
            }

            if (category != "HUBSPOT_DEFINED")
            {
                throw HubSpotApiError.Validation($"The emulator knows HUBSPOT_DEFINED association types only, not {category}.");
            }

            state.Associate(from, source.Id, to, target.Id, typeId);
            AssociationTypes.TryGet(from, to, typeId, out _, out var label);
            if (label is not null)
            {
                labels.Add(label);
            }
        }

        return new JsonObject
        {
            ["fromObjectTypeId"] = from.TypeId,
            ["fromObjectId"] = source.Id,
            ["toObjectTypeId"] = to.TypeId,
            ["toObjectId"] = target.Id,
            ["labels"] = labels,
        };
    }

    private static JsonArray Targets(CrmState state, CrmObjectType from, long fromId, CrmObjectType to) =>
        new([.. state.AssociationsOf(from, fromId, to).GroupBy(a => a.To).OrderBy(g => g.Key).Select(g => (JsonNode)new JsonObject
        {
            ["toObjectId"] = g.Key,
            ["associationTypes"] = new JsonArray([.. g.Select(a =>
            {
                AssociationTypes.TryGet(from, to, a.TypeId, out _, out var label);
                return (JsonNode)new JsonObject { ["category"] = "HUBSPOT_DEFINED", ["typeId"] = a.TypeId, ["label"] = label };
            })]),
        })]);
}
