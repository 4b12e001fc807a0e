using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Integration.Azure.State;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Commerce;
using Integration.BigCommerce.Emulator;
using Integration.Core.Events;
using Integration.Core.Flows.Customers;
using Integration.Core.Flows.Orders;
using Integration.Core.Mapping;
using Customer = Integration.Core.Model.Customer;
using Company = Integration.Core.Model.Company;
using SystemIds = Integration.Core.Model.SystemIds;
using Integration.Core.Processing;
using Integration.Erp.Tryton;
using Integration.Erp.Tryton.JsonRpc;
using Integration.StoreDay;
using Integration.Testing;
using Integration.Testing.Tryton;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Integration.Tests.EndToEnd;

/// <summary>
/// Issue 22, defect 7, the ERP half: every field of the mapping with an <c>erp</c> column whose owner is not BigCommerce
/// (the ERP's catalog and stock fields, the CRM's company fields) is never changed in Tryton by the hub's ERP writes once
/// the record exists. Changed in Tryton (where Tryton lets it change without refusing the sale), then order and customer
/// events replayed through the processor with the real flows, the emulator over HTTP and Azurite: each field keeps
/// Tryton's value.
/// </summary>
public sealed class ErpOwnershipEndToEndTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>, IAsyncLifetime
{
    private const string Token = "ownership-token-0123456789";
    private readonly string _store = TrytonTestData.Unique("eo");
    private Support.EmulatedStore _bigCommerce = null!;
    private TrytonClient _tryton = null!;
    private TrytonErpConnector _erp = null!;
    private EventProcessor _processor = null!;
    private TableClient _table = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private BigCommerceClient Client => _bigCommerce.Clients.GetClient(_store);

    public async ValueTask InitializeAsync()
    {
        _bigCommerce = await Support.EmulatedStore.StartAsync(_store, Token, Ct);
        _tryton = TrytonTestData.Client(tryton);
        _erp = TrytonTestData.Connector(tryton, _tryton);
        _table = new TableServiceClient(azurite.ConnectionString).GetTableClient("eo" + Guid.NewGuid().ToString("N")[..12]);
        await _table.CreateAsync(Ct);
        _processor = Processor(_erp);
    }

    /// <summary>The processor with the ERP flows over <paramref name="erp"/> (a fresh connector has nothing cached: what another worker, or this one after the cache expired, sees).</summary>
    private EventProcessor Processor(TrytonErpConnector erp)
    {
        var store = new BigCommerceStore(_bigCommerce.Clients, MappingConfiguration.Default);
        IResourceSync[] syncs = [new OrderErpFlow(store, erp, MappingConfiguration.Default), new CustomerErpFlow(store, erp, MappingConfiguration.Default)];
        return new EventProcessor(new TableSyncStateStore(_table, TimeProvider.System), new TableQuarantineStore(_table), syncs,
            Options.Create(new ProcessingOptions()), TimeProvider.System, NullLogger<EventProcessor>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _table.DeleteAsync();
        await _bigCommerce.DisposeAsync();
        _tryton.Dispose();
    }

    [Fact]
    public async Task EveryMappedErpFieldTheStoreDoesNotOwn_KeepsTrytonsValue_ThroughReplayedOrderAndCustomerEvents()
    {
        // The product, the customer and an order in Tryton, as the hub creates them.
        var (variant, sku) = await VariantAsync();
        await TrytonTestData.CreateProductsAsync(_tryton, [sku], Ct);
        await TrytonTestData.InventoryAsync(_tryton, new Dictionary<string, decimal> { [sku] = 40 }, Ct);
        var company = TrytonTestData.Unique("Acme");
        using var http = new HttpClient { BaseAddress = _bigCommerce.Emulator.BaseAddress };
        var api = new StoreApi(http, _store, Token);
        await api.SendAsync(HttpMethod.Put, "v3/customers", new JsonArray(new JsonObject { ["id"] = 1, ["company"] = company }), Ct);
        var first = _bigCommerce.Emulator.Store(_store).CreateOrder(1, [(variant, 2)]);
        await AppliedAsync(OrderEvent(first.Id, "store/order/created"));
        await AppliedAsync(CustomerEvent(1));

        var probes = Probes(sku, $"bc-{_store}-1");
        var fields = ErpFieldsTheStoreDoesNotOwn();
        Assert.NotEmpty(fields);
        Assert.All(fields, f => Assert.True(probes.ContainsKey(f), $"No probe for the mapping's field {f}: add how to read it in Tryton."));

        // Tryton's side changes what it may (ERP users edit the catalog; CRM-owned company data reaches the ERP by hand).
        var product = await ProductAsync(sku);
        var template = product.GetProperty("template").GetInt32();
        var renamed = "ERP name " + Guid.NewGuid().ToString("N")[..8];
        var changes = new JsonObject { ["name"] = renamed, ["list_price"] = TrytonJson.EncodeDecimal(77.70m) };
        if ((await _tryton.GetFieldNamesAsync("product.template", Ct)).Contains("weight"))
        {
            changes["weight"] = 3.5;
            changes["weight_uom"] = (await _tryton.SearchReadAsync("product.uom", [TrytonJson.Clause("symbol", "=", "kg")], ["id"], cancellationToken: Ct))[0]
                .GetProperty("id").GetInt32();
        }

        await _tryton.WriteAsync("product.template", [template], changes, cancellationToken: Ct);
        var party = await PartyAsync($"bc-{_store}-1");
        var partyId = party.GetProperty("id").GetInt32();
        await _tryton.CreateAsync("party.identifier", [new JsonObject { ["party"] = partyId, ["code"] = "TAX-" + Guid.NewGuid().ToString("N")[..6] }], cancellationToken: Ct);
        await _tryton.WriteAsync("party.party", [partyId], new JsonObject
        {
            ["addresses"] = new JsonArray(new JsonArray("create", new JsonArray(new JsonObject { ["street"] = "1 ERP Road", ["city"] = "Lisbon" }))),
        }, cancellationToken: Ct);
        var before = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, read) in probes)
        {
            before[field] = await read();
        }

