using Integration.Core.Model;

namespace Integration.Core.Tests.Mapping;

/// <summary>Canonical records as a BigCommerce connector would read them: values raw, as the store holds them.</summary>
internal static class TestRecords
{
    public static Address Address(string country = "United States", string? subdivision = "california", string? phone = "(415) 555-0132") => new()
    {
        FirstName = "Jane",
        LastName = "Doe",
        Line1 = "1 Market St",
        City = "San Francisco",
        Subdivision = subdivision,
        PostalCode = "94105",
        CountryCode = country,
        Phone = phone,
        Email = " Jane.Doe@Example.com",
    };

    public static Order Order(int lines = 3, OrderStatus status = OrderStatus.AwaitingFulfillment) => new()
    {
        StoreHash = "abc123",
        OrderId = 250,
        Status = status,
        Currency = " usd",
        Customer = new Customer
        {
            Email = "Jane.Doe@Example.com ",
            FirstName = "Jane",
            LastName = "Doe",
            Phone = "415.555.0132",
            AcceptsMarketing = true,
            Addresses = [Address()],
        },
        BillingAddress = Address(),
        ShippingAddresses = [Address(subdivision: "NY")],
        Lines = [.. Enumerable.Range(1, lines).Select(i => new OrderLine
        {
            Sku = $" sku-{i:D3}\u200B ",
            Name = $"Item {i}",
            Quantity = i,
            UnitPrice = 10.005m + i,
            BigCommerceLineId = i,
        })],
        ShippingTotal = 5m,
        TaxTotal = 1.2345m,
        GrandTotal = 100.999m,
        CreatedAt = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero),
    };

    public static Product Product() => new()
    {
        Sku = "tee-01",
        Name = "T-shirt",
        Description = "<p>Soft cotton.</p>",
        Price = 19.99m,
        Currency = "USD",
        Salable = true,
        Weight = 0.2m,
        Variants =
        [
            new ProductVariant { Sku = "tee-01-m", Price = 19.99m, Salable = true },
            new ProductVariant { Sku = "tee-01-l", Price = 21.99m, Salable = false },
        ],
    };
}
