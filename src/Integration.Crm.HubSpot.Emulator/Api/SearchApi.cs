using System.Globalization;
using System.Text.Json.Nodes;
using Integration.Crm.HubSpot.Emulator.State;

namespace Integration.Crm.HubSpot.Emulator.Api;

/// <summary>
/// <c>POST /crm/v3/objects/{objectType}/search</c> with HubSpot's limits (hubspot-facts.md §2 "Search"): filter groups
/// OR'd, filters AND'd, at most 5 groups × 6 filters and 18 in all, one sort, pages of 10 by default and 200 at most,
/// no paging past 10,000, bodies up to 3,000 characters; archived records never returned; and the lag: a write becomes
/// searchable only <see cref="HubSpotEmulatorOptions.SearchLagMs"/> after it was made.
/// </summary>
internal static class SearchApi
{
    private const int MaxBodyChars = 3000;

    public static async Task SearchAsync(HttpContext context)
    {
        var type = CrmObjectType.Find((string)context.Request.RouteValues["objectType"]!);
        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        if (text.Length > MaxBodyChars)
        {
            throw HubSpotApiError.Validation($"The request body is {text.Length} characters; search accepts at most {MaxBodyChars}.");
        }

        JsonObject body;
        try
        {
            body = JsonNode.Parse(text) as JsonObject ?? throw HubSpotApiError.Validation("Invalid input JSON: expected an object.");
        }
        catch (System.Text.Json.JsonException)
        {
            throw HubSpotApiError.Validation("Invalid input JSON.");
        }

        var groups = (body["filterGroups"] as JsonArray ?? []).Select(g => (g?["filters"] as JsonArray ?? []).Select(f => f!.AsObject()).ToList()).ToList();
        if (groups.Count > 5 || groups.Any(g => g.Count > 6) || groups.Sum(g => g.Count) > 18)
        {
            throw HubSpotApiError.Validation("Search accepts at most 5 filterGroups, 6 filters in a group and 18 filters in all.");
        }

        var sorts = body["sorts"] as JsonArray ?? [];
        if (sorts.Count > 1)
        {
            throw HubSpotApiError.Validation("Search accepts one sort only.");
        }

        var limit = body["limit"]?.GetValue<int>() ?? 10;
        if (limit is < 0 or > 200)
        {
            throw HubSpotApiError.Validation("limit must be between 0 and 200.");
        }

        var after = int.TryParse(Http.Text(body["after"]), CultureInfo.InvariantCulture, out var a) ? a : 0;
        if (after + limit > 10_000)
        {
            throw HubSpotApiError.Validation("Search cannot page past 10,000 results.");
        }

        var query = Http.Text(body["query"]);
        var requested = ObjectsApi.RequestedProperties(type, string.Join(',', (body["properties"] as JsonArray ?? []).Select(Http.Text))).ToList();
        var state = context.State();
        var json = state.Locked(() =>
        {
            var now = state.Now;
            var hits = state.TableOf(type).Objects.Values
                .Select(o => (Record: o, View: o.SearchView(now)))
                .Where(h => h.View is not null
                    && (groups.Count == 0 || groups.Any(g => g.All(f => Matches(state, h.Record, h.View!, f))))
                    && (string.IsNullOrEmpty(query) || type.DefaultProperties.Any(p => h.View!.GetValueOrDefault(p)?.Contains(query, StringComparison.OrdinalIgnoreCase) == true)))
                .ToList();
            if (sorts.Count == 1)
            {
                var property = Http.Text(sorts[0]?["propertyName"]) ?? "hs_object_id";
                var descending = Http.Text(sorts[0]?["direction"]) == "DESCENDING";
                hits.Sort((x, y) => Compare(x.View!.GetValueOrDefault(property), y.View!.GetValueOrDefault(property)) * (descending ? -1 : 1));
            }
            else
            {
                hits.Sort((x, y) => x.Record.Id.CompareTo(y.Record.Id));
            }

            var page = hits.Skip(after).Take(limit).Select(h =>
            {
                var props = new JsonObject();
                foreach (var name in requested)
                {
                    props[name] = h.View!.GetValueOrDefault(name);
                }

                return (JsonNode)new JsonObject
                {
                    ["id"] = h.Record.Id.ToString(CultureInfo.InvariantCulture),
                    ["properties"] = props,
                    ["createdAt"] = Json.Time(h.Record.CreatedAt),
                    ["updatedAt"] = h.View!.GetValueOrDefault(type.ModifiedProperty),
                    ["archived"] = false,
                };
            });
            var result = new JsonObject { ["total"] = hits.Count, ["results"] = new JsonArray([.. page]) };
            if (after + limit < hits.Count)
            {
                result["paging"] = new JsonObject
                {
                    ["next"] = new JsonObject { ["after"] = (after + limit).ToString(CultureInfo.InvariantCulture) },
                };
            }

            return result;
        });
        await Http.Reply(context, 200, json);
    }

