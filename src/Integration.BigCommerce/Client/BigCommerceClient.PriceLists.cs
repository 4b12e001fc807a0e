using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Integration.BigCommerce.Client;

public sealed partial class BigCommerceClient
{
    // price_lists.v3.yml: "Up to 2 concurrent batch upsert requests"; the hub sends one at a time per store client,
    // so a second process (or another app) still has room before the store answers 429.
    private readonly SemaphoreSlim _priceRecordGate = new(1, 1);

    /// <summary>Streams the store's price lists (250 a page).</summary>
    public IAsyncEnumerable<PriceList> GetPriceListsAsync(CancellationToken cancellationToken = default) =>
        GetPagesAsync("pricelists", QueryString.Empty, BigCommerceLimits.PageSize, PriceListJsonContext.Default.DataPagePriceList, cancellationToken);

    /// <summary>Creates a price list (<c>POST /v3/pricelists</c>; names are unique: a taken name is a 409). Never retried blindly.</summary>
    public async Task<PriceList> CreatePriceListAsync(string name, bool active = true, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var result = await SendAsync(HttpMethod.Post, "v3", "pricelists",
            JsonBody(new PriceListRequest { Name = name, Active = active }, PriceListJsonContext.Default.PriceListRequest),
            PriceListJsonContext.Default.DataEnvelopePriceList, cancellationToken).ConfigureAwait(false);
        return result.Data ?? throw new BigCommerceException("POST /v3/pricelists returned no price list.", 200, isTransient: false);
    }

    /// <summary>Renames a price list or switches it on or off (<c>PUT /v3/pricelists/{id}</c>: the spec requires the name).</summary>
    public async Task<PriceList> UpdatePriceListAsync(long priceListId, string name, bool active, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var result = await SendAsync(HttpMethod.Put, "v3", $"pricelists/{priceListId.ToString(CultureInfo.InvariantCulture)}",
            JsonBody(new PriceListRequest { Name = name, Active = active }, PriceListJsonContext.Default.PriceListRequest),
            PriceListJsonContext.Default.DataEnvelopePriceList, cancellationToken).ConfigureAwait(false);
        return result.Data ?? throw new BigCommerceException($"PUT /v3/pricelists/{priceListId} returned no price list.", 200, isTransient: false);
    }

    /// <summary>Streams a price list's records (one currency, or all), <see cref="PriceListLimits.RecordPageSize"/> a page.</summary>
    public IAsyncEnumerable<PriceRecord> GetPriceRecordsAsync(long priceListId, string? currency = null, CancellationToken cancellationToken = default) =>
        GetPagesAsync($"pricelists/{priceListId.ToString(CultureInfo.InvariantCulture)}/records", QueryString.Empty.With("currency", currency),
            PriceListLimits.RecordPageSize, PriceListJsonContext.Default.DataPagePriceRecord, cancellationToken);

    /// <summary>
    /// Creates or updates records of one price list (<c>PUT /v3/pricelists/{id}/records</c>): at most
    /// <see cref="PriceListLimits.RecordBatch"/> a call, one call at a time. A PUT of absolute prices is idempotent, so
    /// transient failures are retried. A 422 names the records it refused (<c>batch_errors</c>); the others were applied.
    /// </summary>
    public async Task<PriceRecordUpsertResult> UpsertPriceRecordsAsync(long priceListId, IEnumerable<PriceRecordUpsert> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var all = records.ToList();
        for (var i = 0; i < all.Count; i++)
        {
            var record = all[i];
            if (record is null || (record.Sku is null) == (record.VariantId is null) || record.Currency is not { Length: 3 } || record.Price < 0 || record.SalePrice < 0)
            {
                throw new ArgumentException($"Price record {i} must have exactly one of Sku and VariantId, a 3-letter Currency and prices of 0 or more.", nameof(records));
            }
        }

        var path = $"pricelists/{priceListId.ToString(CultureInfo.InvariantCulture)}/records";
        var failed = new List<PriceRecordFailure>();
        var calls = 0;
        await _priceRecordGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var chunk in all.Chunk(PriceListLimits.RecordBatch))
            {
                calls++;
                using var response = await SendAsync(HttpMethod.Put, "v3", path,
                    JsonBody<IList<PriceRecordUpsert>>(chunk, PriceListJsonContext.Default.IListPriceRecordUpsert), cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.UnprocessableEntity)
                {
                    failed.AddRange(ReadRecordErrors(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false), chunk));
                }
                else if (!response.IsSuccessStatusCode)
                {
                    throw await ErrorAsync(response, HttpMethod.Put, "v3", path, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _priceRecordGate.Release();
        }

        return new PriceRecordUpsertResult(all.Count, failed, calls);
    }

    /// <summary>Streams price list assignments, of the given lists or all.</summary>
    public IAsyncEnumerable<PriceListAssignment> GetPriceListAssignmentsAsync(IReadOnlyCollection<long>? priceListIds = null, CancellationToken cancellationToken = default) =>
        GetPagesAsync("pricelists/assignments", QueryString.Empty.WithList("price_list_id:in", priceListIds), BigCommerceLimits.PageSize,
            PriceListJsonContext.Default.DataPagePriceListAssignment, cancellationToken);

    /// <summary>Creates assignments (<c>POST /v3/pricelists/assignments</c>), <see cref="PriceListLimits.AssignmentBatch"/> a call; returns the calls made.</summary>
    public async Task<int> CreatePriceListAssignmentsAsync(IEnumerable<PriceListAssignmentRequest> assignments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        var calls = 0;
        foreach (var chunk in assignments.Chunk(PriceListLimits.AssignmentBatch))
        {
            calls++;
            using var response = await SendAsync(HttpMethod.Post, "v3", "pricelists/assignments",
                JsonBody<IList<PriceListAssignmentRequest>>(chunk, PriceListJsonContext.Default.IListPriceListAssignmentRequest), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorAsync(response, HttpMethod.Post, "v3", "pricelists/assignments", cancellationToken).ConfigureAwait(false);
            }
        }

        return calls;
    }

    /// <summary>
    /// The records a 422 refused: each <c>batch_errors</c> entry names its record in <c>data</c> (variant id or SKU, and
    /// currency) and says why in <c>field_errors</c>. A 422 that names none refused the whole chunk.
    /// </summary>
    private static List<PriceRecordFailure> ReadRecordErrors(string body, PriceRecordUpsert[] chunk)
    {
        var failures = new List<PriceRecordFailure>();
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("batch_errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                foreach (var entry in errors.EnumerateArray())
                {
                    var data = entry.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
                    long? variant = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("variant_id", out var v) && v.TryGetInt64(out var id) ? id : null;
                    string? sku = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("sku", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                    var currency = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("currency", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : string.Empty;
                    var text = entry.TryGetProperty("field_errors", out var fields) && fields.ValueKind == JsonValueKind.Object
                        ? string.Join("; ", fields.EnumerateObject().Select(p => $"{p.Name}: {p.Value}"))
                        : "refused";
                    failures.Add(new PriceRecordFailure(variant, sku, currency, text));
                }
            }
        }
        catch (JsonException)
        {
            // Not the documented shape: the chunk's records are reported as refused below.
        }

        return failures.Count > 0
            ? failures
            : [.. chunk.Select(r => new PriceRecordFailure(r.VariantId, r.Sku, r.Currency, $"PUT /v3/pricelists/{{id}}/records returned 422: {Trim(body)}"))];
    }

    private static string Trim(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
