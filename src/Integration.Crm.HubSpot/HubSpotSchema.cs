using System.Collections.Frozen;
using Integration.Core.Crm;
using Integration.Core.Model;
using Integration.Crm.HubSpot.Client;
using Integration.Crm.HubSpot.Configuration;
using Microsoft.Extensions.Logging;

namespace Integration.Crm.HubSpot;

/// <summary>
/// What the hub needs in the portal, made sure of once per process before the first write: its custom properties
/// (created when missing, idempotently: a property that exists, or that another instance created a moment ago (409),
/// is left as it is) and the deal pipeline and stages the options name. A mismatch is a permanent
/// <see cref="CrmErrorCode.Configuration"/> error naming what to fix; a transient failure is retried on the next call.
/// </summary>
public sealed partial class HubSpotSchema(HubSpotClient client, HubSpotOptions options, ILogger<HubSpotSchema> logger) : IDisposable
{
    /// <summary>On contacts: the BigCommerce customer id of a registered customer (not unique: several stores may share it).</summary>
    public const string CustomerIdProperty = "bigcommerce_customer_id";

    /// <summary>On companies, unique: <see cref="CrmNaturalKeys.Company"/>.</summary>
    public const string CompanyKeyProperty = "bigcommerce_company_key";

    /// <summary>On deals, unique: <c>{store}-{order id}</c> (<see cref="CrmNaturalKeys.Deal"/>).</summary>
    public const string DealKeyProperty = "bigcommerce_order_key";

    internal static readonly IReadOnlyList<(string ObjectType, PropertyInput Property)> Properties =
    [
        ("contacts", new(CustomerIdProperty, "BigCommerce customer id", "string", "text", "contactinformation",
            "The customer's id in BigCommerce, written by the integration hub.", false)),
        ("companies", new(CompanyKeyProperty, "BigCommerce company key", "string", "text", "companyinformation",
            "The integration hub's key for this company: {store}-company-{id}, {store}-domain-{domain} or {store}-name-{name}.", true)),
        ("deals", new(DealKeyProperty, "BigCommerce order key", "string", "text", "dealinformation",
            "The BigCommerce order this deal mirrors, as {store}-{order id}, written by the integration hub.", true)),
    ];

    private static readonly FrozenDictionary<OrderStatus, string> DefaultStages = new Dictionary<OrderStatus, string>
    {
        [OrderStatus.Incomplete] = "appointmentscheduled",
        [OrderStatus.Pending] = "contractsent",
        [OrderStatus.AwaitingPayment] = "contractsent",
        [OrderStatus.ManualVerificationRequired] = "contractsent",
        [OrderStatus.AwaitingFulfillment] = "closedwon",
        [OrderStatus.AwaitingShipment] = "closedwon",
        [OrderStatus.AwaitingPickup] = "closedwon",
        [OrderStatus.PartiallyShipped] = "closedwon",
        [OrderStatus.Shipped] = "closedwon",
        [OrderStatus.Completed] = "closedwon",
        [OrderStatus.PartiallyRefunded] = "closedwon",
        [OrderStatus.Disputed] = "closedwon",
        [OrderStatus.Cancelled] = "closedlost",
        [OrderStatus.Declined] = "closedlost",
        [OrderStatus.Refunded] = "closedlost",
    }.ToFrozenDictionary();

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _ready;

    /// <summary>The stage internal id an order in this status is put in.</summary>
    public string StageFor(OrderStatus status) =>
        options.DealStages.TryGetValue(status.ToString(), out var stage) ? stage : DefaultStages[status];

    /// <summary>Makes sure of the properties and pipeline once; later calls return at once.</summary>
    public async ValueTask EnsureAsync(CancellationToken cancellationToken = default)
    {
        if (_ready)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready)
            {
                return;
            }

            foreach (var (objectType, property) in Properties)
            {
                await EnsurePropertyAsync(objectType, property, cancellationToken).ConfigureAwait(false);
            }

            await CheckPipelineAsync(cancellationToken).ConfigureAwait(false);
            _ready = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task EnsurePropertyAsync(string objectType, PropertyInput property, CancellationToken cancellationToken)
    {
        var existing = await client.GetPropertyAsync(objectType, property.Name, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            if (await client.CreatePropertyAsync(objectType, property, cancellationToken).ConfigureAwait(false))
            {
                LogCreated(objectType, property.Name, property.HasUniqueValue);
                return;
            }

            existing = await client.GetPropertyAsync(objectType, property.Name, cancellationToken).ConfigureAwait(false);
        }

        if (existing is null || (property.HasUniqueValue && !existing.HasUniqueValue))
        {
            // HubSpot only lets new properties be unique: an existing non-unique one cannot be converted.
            throw new CrmException(CrmErrorCode.Configuration,
                $"The HubSpot {objectType} property '{property.Name}' exists but is not unique (hasUniqueValue); the hub upserts by it. " +
                "Delete it in HubSpot (Settings > Properties) so the hub can create it as unique.");
        }
    }

    private async Task CheckPipelineAsync(CancellationToken cancellationToken)
    {
        var pipelines = await client.GetPipelinesAsync("deals", cancellationToken).ConfigureAwait(false);
        var pipeline = pipelines.FirstOrDefault(p => p.Id == options.DealPipeline)
            ?? throw new CrmException(CrmErrorCode.Configuration,
                $"{HubSpotOptions.SectionName}:DealPipeline '{options.DealPipeline}' is not a deals pipeline of this portal ({string.Join(", ", pipelines.Select(p => p.Id))}).");
        foreach (var status in Enum.GetValues<OrderStatus>())
        {
            var stage = StageFor(status);
            if (pipeline.Stages.All(s => s.Id != stage))
            {
                throw new CrmException(CrmErrorCode.Configuration,
                    $"{HubSpotOptions.SectionName}:DealStages:{status} is '{stage}', not a stage of pipeline '{pipeline.Id}' ({string.Join(", ", pipeline.Stages.Select(s => s.Id))}).");
            }
        }
    }

    public void Dispose() => _gate.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Created HubSpot {ObjectType} property {Property} (unique: {Unique})")]
    private partial void LogCreated(string objectType, string property, bool unique);
}
