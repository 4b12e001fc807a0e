using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Integration.Core.Crm;

namespace Integration.Crm.HubSpot.Client;

/// <summary>
/// A HubSpot CRM client (objects v3, associations v4, properties, pipelines) over an <see cref="HttpClient"/> whose
/// pipeline adds the bearer token, pacing and retries (see <c>AddHubSpotCrm</c>). Thread-safe; one per portal.
/// Every failure is a <see cref="CrmException"/>; a 207 is not a failure: its <c>errors</c> are returned.
/// </summary>
public sealed class HubSpotClient(HttpClient httpClient)
{
    private static readonly HubSpotJsonContext Json = HubSpotJsonContext.Default;

    /// <summary>Marks a probe: the pacer lets it through while it pauses for a spent daily quota (the probe asks whether it still is).</summary>
    internal static readonly HttpRequestOptionsKey<bool> ProbeOption = new("Integration.HubSpot.Probe");

    /// <summary>The cheapest authenticated read (<c>GET /crm/v3/objects/contacts?limit=1</c>): throws unless HubSpot answers it.</summary>
    public async Task ProbeAsync(CancellationToken cancellationToken = default) =>
        await SendAsync<PropertiesBody, SearchPage>(HttpMethod.Get, "crm/v3/objects/contacts?limit=1", null, null, Json.SearchPage, cancellationToken,
            probe: true).ConfigureAwait(false);

    /// <summary>Creates or updates up to 100 records by a unique property (<c>batch/upsert</c>, 200 or 207).</summary>
    public Task<BatchResponse<HubSpotObject>> BatchUpsertAsync(string objectType, IReadOnlyList<UpsertInput> inputs, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"crm/v3/objects/{objectType}/batch/upsert", new BatchRequest<UpsertInput>(inputs), Json.BatchRequestUpsertInput,
            Json.BatchResponseHubSpotObject, cancellationToken)!;

    /// <summary>
    /// Reads up to 100 records by a unique property (<c>batch/read</c>, 200 or 207), with <paramref name="properties"/>;
    /// a value no record has is an error of the answer (<c>OBJECT_NOT_FOUND</c>), not a failure. Unlike search, it
    /// reads what was just written.
    /// </summary>
    public Task<BatchResponse<HubSpotObject>> BatchReadAsync(string objectType, string idProperty, IReadOnlyList<string> ids,
        IReadOnlyList<string> properties, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"crm/v3/objects/{objectType}/batch/read",
            new BatchReadRequest([.. ids.Select(i => new ObjectRef(i))], properties, idProperty), Json.BatchReadRequest,
            Json.BatchResponseHubSpotObject, cancellationToken)!;

    /// <summary>Updates one record by id (<c>PATCH /crm/v3/objects/{type}/{id}</c>).</summary>
    public Task<HubSpotObject> UpdateAsync(string objectType, string id, IReadOnlyDictionary<string, string?> properties, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, $"crm/v3/objects/{objectType}/{Uri.EscapeDataString(id)}", new PropertiesBody(properties), Json.PropertiesBody,
            Json.HubSpotObject, cancellationToken)!;

    /// <summary>Associates pairs of records with the default (unlabelled) type (<c>batch/associate/default</c>, 200 or 207).</summary>
    public Task<BatchResponse<AssociationResult>> AssociateDefaultAsync(string fromType, string toType, IReadOnlyList<AssociationInput> inputs,
        CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"crm/v4/associations/{fromType}/{toType}/batch/associate/default", new BatchRequest<AssociationInput>(inputs),
            Json.BatchRequestAssociationInput, Json.BatchResponseAssociationResult, cancellationToken)!;

    /// <summary>Associates two records with the default type (<c>PUT …/associations/default/{to}/{toId}</c>).</summary>
    public async Task AssociateDefaultAsync(string fromType, string fromId, string toType, string toId, CancellationToken cancellationToken = default) =>
        await SendAsync<PropertiesBody, BatchResponse<AssociationResult>>(HttpMethod.Put,
            $"crm/v4/objects/{fromType}/{Uri.EscapeDataString(fromId)}/associations/default/{toType}/{Uri.EscapeDataString(toId)}",
            null, null, Json.BatchResponseAssociationResult, cancellationToken).ConfigureAwait(false);