    private static bool Matches(CrmState state, CrmObject record, IReadOnlyDictionary<string, string?> view, JsonObject filter)
    {
        var property = Http.Text(filter["propertyName"]) ?? throw HubSpotApiError.Validation("filters[].propertyName is required.");
        var op = Http.Text(filter["operator"]) ?? "EQ";
        var value = Http.Text(filter["value"]);
        if (property.StartsWith("associations.", StringComparison.Ordinal))
        {
            var toType = CrmObjectType.Find(property["associations.".Length..]);
            var linked = state.AssociationsOf(record.Type, record.Id, toType).Any(a => a.To.ToString(CultureInfo.InvariantCulture) == value);
            return op == "EQ" ? linked : op == "NEQ" ? !linked : throw HubSpotApiError.Validation($"Operator {op} is not supported on {property}.");
        }

        var actual = property == "hs_object_id" ? record.Id.ToString(CultureInfo.InvariantCulture) : view.GetValueOrDefault(property);
        var values = (filter["values"] as JsonArray ?? []).Select(Http.Text).ToList();
        return op switch
        {
            "EQ" => actual is not null && string.Equals(actual, value, StringComparison.OrdinalIgnoreCase),
            "NEQ" => !string.Equals(actual, value, StringComparison.OrdinalIgnoreCase),
            "LT" => actual is not null && Compare(actual, value) < 0,
            "LTE" => actual is not null && Compare(actual, value) <= 0,
            "GT" => actual is not null && Compare(actual, value) > 0,
            "GTE" => actual is not null && Compare(actual, value) >= 0,
            "BETWEEN" => actual is not null && Compare(actual, value) >= 0 && Compare(actual, Http.Text(filter["highValue"])) <= 0,
            "IN" => actual is not null && values.Contains(actual, StringComparer.OrdinalIgnoreCase),
            "NOT_IN" => actual is null || !values.Contains(actual, StringComparer.OrdinalIgnoreCase),
            "HAS_PROPERTY" => !string.IsNullOrEmpty(actual),
            "NOT_HAS_PROPERTY" => string.IsNullOrEmpty(actual),
            "CONTAINS_TOKEN" => ContainsToken(actual, value),
            "NOT_CONTAINS_TOKEN" => !ContainsToken(actual, value),
            _ => throw HubSpotApiError.Validation($"Unknown filter operator: {op}"),
        };
    }

    private static bool ContainsToken(string? actual, string? token)
    {
        if (actual is null || string.IsNullOrEmpty(token))
        {
            return false;
        }

        if (token.Contains('*', StringComparison.Ordinal))
        {
            return actual.Contains(token.Replace("*", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        }

        return actual.Split([' ', '@', '.', '-', '_', ','], StringSplitOptions.RemoveEmptyEntries).Contains(token, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Numbers as numbers, datetimes (ISO or epoch ms) as instants, anything else ordinally.</summary>
    private static int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        if (decimal.TryParse(x, NumberStyles.Number, CultureInfo.InvariantCulture, out var dx) && decimal.TryParse(y, NumberStyles.Number, CultureInfo.InvariantCulture, out var dy))
        {
            return dx.CompareTo(dy);
        }

        if (Instant(x) is { } tx && Instant(y) is { } ty)
        {
            return tx.CompareTo(ty);
        }

        return string.CompareOrdinal(x, y);
    }

    private static DateTimeOffset? Instant(string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
        : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
