using Integration.Core.Events;

namespace Integration.Tests.Support;

/// <summary>Commerce events as the intake produces them, each with a fresh event id.</summary>
public static class TestEvents
{
    public static CommerceEvent Order(long orderId = 250, string scope = "store/order/updated") => new()
    {
        EventId = Guid.NewGuid().ToString("N"),
        StoreHash = TestStores.Plain,
        Scope = scope,
        ResourceType = "order",
        ResourceId = ResourceId.FromNumber(orderId),
        OccurredAt = DateTimeOffset.UnixEpoch,
        ReceivedAt = DateTimeOffset.UnixEpoch,
    };
}
