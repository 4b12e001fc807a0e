using System.Text.Json;
using System.Text.Json.Serialization;

namespace Integration.BigCommerce.Client;

/// <summary>A price list of <c>/v3/pricelists</c> (price_lists.v3.yml): its name is unique in the store.</summary>
public sealed class PriceList
{
    public long Id { get; set; }

    public string Name { get; set; } = string.Empty;

    public bool Active { get; set; } = true;

    public DateTimeOffset? DateCreated { get; set; }

    public DateTimeOffset? DateModified { get; set; }
}

/// <summary>The body of <c>POST /v3/pricelists</c> and <c>PUT /v3/pricelists/{id}</c>.</summary>
public sealed class PriceListRequest
{
    public string? Name { get; set; }

    public bool? Active { get; set; }
}

/// <summary>
/// A price record of <c>GET /v3/pricelists/{id}/records</c>: one variant's prices in one currency. Prices left out
/// (sale, retail, MAP) are not set on the record.
/// </summary>
public sealed class PriceRecord
{
    public long PriceListId { get; set; }

    public long VariantId { get; set; }

    public long ProductId { get; set; }

    public string? Sku { get; set; }

    public string Currency { get; set; } = string.Empty;

    public decimal? Price { get; set; }

    public decimal? SalePrice { get; set; }

    public decimal? RetailPrice { get; set; }

    public decimal? MapPrice { get; set; }

    public decimal? CalculatedPrice { get; set; }

    public DateTimeOffset? DateCreated { get; set; }

    public DateTimeOffset? DateModified { get; set; }
}

/// <summary>
/// An item of <c>PUT /v3/pricelists/{id}/records</c> (create or update): exactly one of <see cref="VariantId"/> and
/// <see cref="Sku"/>, the currency and the price (required on PUT); a sale price only when the ERP sets one.
/// </summary>
public sealed class PriceRecordUpsert
{
    public long? VariantId { get; init; }

    public string? Sku { get; init; }

    public required string Currency { get; init; }

    public required decimal Price { get; init; }

    public decimal? SalePrice { get; init; }
}

/// <summary>One record of an upsert the store did not apply, with its message.</summary>
public sealed record PriceRecordFailure(long? VariantId, string? Sku, string Currency, string Error);

/// <summary>The outcome of an upsert split into calls of at most <see cref="PriceListLimits.RecordBatch"/> records.</summary>
public sealed class PriceRecordUpsertResult(int sent, IReadOnlyList<PriceRecordFailure> failed, int calls)
{
    public int Sent { get; } = sent;

    public IReadOnlyList<PriceRecordFailure> Failed { get; } = failed;

    /// <summary>The API calls the upsert took.</summary>
    public int Calls { get; } = calls;
}

/// <summary>A price list assignment of <c>/v3/pricelists/assignments</c>: a list applied to a customer group (and/or a channel).</summary>
public sealed class PriceListAssignment
{
    public long Id { get; set; }

    public long PriceListId { get; set; }

    public long? CustomerGroupId { get; set; }

    public long? ChannelId { get; set; }
}

/// <summary>An item of <c>POST /v3/pricelists/assignments</c> (at most <see cref="PriceListLimits.AssignmentBatch"/> per call).</summary>
public sealed class PriceListAssignmentRequest
{
    public required long PriceListId { get; init; }

    public long? CustomerGroupId { get; init; }

    public long? ChannelId { get; init; }
}

/// <summary>Price-list limits from price_lists.v3.yml (see docs/bigcommerce.md, "Price lists").</summary>
public static class PriceListLimits
{
    /// <summary>Records per <c>PUT /v3/pricelists/{id}/records</c> ("Batch requests support up to 1,000 items per request").</summary>
    public const int RecordBatch = 1000;

    /// <summary>Assignments per <c>POST /v3/pricelists/assignments</c> ("The batch limit for Price List Assignments is 25").</summary>
    public const int AssignmentBatch = 25;

    /// <summary>
    /// Records per page of <c>GET /v3/pricelists/{id}/records</c>: the spec states no maximum, so the client keeps
    /// BigCommerce's general v3 <c>limit</c> maximum of 250.
    /// </summary>
    public const int RecordPageSize = 250;
}

/// <summary>Source-generated JSON for the price-list bodies (kept apart from <see cref="BigCommerceJsonContext"/>); the emulator shares it.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DataPage<PriceList>))]
[JsonSerializable(typeof(DataEnvelope<PriceList>))]
[JsonSerializable(typeof(PriceListRequest))]
[JsonSerializable(typeof(DataPage<PriceRecord>))]
[JsonSerializable(typeof(IList<PriceRecordUpsert>))]
[JsonSerializable(typeof(DataPage<PriceListAssignment>))]
[JsonSerializable(typeof(IList<PriceListAssignmentRequest>))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class PriceListJsonContext : JsonSerializerContext;
