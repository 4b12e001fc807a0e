using System.Globalization;
using System.Text.Json.Nodes;
using Integration.Crm.HubSpot.Emulator.State;

namespace Integration.Crm.HubSpot.Emulator.Api;

/// <summary>
/// CRM objects v3 (<c>/crm/v3/objects/{objectType}</c>): create 201, read/update 200, archive 204, list, batch
/// create (201/207), read/update/upsert (200/207), archive (204), and search (<see cref="SearchApi"/>).
/// </summary>
internal static class ObjectsApi
{
    internal const int BatchLimit = 100;

    public static void Map(IEndpointRouteBuilder app)
    {
        var objects = app.MapGroup("/crm/v3/objects/{objectType}");
        objects.MapPost("/", CreateAsync);
        objects.MapGet("/", List);
        objects.MapGet("/{objectId}", Read);
        objects.MapPatch("/{objectId}", UpdateAsync);
        objects.MapDelete("/{objectId}", Archive);
        objects.MapPost("/batch/create", BatchCreateAsync);
        objects.MapPost("/batch/read", BatchReadAsync);
        objects.MapPost("/batch/update", BatchUpdateAsync);
        objects.MapPost("/batch/upsert", BatchUpsertAsync);
        objects.MapPost("/batch/archive", BatchArchiveAsync);
        objects.MapPost("/search", SearchApi.SearchAsync);
    }

    private static CrmObjectType TypeOf(HttpContext context) => CrmObjectType.Find((string)context.Request.RouteValues["objectType"]!);

    private static string IdOf(HttpContext context) => (string)context.Request.RouteValues["objectId"]!;

    private static async Task CreateAsync(HttpContext context)
    {
        var type = TypeOf(context);
        var body = await Http.ReadObjectAsync(context);
        var state = context.State();
        var json = state.Locked(() =>
        {
            var record = state.Create(type, body["properties"] as JsonObject);
            AssociateOnCreate(state, record, body["associations"] as JsonArray);
            return record.ToJson();
        });
        await Http.Reply(context, 201, json);
    }

    private static Task Read(HttpContext context)
    {
        var type = TypeOf(context);
        var query = context.Request.Query;
        var state = context.State();
        var json = state.Locked(() =>
        {
            // archived=true reads only archived records ("Whether to return only results that have been archived",
            // the objects API reference), answered with archived and archivedAt; without it an archived record is a 404.
            var record = (Archived(query) ? state.ResolveArchived(type, IdOf(context), query["idProperty"]) : state.Resolve(type, IdOf(context), query["idProperty"]))
                ?? throw HubSpotApiError.NotFound(IdOf(context));
            return record.ToJson(RequestedProperties(type, query["properties"]));
        });
        return Http.Reply(context, 200, json);
    }

    private static bool Archived(IQueryCollection query) => string.Equals(query["archived"], "true", StringComparison.OrdinalIgnoreCase);

    private static Task List(HttpContext context)
    {
        var type = TypeOf(context);
        var query = context.Request.Query;
        var limit = int.TryParse(query["limit"], CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, 100) : 10;
        var after = long.TryParse(query["after"], CultureInfo.InvariantCulture, out var a) ? a : 0;
        var archived = Archived(query);
        var state = context.State();
        var json = state.Locked(() =>
        {
            var page = state.TableOf(type).Objects.Values.Where(o => (o.ArchivedAt is not null) == archived && o.Id > after).OrderBy(o => o.Id).Take(limit + 1).ToList();
            var result = new JsonObject
            {
                ["results"] = new JsonArray([.. page.Take(limit).Select(o => (JsonNode)o.ToJson(RequestedProperties(type, query["properties"])))]),
            };
            if (page.Count > limit)
            {
                result["paging"] = new JsonObject { ["next"] = new JsonObject { ["after"] = page[limit - 1].Id.ToString(CultureInfo.InvariantCulture) } };
            }

            return result;
        });
        return Http.Reply(context, 200, json);
    }

    private static async Task UpdateAsync(HttpContext context)
    {
        var type = TypeOf(context);
        var body = await Http.ReadObjectAsync(context);
        var state = context.State();
        var json = state.Locked(() =>
        {
            var record = state.Resolve(type, IdOf(context), context.Request.Query["idProperty"]) ?? throw HubSpotApiError.NotFound(IdOf(context));
            state.Update(type, record, body["properties"] as JsonObject);
            return record.ToJson();
        });
        await Http.Reply(context, 200, json);
    }

