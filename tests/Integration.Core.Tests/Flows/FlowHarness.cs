using System.Text.Json;
using Integration.Core.Commerce;
using Integration.Core.Erp;
using Integration.Core.Events;
using Integration.Core.Model;
using Integration.Core.Processing;
using Integration.Testing.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Integration.Core.Tests.Flows;

/// <summary>
/// A flow run by the real <see cref="EventProcessor"/> on the in-memory state store, with the store and the ERP as
/// strict mocks of their ports: each test says what the store serves and what the ERP answers, and nothing else is
/// called. No Azurite, Tryton or emulator: these tests take milliseconds.
/// </summary>
internal sealed class FlowHarness
{
    public const string StoreHash = "abc123";
    public static readonly DateTimeOffset V1 = new(2026, 11, 1, 10, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset V2 = V1.AddMinutes(5);

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    public InMemoryStateStore State { get; }

    public Mock<ICommerceStore> Store { get; } = new(MockBehavior.Strict);

    public Mock<IErpConnector> Erp { get; } = new(MockBehavior.Strict);

    public FlowHarness() => State = new InMemoryStateStore(Time);

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public EventProcessor Processor(params IResourceSync[] syncs) =>
        new(State, State, syncs, Options.Create(new ProcessingOptions()), Time, NullLogger<EventProcessor>.Instance);

    /// <summary>One delivery (the first, or the transport's last) of the event to <paramref name="sync"/>'s target.</summary>
    public Task<ProcessingResult> ProcessAsync(IResourceSync sync, CommerceEvent commerceEvent, bool lastAttempt = false) =>
        Processor(sync).ProcessAsync(commerceEvent, sync.Target, new Delivery(lastAttempt ? 10 : 1, lastAttempt), Ct);

    public async Task<List<QuarantinedEvent>> QuarantinedAsync() =>
        await ((IQuarantineStore)State).ListAsync(new QuarantineQuery(StoreHash), Ct).ToListAsync(Ct);

    public static CommerceEvent Event(string resourceType, long id, string scope, object? data = null) => new()
    {
        EventId = Guid.NewGuid().ToString("N"),
        StoreHash = StoreHash,
        Scope = scope,
        ResourceType = resourceType,
        ResourceId = ResourceId.FromNumber(id),
        OccurredAt = V1,
        ReceivedAt = V1,
        Data = data is null ? null : JsonSerializer.SerializeToElement(data),
    };

    public static CommerceEvent OrderEvent(long orderId, string scope = "store/order/updated") => Event("order", orderId, scope);

    public static Address Address() => new()
    {
        FirstName = "Jane",
        LastName = "Doe",
        Line1 = "1 Market St",
        City = "San Francisco",
        Subdivision = "US-CA",
        PostalCode = "94105",
        CountryCode = "US",
        Email = "jane.doe@example.com",
    };

    public static Customer Customer(DateTimeOffset? modifiedAt = null) => new()
    {
        Email = "jane.doe@example.com",
        FirstName = "Jane",
        LastName = "Doe",
        Phone = "+14155550132",
        AcceptsMarketing = true,
        Addresses = [Address()],
        ModifiedAt = modifiedAt,
    };

    /// <summary>A clean order (as the store adapter hands it over: normalised) of two lines.</summary>
    public static Order Order(long orderId, OrderStatus status = OrderStatus.AwaitingFulfillment, DateTimeOffset? modifiedAt = null) => new()
    {
        StoreHash = StoreHash,
        OrderId = orderId,
        Status = status,
        Currency = "USD",
        Customer = Customer(),
        BillingAddress = Address(),
        ShippingAddresses = [Address()],
        Lines =
        [
            new OrderLine { Sku = "TEE-01", Name = "T-shirt", Quantity = 2, UnitPrice = 19.99m, BigCommerceLineId = 1 },
            new OrderLine { Sku = "MUG-01", Name = "Mug", Quantity = 1, UnitPrice = 9.5m, BigCommerceLineId = 2 },
        ],
        ShippingTotal = 5m,
        TaxTotal = 4.1m,
        GrandTotal = 58.58m,
        CreatedAt = V1,
        ModifiedAt = modifiedAt ?? V1,
    };

    public static Refund Refund(long orderId, long refundId, DateTimeOffset createdAt, decimal otherAmount = 0, params RefundLine[] lines) => new()
    {
        StoreHash = StoreHash,
        OrderId = orderId,
        RefundId = refundId,
        Currency = "USD",
        Lines = lines,
        OtherAmount = otherAmount,
        CreatedAt = createdAt,
    };

    public static ErpWriteResult Written(string erpId) => new(erpId, ErpWriteOutcome.Updated);
}
