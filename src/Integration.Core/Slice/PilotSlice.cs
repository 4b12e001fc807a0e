using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Integration.Core.Commerce;
using Integration.Core.Mapping;
using Microsoft.Extensions.Options;

namespace Integration.Core.Slice;

/// <summary>
/// The pilot slice (<see cref="PilotSliceOptions"/>): which orders, refunds, customers and products the hub syncs during
/// a first, limited rollout. A record outside is not applied: the processor acknowledges its event as <c>skipped</c> with
/// a reason that starts <c>out_of_scope:</c> and says which rule left it out. With no slice configured everything is in
/// and nothing is asked.
/// </summary>
/// <remarks>
/// Rules, each applied only when configured: an order is in when its channel, id and creation time are within the slice,
/// every line's SKU is in it (a mixed order stays out whole: the ERP would otherwise get a sale with lines for products
/// the pilot does not manage), and its registered buyer's customer group is in it (read from the store: one call per
/// order, only while groups are sliced; a guest is group 0). A refund is in when its order is (its order is read: one
/// call, only while a slice is configured). A customer is in when its group is. A product is in when one of its SKUs
/// is. The reconcilers and the backfill ask the same questions (<see cref="ContainsSku"/>, <see cref="OrderListedOutside"/>).
/// </remarks>
public sealed class PilotSlice
{
    /// <summary>The reason every out-of-slice skip starts with.</summary>
    public const string OutOfScope = "out_of_scope";

    private const int MaxNamedSkus = 5;

    private readonly HashSet<string> _skus;
    private readonly string[] _prefixes;
    private readonly HashSet<long> _channels;
    private readonly HashSet<long> _groups;
    private readonly long? _fromId;
    private readonly DateTimeOffset? _fromDate;
    private readonly SkuNormaliser _sku;
    private readonly ICommerceStore? _store;