    private static Task Archive(HttpContext context)
    {
        var type = TypeOf(context);
        var state = context.State();
        state.Locked(() =>
        {
            if (state.Resolve(type, IdOf(context), null) is { } record)
            {
                state.Archive(record);
            }

            return 0;
        });
        return Http.Reply(context, 204);
    }

    private static async Task BatchCreateAsync(HttpContext context)
    {
        var type = TypeOf(context);
        var inputs = Http.Inputs(await Http.ReadObjectAsync(context), BatchLimit);
        var state = context.State();
        var started = state.Now;

        // Multi-status is opt-in: only when every input carries an objectWriteTraceId, and no two the same (the error
        // handling guide, hubspot-facts.md §2 D10), each input is answered on its own: 207 with the failed ones in
        // errors (named by their trace id in context.objectWriteTraceId), the valid ones created.
        var traceIds = inputs.Select(i => Http.Text(i?["objectWriteTraceId"])).ToList();
        if (traceIds.Count > 0 && traceIds.All(t => !string.IsNullOrEmpty(t)) && traceIds.Distinct(StringComparer.Ordinal).Count() == traceIds.Count)
        {
            var errors = new List<JsonObject>();
            var perItem = state.Locked(() => Http.EachInput(inputs, errors, i => Http.Text(i?["objectWriteTraceId"]), input =>
            {
                var json = CreateAll(state, type, [input])[0].ToJson();
                json["objectWriteTraceId"] = Http.Text(input?["objectWriteTraceId"]);
                return json;
            }, "objectWriteTraceId"));
            await Http.Batch(context, started, perItem, errors, 201, state.Now);
            return;
        }

        var results = state.Locked(() =>
        {
            // One conflicting input fails the whole request with a single 409 naming the first (hubspot-facts.md §3):
            // check every input before writing any.
            var emails = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var input in inputs)
            {
                var email = Http.Text(input?["properties"]?["email"]);
                if (type == CrmObjectType.Contacts && email is not null
                    && (!emails.Add(email.Trim()) || state.Resolve(type, email.Trim(), "email") is not null))
                {
                    var existing = state.Resolve(type, email.Trim(), "email");
                    throw new HubSpotApiError(409, "CONFLICT", existing is null
                        ? $"Duplicate email in batch input: {email}"
                        : $"Contact already exists. Existing ID: {existing.Id}");
                }
            }

            return new JsonArray([.. CreateAll(state, type, inputs).Select(r => (JsonNode)r.ToJson())]);
        });
        await Http.Batch(context, started, results, [], 201, state.Now);
    }

    /// <summary>Creates every input or none: an input refused removes the ones this call created before it, and the error stands.</summary>
    private static List<CrmObject> CreateAll(CrmState state, CrmObjectType type, IEnumerable<JsonNode?> inputs)
    {
        var created = new List<CrmObject>();
        try
        {
            foreach (var input in inputs)
            {
                var record = state.Create(type, input?["properties"] as JsonObject);
                created.Add(record);
                AssociateOnCreate(state, record, input?["associations"] as JsonArray);
            }
        }
        catch (HubSpotApiError)
        {
            foreach (var record in created)
            {
                state.Remove(record);
            }

            throw;
        }

        return created;
    }

    private static async Task BatchReadAsync(HttpContext context)
    {
        var type = TypeOf(context);
        var body = await Http.ReadObjectAsync(context);
        var inputs = Http.Inputs(body, BatchLimit);
        var idProperty = Http.Text(body["idProperty"]);
        var properties = body["properties"] is JsonArray names ? string.Join(',', names.Select(Http.Text)) : null;
        var state = context.State();
        var started = state.Now;
        var errors = new List<JsonObject>();
        var results = state.Locked(() => Http.EachInput(inputs, errors, i => Http.Text(i?["id"]), input =>
        {
            var id = Http.Text(input?["id"]);
            var record = (id is null ? null : state.Resolve(type, id, idProperty)) ?? throw HubSpotApiError.NotFound(id);
            return record.ToJson(RequestedProperties(type, properties));
        }));
        await Http.Batch(context, started, results, errors, 200, state.Now);
    }

    private static async Task BatchUpdateAsync(HttpContext context)
    {
        var type = TypeOf(context);
        var inputs = Http.Inputs(await Http.ReadObjectAsync(context), BatchLimit);
        var state = context.State();
        var started = state.Now;
        var errors = new List<JsonObject>();
        var results = state.Locked(() =>
        {
            RequireUniqueIdProperties(state, type, inputs, batchUpdate: true);
            return Http.EachInput(inputs, errors, i => Http.Text(i?["id"]), input =>
            {
                var id = Http.Text(input?["id"]);
                var record = state.Resolve(type, id ?? string.Empty, Http.Text(input?["idProperty"])) ?? throw HubSpotApiError.NotFound(id);
                state.Update(type, record, input?["properties"] as JsonObject);
                return record.ToJson();
            });
        });
        await Http.Batch(context, started, results, errors, 200, state.Now);
    }

    private static async Task BatchUpsertAsync(HttpContext context)
    {
        var type = TypeOf(context);
        var inputs = Http.Inputs(await Http.ReadObjectAsync(context), BatchLimit);
        var state = context.State();
        var started = state.Now;
        var errors = new List<JsonObject>();
        var results = state.Locked(() =>
        {
            var ids = inputs.Select(i => Http.Text(i?["id"])).ToList();
            var duplicates = ids.Where(i => i is not null).GroupBy(i => i!.ToLowerInvariant()).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (duplicates.Count > 0)
            {
                throw HubSpotApiError.Validation($"Duplicate IDs found in batch input: [{string.Join(", ", duplicates)}]. IDs must be unique");
            }

            RequireUniqueIdProperties(state, type, inputs, batchUpdate: false);

            return Http.EachInput(inputs, errors, i => Http.Text(i?["id"]), input =>
            {
                var id = Http.Text(input?["id"]);
                var idProperty = Http.Text(input?["idProperty"]);
                if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(idProperty))
                {
                    throw HubSpotApiError.Validation("Each upsert input needs an id and an idProperty (a unique property).");
                }

                if (context.Faults().NextInputFails())
                {
                    throw new HubSpotApiError(500, "INTERNAL_ERROR", "Injected fault for this input.");
                }

                var (record, isNew) = state.Upsert(type, id, idProperty, input?["properties"] as JsonObject);
                return record.ToJson(isNew: isNew);
            });
        });
        await Http.Batch(context, started, results, errors, 200, state.Now);
    }

    private static async Task BatchArchiveAsync(HttpContext context)
    {
        var type = TypeOf(context);
        var inputs = Http.Inputs(await Http.ReadObjectAsync(context), BatchLimit);
        var state = context.State();
        state.Locked(() =>
        {
            foreach (var input in inputs)
            {
                if (state.Resolve(type, Http.Text(input?["id"]) ?? string.Empty, null) is { } record)
                {
                    state.Archive(record);
                }
            }

            return 0;
        });
        await Http.Reply(context, 204);
    }

    /// <summary>
    /// An idProperty that does not identify one record fails the whole request with 400 VALIDATION_ERROR
    /// "…non-unique…", before anything is written: not an error per input (hubspot-facts.md §3 and §9.4, I9).
    /// </summary>
    private static void RequireUniqueIdProperties(CrmState state, CrmObjectType type, JsonArray inputs, bool batchUpdate)
    {
        foreach (var idProperty in inputs.Select(i => Http.Text(i?["idProperty"])).OfType<string>().Where(p => p.Length > 0).Distinct(StringComparer.Ordinal))
        {
            state.RequireUnique(type, idProperty, batchUpdate);
        }
    }

    internal static IEnumerable<string> RequestedProperties(CrmObjectType type, string? properties) =>
        type.DefaultProperties.Concat((properties ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal);

    private static void AssociateOnCreate(CrmState state, CrmObject record, JsonArray? associations)
    {
        foreach (var association in associations ?? [])
        {
            var toId = Http.Text(association?["to"]?["id"]) ?? throw HubSpotApiError.Validation("associations[].to.id is required.");
            foreach (var spec in association?["types"] as JsonArray ?? [])
            {
                var typeId = spec?["associationTypeId"]?.GetValue<int>() ?? 0;
                var toType = CrmObjectType.All.FirstOrDefault(t => t != record.Type && AssociationTypes.TryGet(record.Type, t, typeId, out _, out _))
                    ?? throw HubSpotApiError.Validation($"{typeId} is not a valid association type id from {record.Type.Name}.");
                var target = state.Require(toType, toId);
                state.Associate(record.Type, record.Id, toType, target.Id, typeId);
            }
        }
    }
}