    /// <summary>A property's definition, or null when the portal has no such property.</summary>
    public async Task<PropertyDefinition?> GetPropertyAsync(string objectType, string name, CancellationToken cancellationToken = default)
    {
        try
        {
            return await SendAsync<PropertiesBody, PropertyDefinition>(HttpMethod.Get, $"crm/v3/properties/{objectType}/{Uri.EscapeDataString(name)}",
                null, null, Json.PropertyDefinition, cancellationToken).ConfigureAwait(false);
        }
        catch (CrmException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Creates a property (201); false when one with that name already exists (409).</summary>
    public async Task<bool> CreatePropertyAsync(string objectType, PropertyInput property, CancellationToken cancellationToken = default)
    {
        try
        {
            await SendAsync(HttpMethod.Post, $"crm/v3/properties/{objectType}", property, Json.PropertyInput, Json.PropertyDefinition, cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (CrmException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>
    /// A private-app token's scopes (<c>POST /oauth/v2/private-apps/get/access-token-info</c>, body <c>{"tokenKey"}</c>;
    /// OAuth access tokens have <c>GET /oauth/v1/access-tokens/{token}</c> instead). The token travels in the body to
    /// the host its header already goes to; nothing logs request bodies.
    /// </summary>
    public async Task<TokenInfo?> GetPrivateAppTokenInfoAsync(string token, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Post, "oauth/v2/private-apps/get/access-token-info", new TokenInfoRequest(token), Json.TokenInfoRequest, Json.TokenInfo,
            cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<Pipeline>> GetPipelinesAsync(string objectType, CancellationToken cancellationToken = default) =>
        (await SendAsync<PropertiesBody, ResultsList<Pipeline>>(HttpMethod.Get, $"crm/v3/pipelines/{objectType}", null, null, Json.ResultsListPipeline,
            cancellationToken).ConfigureAwait(false))?.Results ?? [];

    /// <summary>
    /// One page of a search (<c>POST /crm/v3/objects/{type}/search</c>). Search is paced at its own rate (5 a second) and
    /// lags writes by a few moments: it is for reading what is there, never for deciding whether to create.
    /// </summary>
    public async Task<SearchPage> SearchAsync(string objectType, SearchRequest request, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Post, $"crm/v3/objects/{objectType}/search", request, Json.SearchRequest, Json.SearchPage, cancellationToken)
            .ConfigureAwait(false) ?? new SearchPage(0, []);

    /// <summary>Every record a search finds, page after page of <paramref name="pageSize"/> (at most 200; HubSpot stops paging at 10,000 results).</summary>
    public async IAsyncEnumerable<HubSpotObject> SearchAllAsync(string objectType, IReadOnlyList<SearchFilterGroup> filterGroups, IReadOnlyList<string> properties,
        int pageSize = 200, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? after = null;
        do
        {
            var page = await SearchAsync(objectType, new SearchRequest(filterGroups, properties, pageSize, after), cancellationToken).ConfigureAwait(false);
            foreach (var result in page.Results)
            {
                yield return result;
            }

            after = page.Paging?.Next?.After;
        }
        while (after is not null);
    }

    private async Task<TResponse?> SendAsync<TRequest, TResponse>(HttpMethod method, string path, TRequest? body, JsonTypeInfo<TRequest>? requestType,
        JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken, bool probe = false)
        where TRequest : class
    {
        var operation = $"{method} /{path}";
        using var request = new HttpRequestMessage(method, path);
        if (probe)
        {
            request.Options.Set(ProbeOption, true);
        }

        if (body is not null && requestType is not null)
        {
            request.Content = JsonContent.Create(body, requestType);
        }

        HttpResponseMessage response;
        try
        {
            response = await httpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new CrmException(CrmErrorCode.Unavailable, $"HubSpot could not be reached for {operation}: {e.Message}", e, status: 0);
        }
        catch (Exception e) when (e is TimeoutException or Polly.Timeout.TimeoutRejectedException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new CrmException(CrmErrorCode.Unavailable, $"HubSpot did not answer {operation} in time.", e, status: 0);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                throw HubSpotErrors.FromResponse(status, await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false), operation);
            }

            if (response.StatusCode == HttpStatusCode.NoContent)
            {
                return default;
            }

            try
            {
                return await response.Content.ReadFromJsonAsync(responseType, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                throw new CrmException(CrmErrorCode.MalformedResponse, $"HubSpot's answer to {operation} is not the expected JSON: {e.Message}", e, status);
            }
        }
    }

    private static async Task<HubSpotError?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(Json.HubSpotError, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            return null; // an HTML error page or an empty body: the status alone classifies it
        }
    }
}