    public PilotSlice(IOptions<PilotSliceOptions> options, MappingConfiguration mapping, ICommerceStore? store = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mapping);
        var settings = options.Value;
        _sku = mapping.Sku;
        _store = store;
        _skus = new HashSet<string>(settings.Skus.Select(_sku.Normalise), StringComparer.Ordinal);
        _prefixes = [.. settings.SkuPrefixes.Select(_sku.Normalise).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        _channels = [.. settings.ChannelIds];
        _groups = [.. settings.CustomerGroupIds];
        _fromId = settings.OrdersFromId;
        _fromDate = settings.OrdersFromDate?.ToUniversalTime();
        Description = Describe();
        Fingerprint = IsLimited ? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Description)))[..16] : string.Empty;
    }

    /// <summary>True when a slice is configured (anything is left out).</summary>
    public bool IsLimited => LimitsSkus || _channels.Count > 0 || _groups.Count > 0 || _fromId is not null || _fromDate is not null;

    /// <summary>True when the slice names SKUs or SKU prefixes.</summary>
    public bool LimitsSkus => _skus.Count > 0 || _prefixes.Length > 0;

    /// <summary>The slice in words (the dry-run report and the logs show it): <c>everything</c> when none is configured.</summary>
    public string Description { get; }

    /// <summary>
    /// A short hash of the slice's definition (empty when none is configured): changes exactly when the slice does, so the
    /// backfill knows the slice was widened and goes back over what it now adds.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>The slice's first order creation time (<c>Slice:OrdersFromDate</c>), when set.</summary>
    public DateTimeOffset? OrdersFrom => _fromDate;

    /// <summary>Whether a SKU (normalised here) is in the slice; every SKU is when SKUs are not sliced.</summary>
    public bool ContainsSku(string sku)
    {
        ArgumentNullException.ThrowIfNull(sku);
        if (!LimitsSkus)
        {
            return true;
        }

        if (sku.Trim().Length == 0)
        {
            return false;
        }

        var normal = _sku.Normalise(sku);
        return _skus.Contains(normal) || Array.Exists(_prefixes, p => normal.StartsWith(p, StringComparison.Ordinal));
    }

    /// <summary>
    /// What the store's order listing tells (id, channel, creation time) held to the slice: the reason an order is out, or
    /// null when it may be in (its SKUs and buyer are decided when it is processed).
    /// </summary>
    public string? OrderListedOutside(long orderId, long channelId, DateTimeOffset? createdAt)
    {
        if (_channels.Count > 0 && !_channels.Contains(channelId))
        {
            return Reason($"order {orderId} was placed on channel {channelId}; the pilot slice takes channels {List(_channels)} (Slice:ChannelIds).");
        }

        if (_fromId is { } fromId && orderId < fromId)
        {
            return Reason($"order {orderId} is before the pilot slice's first order {fromId} (Slice:OrdersFromId).");
        }

        if (_fromDate is { } fromDate && createdAt is { } created && created < fromDate)
        {
            return Reason($"order {orderId} was placed at {created.ToUniversalTime():O}, before the pilot slice starts at {fromDate:O} (Slice:OrdersFromDate).");
        }

        return null;
    }

    /// <summary>The reason a fetched record is outside the slice (starting <c>out_of_scope:</c>), or null when it is in.</summary>
    public async Task<string?> OutsideAsync(string storeHash, SliceSubject subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storeHash);
        ArgumentNullException.ThrowIfNull(subject);
        if (!IsLimited)
        {
            return null;
        }

        switch (subject.Kind)
        {
            case SliceSubjectKind.Order when subject.Order is { } order:
                return await OrderOutsideAsync(storeHash, order, cancellationToken);
            case SliceSubjectKind.Refund when subject.OrderId is { } orderId:
                // Immutable and rare: the refunded order is read to hold it to the order rules. An order the store no
                // longer has leaves the decision to the flow.
                var refunded = await Store.GetOrderAsync(storeHash, orderId, cancellationToken);
                return refunded is null || await OrderOutsideAsync(storeHash, refunded, cancellationToken) is not { } outside
                    ? null
                    : Reason($"refund of order {orderId}: {outside[(OutOfScope.Length + 2)..]}");
            case SliceSubjectKind.Customer when subject.Customer is { } customer:
                var group = customer.CustomerGroupId ?? 0;
                return _groups.Count > 0 && !_groups.Contains(group)
                    ? Reason($"customer {customer.Ids.BigCommerce ?? "(no id)"} is in customer group {group}; the pilot slice takes groups {List(_groups)} (Slice:CustomerGroupIds).")
                    : null;
            case SliceSubjectKind.Product:
                return LimitsSkus && subject.Skus.Count > 0 && !subject.Skus.Any(ContainsSku)
                    ? Reason($"the product's SKUs {Named(subject.Skus)} are outside the pilot slice (Slice:Skus, Slice:SkuPrefixes).")
                    : null;
            default:
                return null;
        }
    }

    private async Task<string?> OrderOutsideAsync(string storeHash, Model.Order order, CancellationToken cancellationToken)
    {
        if (OrderListedOutside(order.OrderId, order.ChannelId ?? 1, order.CreatedAt) is { } listed)
        {
            return listed;
        }

        var outside = order.Lines.Select(l => l.Sku).Where(s => !ContainsSku(s)).Distinct(StringComparer.Ordinal).ToList();
        if (outside.Count > 0)
        {
            return Reason($"order {order.OrderId} has SKUs outside the pilot slice: {Named(outside)} (Slice:Skus, Slice:SkuPrefixes; an order is in only when every line is).");
        }

        if (_groups.Count > 0)
        {
            var buyer = order.Customer.Ids.BigCommerce is { } id
                ? await Store.GetCustomerAsync(storeHash, long.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture), cancellationToken)
                : null;
            var group = buyer?.CustomerGroupId ?? 0;
            if (!_groups.Contains(group))
            {
                var who = buyer is null ? "is a guest (group 0)" : string.Create(CultureInfo.InvariantCulture, $"(customer {order.Customer.Ids.BigCommerce}) is in customer group {group}");
                return Reason($"order {order.OrderId}'s buyer {who}; the pilot slice takes groups {List(_groups)} (Slice:CustomerGroupIds).");
            }
        }

        return null;
    }

    private ICommerceStore Store => _store ?? throw new InvalidOperationException("The pilot slice needs the store to read refunded orders and buyers' groups.");

    private string Describe()
    {
        if (!IsLimited)
        {
            return "everything";
        }

        var parts = new List<string>();
        if (_skus.Count > 0)
        {
            parts.Add($"SKUs {string.Join(", ", _skus.Order(StringComparer.Ordinal))}");
        }

        if (_prefixes.Length > 0)
        {
            parts.Add($"SKU prefixes {string.Join(", ", _prefixes)}");
        }

        if (_channels.Count > 0)
        {
            parts.Add($"channels {List(_channels)}");
        }

        if (_groups.Count > 0)
        {
            parts.Add($"customer groups {List(_groups)}");
        }

        if (_fromId is { } fromId)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"orders from id {fromId}"));
        }

        if (_fromDate is { } fromDate)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"orders placed from {fromDate:O}"));
        }

        return string.Join("; ", parts);
    }

    private static string Reason(FormattableString text) => $"{OutOfScope}: {text.ToString(CultureInfo.InvariantCulture)}";

    private static string List(IEnumerable<long> ids) => string.Join(", ", ids.Order().Select(i => i.ToString(CultureInfo.InvariantCulture)));

    private static string Named(IReadOnlyCollection<string> skus) =>
        skus.Count <= MaxNamedSkus ? string.Join(", ", skus) : $"{string.Join(", ", skus.Take(MaxNamedSkus))} and {skus.Count - MaxNamedSkus} more";
}
