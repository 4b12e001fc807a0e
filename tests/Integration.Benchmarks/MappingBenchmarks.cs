using BenchmarkDotNet.Attributes;
using Integration.Core.Mapping;
using Integration.Core.Model;

namespace Integration.Benchmarks;

/// <summary>
/// The processor's mapping step for one order: normalise what BigCommerce returned, then build the ERP write
/// through the ownership policy. Target (issue): an order of 50 lines in at most 50 µs and 32 KiB allocated.
/// </summary>
[MemoryDiagnoser]
public class MappingBenchmarks
{
    private readonly MappingConfiguration _mapping = MappingConfiguration.Default;
    private Order _raw = null!;
    private Order _normal = null!;

    [Params(50)]
    public int Lines { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // As a connector reads it: SKUs in mixed case, country and state as names, phone as typed, unrounded tax.
        var address = new Address
        {
            FirstName = "Jane", LastName = "Doe", Line1 = "1 Market St", City = "San Francisco", Subdivision = "California",
            PostalCode = "94105", CountryCode = "United States", Phone = "(415) 555-0132", Email = "Jane.Doe@Example.com",
        };
        _raw = new Order
        {
            StoreHash = "abc123",
            OrderId = 250,
            Status = OrderStatus.AwaitingFulfillment,
            Currency = "USD",
            Customer = new Customer { Email = "Jane.Doe@Example.com", FirstName = "Jane", LastName = "Doe", Phone = "415.555.0132", Addresses = [address] },
            BillingAddress = address,
            ShippingAddresses = [address],
            Lines = [.. Enumerable.Range(1, Lines).Select(i => new OrderLine
            {
                Sku = i % 5 == 0 ? $" tee-{i:D3}-m " : $"TEE-{i:D3}-M", Name = $"T-shirt {i}", Quantity = i % 3 + 1, UnitPrice = 19.99m, BigCommerceLineId = i,
            })],
            ShippingTotal = 5m,
            TaxTotal = 12.3456m,
            GrandTotal = 1012.3456m,
            CreatedAt = DateTimeOffset.UnixEpoch,
        };
        _normal = _mapping.Records.Normalise(_raw);
    }

    /// <summary>Normalise + map + filter: the whole step, from a freshly read order.</summary>
    [Benchmark(Baseline = true)]
    public RecordWrite NormaliseAndWriteToErp() =>
        _mapping.Policy.Write(_mapping.Records.Normalise(_raw), SystemName.BigCommerce, SystemName.Erp);

    /// <summary>Map + filter alone, for an order already normal.</summary>
    [Benchmark]
    public RecordWrite WriteToErp() => _mapping.Policy.Write(_normal, SystemName.BigCommerce, SystemName.Erp);
}
