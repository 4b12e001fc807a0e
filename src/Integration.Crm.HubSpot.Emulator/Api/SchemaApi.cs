using System.Text.Json.Nodes;
using Integration.Crm.HubSpot.Emulator.State;

namespace Integration.Crm.HubSpot.Emulator.Api;

/// <summary>Properties (<c>/crm/v3/properties/{objectType}</c>, create 201) and the deals pipeline (<c>/crm/v3/pipelines/deals</c>).</summary>
internal static class SchemaApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var properties = app.MapGroup("/crm/v3/properties/{objectType}");
        properties.MapGet("/", ListProperties);
        properties.MapGet("/{propertyName}", ReadProperty);
        properties.MapPost("/", CreatePropertyAsync);

        var pipelines = app.MapGroup("/crm/v3/pipelines/{objectType}");
        pipelines.MapGet("/", ListPipelines);
        pipelines.MapGet("/{pipelineId}", ReadPipeline);
    }

    private static CrmObjectType TypeOf(HttpContext context) => CrmObjectType.Find((string)context.Request.RouteValues["objectType"]!);

    private static Task ListProperties(HttpContext context)
    {
        var state = context.State();
        var type = TypeOf(context);
        var json = state.Locked(() => new JsonObject
        {
            ["results"] = new JsonArray([.. state.TableOf(type).Properties.Values.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => (JsonNode)p.ToJson())]),
        });
        return Http.Reply(context, 200, json);
    }

    private static Task ReadProperty(HttpContext context)
    {
        var state = context.State();
        var type = TypeOf(context);
        var name = (string)context.Request.RouteValues["propertyName"]!;
        var json = state.Locked(() => state.TableOf(type).Property(name)?.ToJson()
            ?? throw new HubSpotApiError(404, "OBJECT_NOT_FOUND", $"Unable to find property {name} for object type {type.TypeId}"));
        return Http.Reply(context, 200, json);
    }

    private static async Task CreatePropertyAsync(HttpContext context)
    {
        var type = TypeOf(context);
        var body = await Http.ReadObjectAsync(context);
        var state = context.State();
        var json = state.Locked(() => state.CreateProperty(type, body).ToJson());
        await Http.Reply(context, 201, json);
    }

    private static Task ListPipelines(HttpContext context)
    {
        RequireDeals(context);
        return Http.Reply(context, 200, new JsonObject { ["results"] = new JsonArray([.. Pipelines.Deals.Select(p => (JsonNode)Pipelines.ToJson(p))]) });
    }

    private static Task ReadPipeline(HttpContext context)
    {
        RequireDeals(context);
        var id = (string)context.Request.RouteValues["pipelineId"]!;
        var pipeline = Pipelines.Deals.FirstOrDefault(p => p.Id == id)
            ?? throw new HubSpotApiError(404, "OBJECT_NOT_FOUND", $"Unable to find pipeline {id}");
        return Http.Reply(context, 200, Pipelines.ToJson(pipeline));
    }

    private static void RequireDeals(HttpContext context)
    {
        if (TypeOf(context) != CrmObjectType.Deals)
        {
            throw HubSpotApiError.Validation("The emulator serves the deals pipeline only.");
        }
    }
}