        // The store changes the customer and the order, and takes a new order for the same customer and product: each
        // event is applied (the hub writes the party and the sales), and what Tryton changed stays. A fresh connector, so
        // nothing cached hides a write the hub would make.
        _processor = Processor(TrytonTestData.Connector(tryton, _tryton));
        await api.SendAsync(HttpMethod.Put, "v3/customers", new JsonArray(new JsonObject { ["id"] = 1, ["phone"] = "+1 555 0100", ["company"] = company + " Ltd" }), Ct);
        await AppliedAsync(CustomerEvent(1));
        await Client.UpdateOrderStatusAsync(first.Id, OrderStatuses.AwaitingShipment, Ct);
        await AppliedAsync(OrderEvent(first.Id, "store/order/statusUpdated"));
        var second = _bigCommerce.Emulator.Store(_store).CreateOrder(1, [(variant, 1)]);
        await AppliedAsync(OrderEvent(second.Id, "store/order/created"));
        await AppliedAsync(OrderEvent(first.Id, "store/order/created")); // a late redelivery

        foreach (var (field, read) in probes)
        {
            Assert.True(before[field] == await read(), $"{field}: Tryton had '{before[field]}', the hub's writes made it '{await read()}'.");
        }

        Assert.Equal(renamed, (await ProductAsync(sku)).GetProperty("name").GetString());
        Assert.Equal(77.70m, TrytonJson.GetDecimal(await ProductAsync(sku), "list_price", "product.product"));
    }

    [Fact]
    public async Task APartyNamedAfterItsCompany_IsNotRenamedByTheHub_OnceItExists()
    {
        // A customer with no person's name: the party is created with the company's name (company.name, the CRM's field);
        // after that, Tryton's name is Tryton's (renamed there), and the next upsert must not put the store's value back.
        var customer = new Customer
        {
            Email = TrytonTestData.Unique("co") + "@example.org",
            Company = new Company { Name = TrytonTestData.Unique("Globex") },
            Ids = new SystemIds(BigCommerce: "424242"),
        };
        var created = await _erp.UpsertCustomerAsync(_store, customer, Ct);
        var key = $"bc-{_store}-424242";
        Assert.Equal(customer.Company.Name, (await PartyAsync(key)).GetProperty("name").GetString());
        var renamed = "Globex Corporation (ERP) " + Guid.NewGuid().ToString("N")[..6];
        await _tryton.WriteAsync("party.party", [int.Parse(created.ErpId, CultureInfo.InvariantCulture)], new JsonObject { ["name"] = renamed }, cancellationToken: Ct);

        await TrytonTestData.Connector(tryton, _tryton).UpsertCustomerAsync(_store, customer with { Phone = "+1 555 0199" }, Ct); // nothing cached

        Assert.Equal(renamed, (await PartyAsync(key)).GetProperty("name").GetString());
    }

    /// <summary>
    /// How to read each field in Tryton: the product (<c>product.product</c> by the SKU: code, name, list price,
    /// salable, weight), its stock at the hub's warehouse, and the customer's party (the company's name is never the
    /// party's name when the customer has one; its tax identifiers and addresses).
    /// </summary>
    private Dictionary<string, Func<Task<string>>> Probes(string sku, string partyKey)
    {
        async Task<string> Product(string field) => (await ProductAsync(sku)).TryGetProperty(field, out var value) ? value.ToString() : "(absent)";
        async Task<string> Party(string field) => (await PartyAsync(partyKey)).GetProperty(field).ToString();
        async Task<string> Stock()
        {
            var warehouse = (await _tryton.SearchReadAsync("stock.location", [TrytonJson.Clause("code", "=", TrytonFixture.WarehouseCode)], ["id", "code"],
                cancellationToken: Ct))[0];
            var stock = await _tryton.SearchReadAsync("product.product", [TrytonJson.Clause("code", "=", sku)], ["code", "quantity"],
                context: new JsonObject { ["locations"] = new JsonArray(warehouse.GetProperty("id").GetInt32()) }, cancellationToken: Ct);
            return $"{warehouse.GetProperty("code")} {stock[0].GetProperty("code")} {stock[0].GetProperty("quantity")}";
        }

        return new(StringComparer.Ordinal)
        {
            ["product.sku"] = () => Product("code"),
            ["product.name"] = () => Product("name"),
            ["product.price"] = () => Product("list_price"),
            ["product.salable"] = () => Product("salable"),
            ["product.weight"] = () => Product("weight"),
            ["variant.sku"] = () => Product("code"),
            ["variant.price"] = () => Product("list_price"),
            ["variant.weight"] = () => Product("weight"),
            ["variant.salable"] = () => Product("salable"),
            ["inventory.sku"] = Stock,
            ["inventory.location"] = Stock,
            ["inventory.quantity"] = Stock,
            ["company.name"] = () => Party("name"),
            ["company.taxId"] = () => Party("identifiers"),
            ["company.address"] = async () => string.Join(" | ", (await _tryton.SearchReadAsync("party.address",
                [TrytonJson.Clause("party.code", "=", partyKey), TrytonJson.Clause("street", "=", "1 ERP Road")], ["street", "city"], cancellationToken: Ct))
                .EnumerateArray().Select(a => $"{a.GetProperty("street")}, {a.GetProperty("city")}")),
        };
    }

    /// <summary>The mapping's fields (<c>object.field</c>) with an <c>erp</c> column whose owner is not BigCommerce, from the default file.</summary>
    private static List<string> ErpFieldsTheStoreDoesNotOwn()
    {
        using var mapping = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", "Integration.Core", "Mapping", "mapping.default.json")));
        var owners = mapping.RootElement.GetProperty("ownership").EnumerateObject()
            .SelectMany(o => o.Value.EnumerateArray().Select(f => (Field: f.GetString()!, Owner: o.Name)))
            .ToDictionary(x => x.Field, x => x.Owner, StringComparer.Ordinal);
        return [.. mapping.RootElement.GetProperty("objects").EnumerateObject()
            .SelectMany(o => o.Value.EnumerateObject().Where(f => f.Value.TryGetProperty("erp", out _)).Select(f => $"{o.Name}.{f.Name}"))
            .Where(f => owners.GetValueOrDefault(f) != "bigcommerce")];
    }

    private async Task<JsonElement> ProductAsync(string sku)
    {
        var fields = new List<string> { "code", "name", "list_price", "salable", "template" };
        if ((await _tryton.GetFieldNamesAsync("product.product", Ct)).Contains("weight"))
        {
            fields.Add("weight");
        }

        return Assert.Single((await _tryton.SearchReadAsync("product.product", [TrytonJson.Clause("code", "=", sku)], fields, cancellationToken: Ct)).EnumerateArray());
    }

    private async Task<JsonElement> PartyAsync(string code) =>
        Assert.Single((await _tryton.SearchReadAsync("party.party", [TrytonJson.Clause("code", "=", code)], ["id", "name", "identifiers"], cancellationToken: Ct))
            .EnumerateArray());

    /// <summary>A seeded variant and its SKU as the mapping normalises it.</summary>
    private async Task<(long Variant, string Sku)> VariantAsync()
    {
        await foreach (var product in Client.GetProductsAsync(cancellationToken: Ct))
        {
            foreach (var variant in product.Variants ?? [])
            {
                return (variant.Id, MappingConfiguration.Default.Sku.Normalise(variant.Sku));
            }
        }

        throw new InvalidOperationException("The emulated store has no variant.");
    }

    private async Task AppliedAsync(CommerceEvent evt)
    {
        var result = await _processor.ProcessAsync(evt, EventTargets.Erp, new Delivery(1, false), Ct);
        Assert.True(result.Outcome is ProcessingOutcome.Applied or ProcessingOutcome.Unchanged, $"{evt.Scope} {evt.ResourceId}: {result.Outcome} {result.Reason}");
    }

    private CommerceEvent OrderEvent(long orderId, string scope) => Event(scope, "order", orderId);

    private CommerceEvent CustomerEvent(long customerId) => Event("store/customer/updated", "customer", customerId);

    private CommerceEvent Event(string scope, string type, long id) => new()
    {
        EventId = Guid.NewGuid().ToString("N"),
        StoreHash = _store,
        Scope = scope,
        ResourceType = type,
        ResourceId = ResourceId.FromNumber(id),
        OccurredAt = DateTimeOffset.UtcNow,
        ReceivedAt = DateTimeOffset.UtcNow,
    };
}
