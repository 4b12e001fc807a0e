using System.Text.Json;
using System.Text.Json.Serialization;

namespace Integration.Crm.HubSpot.Client;

// The shapes of HubSpot's CRM v3/v4 bodies the connector uses, as @hubspot/api-client 14.0.1 defines them.

/// <summary>One input of <c>POST /crm/v3/objects/{type}/batch/upsert</c>: <paramref name="Id"/> is the value of the unique <paramref name="IdProperty"/>.</summary>
public sealed record UpsertInput(string Id, string IdProperty, IReadOnlyDictionary<string, string?> Properties);

/// <summary>A record as HubSpot answers it; <see cref="New"/> only on upserts.</summary>
public sealed record HubSpotObject(
    string Id,
    Dictionary<string, string?>? Properties,
    [property: JsonPropertyName("new")] bool? New = null,
    DateTimeOffset? CreatedAt = null,
    DateTimeOffset? UpdatedAt = null);

/// <summary>A batch answer: 200 with <c>results</c>, or 207 with <c>errors</c> for the inputs that failed.</summary>
public sealed record BatchResponse<T>(string? Status, List<T>? Results, List<HubSpotError>? Errors = null, int? NumErrors = null);

/// <summary>HubSpot's error envelope (every field optional), also the StandardError of a batch answer.</summary>
public sealed record HubSpotError(
    string? Status = null,
    string? Message = null,
    string? Category = null,
    string? SubCategory = null,
    string? CorrelationId = null,
    JsonElement? Context = null,
    List<HubSpotErrorDetail>? Errors = null,
    string? PolicyName = null,
    string? ErrorType = null);

public sealed record HubSpotErrorDetail(string? Message = null, string? Code = null, string? In = null, JsonElement? Context = null);

public sealed record ObjectRef(string Id);

/// <summary>One input of <c>POST /crm/v4/associations/{from}/{to}/batch/associate/default</c>.</summary>
public sealed record AssociationInput(ObjectRef From, ObjectRef To);

public sealed record AssociationResult(ObjectRef? From, ObjectRef? To);

public sealed record PropertyInput(string Name, string Label, string Type, string FieldType, string GroupName, string Description, bool HasUniqueValue);

public sealed record PropertyDefinition(string Name, string? Type, bool HasUniqueValue);

public sealed record PipelineStage(string Id, string? Label);

public sealed record Pipeline(string Id, string? Label, List<PipelineStage> Stages);

/// <summary>One filter of a search: <c>EQ</c> and the like take <paramref name="Value"/>, <c>IN</c> and <c>NOT_IN</c> take <paramref name="Values"/>.</summary>
public sealed record SearchFilter(
    string PropertyName,
    string Operator,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Value = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Values = null);

/// <summary>Filters AND'd; the groups of a request are OR'd.</summary>
public sealed record SearchFilterGroup(IReadOnlyList<SearchFilter> Filters);

/// <summary>The body of <c>POST /crm/v3/objects/{type}/search</c> (at most 5 groups, 18 filters, 200 a page, 3,000 characters).</summary>
public sealed record SearchRequest(
    IReadOnlyList<SearchFilterGroup> FilterGroups,
    IReadOnlyList<string> Properties,
    int Limit = 100,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? After = null);

/// <summary>One page of search results; <see cref="Paging"/> names the next page when there is one.</summary>
public sealed record SearchPage(int Total, List<HubSpotObject> Results, SearchPaging? Paging = null);

public sealed record SearchPaging(SearchNextPage? Next);

public sealed record SearchNextPage(string After);

internal sealed record BatchRequest<T>(IReadOnlyList<T> Inputs);

internal sealed record BatchReadRequest(IReadOnlyList<ObjectRef> Inputs, IReadOnlyList<string> Properties, string IdProperty);

internal sealed record PropertiesBody(IReadOnlyDictionary<string, string?> Properties);

internal sealed record ResultsList<T>(List<T> Results);

/// <summary>The body of HubSpot's private-app token-info call.</summary>
internal sealed record TokenInfoRequest(string TokenKey);

/// <summary>What HubSpot's private-app token-info call tells of a token: the portal, the app, the user and the scopes.</summary>
public sealed record TokenInfo(long? UserId, long? HubId, long? AppId, IReadOnlyList<string>? Scopes);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(BatchRequest<UpsertInput>))]
[JsonSerializable(typeof(BatchRequest<AssociationInput>))]
[JsonSerializable(typeof(BatchResponse<HubSpotObject>))]
[JsonSerializable(typeof(BatchResponse<AssociationResult>))]
[JsonSerializable(typeof(BatchReadRequest))]
[JsonSerializable(typeof(TokenInfoRequest))]
[JsonSerializable(typeof(TokenInfo))]
[JsonSerializable(typeof(PropertiesBody))]
[JsonSerializable(typeof(HubSpotObject))]
[JsonSerializable(typeof(HubSpotError))]
[JsonSerializable(typeof(PropertyInput))]
[JsonSerializable(typeof(PropertyDefinition))]
[JsonSerializable(typeof(ResultsList<Pipeline>))]
[JsonSerializable(typeof(SearchRequest))]
[JsonSerializable(typeof(SearchPage))]
internal sealed partial class HubSpotJsonContext : JsonSerializerContext;
