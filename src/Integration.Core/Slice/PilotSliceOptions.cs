namespace Integration.Core.Slice;

/// <summary>
/// Bound from <c>Slice</c>: the part of the store a first rollout (a pilot) is limited to. Every list left empty (and
/// every bound left unset) takes everything; the default is no slice at all.
/// <code>{ "Skus": ["TEE-RED-M"], "SkuPrefixes": ["TEE-"], "ChannelIds": [1], "CustomerGroupIds": [2], "OrdersFromId": 5000, "OrdersFromDate": "2026-12-01T00:00:00Z" }</code>
/// </summary>
public sealed class PilotSliceOptions
{
    public const string SectionName = "Slice";

    /// <summary>SKUs in the slice (normalised as the mapping normalises SKUs before they are compared).</summary>
    public List<string> Skus { get; set; } = [];

    /// <summary>SKU prefixes in the slice: a SKU that starts with one (after normalisation) is in.</summary>
    public List<string> SkuPrefixes { get; set; } = [];

    /// <summary>BigCommerce channels whose orders are in the slice (1 is the storefront).</summary>
    public List<long> ChannelIds { get; set; } = [];

    /// <summary>
    /// Customer groups in the slice: customers of these groups, and orders their registered buyers place (a guest's order
    /// is in only when 0, "no group", is listed).
    /// </summary>
    public List<long> CustomerGroupIds { get; set; } = [];

    /// <summary>The first order id in the slice: orders with a lower id stay out.</summary>
    public long? OrdersFromId { get; set; }

    /// <summary>The first order creation time in the slice: orders placed before it stay out.</summary>
    public DateTimeOffset? OrdersFromDate { get; set; }
}
