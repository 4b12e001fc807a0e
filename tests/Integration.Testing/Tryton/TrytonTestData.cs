using System.Globalization;
using System.Text.Json.Nodes;
using Integration.Core.Model;
using Integration.Erp.Tryton;
using Integration.Erp.Tryton.Configuration;
using Integration.Erp.Tryton.JsonRpc;

namespace Integration.Testing.Tryton;

/// <summary>Clients for a <see cref="TrytonFixture"/> and the products, stock and orders the tests need, created over JSON-RPC.</summary>
public static class TrytonTestData
{
    private static int _sequence;

    public const string Location = "main";

    /// <summary>A prefix no other test uses (test classes run in parallel against one database).</summary>
    public static string Unique(string prefix) =>
        $"{prefix}{Interlocked.Increment(ref _sequence)}x{Guid.NewGuid().ToString("N")[..6]}";

    /// <param name="url">Another address for the same server (e.g. a <see cref="LoopbackTcpProxy"/> in front of it).</param>
    public static TrytonOptions Options(TrytonFixture tryton, string? password = null, int pageSize = 500, Uri? url = null) => new()
    {
        Url = url ?? tryton.Url,
        Database = tryton.Database,
        User = tryton.User,
        Password = password ?? tryton.Password,
        CompanyId = TrytonFixture.CompanyId,
        Warehouses = { [Location] = TrytonFixture.WarehouseCode },
        OrderWarehouse = Location,
        PageSize = pageSize,
    };

    /// <summary>The hub's <c>Erp:Tryton:*</c> settings for this Tryton (one warehouse, <see cref="Location"/>), for hosts built from configuration.</summary>
    public static Dictionary<string, string?> HubSettings(TrytonFixture tryton)
    {
        ArgumentNullException.ThrowIfNull(tryton);
        return new()
        {
            ["Erp:Tryton:Url"] = tryton.Url.ToString(),
            ["Erp:Tryton:Database"] = tryton.Database,
            ["Erp:Tryton:User"] = tryton.User,
            ["Erp:Tryton:Password"] = tryton.Password,
            ["Erp:Tryton:CompanyId"] = TrytonFixture.CompanyId.ToString(CultureInfo.InvariantCulture),
            [$"Erp:Tryton:Warehouses:{Location}"] = TrytonFixture.WarehouseCode,
            ["Erp:Tryton:OrderWarehouse"] = Location,
        };
    }

    public static TrytonClient Client(TrytonFixture tryton, string? password = null, Uri? url = null)
    {
        var options = Options(tryton, password, url: url);
        return new TrytonClient(new HttpClient { Timeout = TimeSpan.FromSeconds(60) },
            new TrytonClientOptions(options.Url!, options.Database!, options.User!, options.CompanyId),
            _ => ValueTask.FromResult(options.Password!));
    }

    public static TrytonErpConnector Connector(TrytonFixture tryton, TrytonClient? client = null, int pageSize = 500) =>
        new(client ?? Client(tryton), Options(tryton, pageSize: pageSize));

    /// <summary>Creates goods with codes <c>{prefix}{i}</c>, list price 10 + i/100, salable when i is even; returns the codes.</summary>
    public static async Task<IReadOnlyList<string>> CreateProductsAsync(TrytonClient client, string prefix, int count,
        CancellationToken cancellationToken = default)
    {
        var codes = Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{prefix}{i:D5}")).ToList();
        await CreateProductsAsync(client, codes, i => i % 2 == 0, cancellationToken);
        return codes;
    }

    /// <summary>Creates salable goods with the given codes; the i-th has list price 10 + i/100.</summary>
    public static Task CreateProductsAsync(TrytonClient client, IReadOnlyList<string> codes, CancellationToken cancellationToken = default) =>
        CreateProductsAsync(client, codes, _ => true, cancellationToken);

    private static Task CreateProductsAsync(TrytonClient client, IReadOnlyList<string> codes, Func<int, bool> salable,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(codes);
        return CreateProductsAsync(client, codes.Select((code, i) => (code, $"Product {code}", 10m + (i / 100m), salable(i))), cancellationToken);
    }

    /// <summary>Creates goods with these codes, names, list prices and salable flags, 500 templates a call.</summary>
    public static async Task CreateProductsAsync(TrytonClient client, IEnumerable<(string Code, string Name, decimal Price, bool Salable)> products,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(products);
        foreach (var chunk in products.Chunk(500))
        {
            var batch = new JsonArray();
            foreach (var (code, name, price, salable) in chunk)
            {
                batch.Add(new JsonObject
                {
                    ["name"] = name,
                    ["type"] = "goods",
                    ["default_uom"] = 1,
                    ["sale_uom"] = 1,
                    ["list_price"] = TrytonJson.EncodeDecimal(price),
                    ["salable"] = salable,
                    ["products"] = new JsonArray(new JsonArray("create", new JsonArray(new JsonObject { ["suffix_code"] = code }))),
                });
            }

            await client.CreateAsync("product.template", batch, cancellationToken: cancellationToken);
        }
    }

    /// <summary>Counts stock into the warehouse's storage location with a confirmed inventory.</summary>
    public static async Task InventoryAsync(TrytonClient client, IReadOnlyDictionary<string, decimal> quantities,
        CancellationToken cancellationToken = default)
    {
        var warehouse = (await client.SearchReadAsync("stock.location",
            [TrytonJson.Clause("code", "=", TrytonFixture.WarehouseCode)], ["storage_location"], cancellationToken: cancellationToken))[0];
        var products = await client.SearchReadAsync("product.product",
            [TrytonJson.Clause("code", "in", TrytonJson.Array(quantities.Keys))], ["code"], cancellationToken: cancellationToken);
        var lines = new JsonArray();
        foreach (var product in products.EnumerateArray())
        {
            lines.Add(new JsonObject
            {
                ["product"] = product.GetProperty("id").GetInt32(),
                ["quantity"] = (double)quantities[product.GetProperty("code").GetString()!],
            });
        }

        var inventory = await client.CreateAsync("stock.inventory", [new JsonObject
        {
            ["location"] = warehouse.GetProperty("storage_location").GetInt32(),
            ["lines"] = new JsonArray(new JsonArray("create", lines)),
        }], cancellationToken: cancellationToken);
        await client.ExecuteAsync("stock.inventory", "confirm", inventory, cancellationToken);
    }

    /// <summary>
    /// Creates a carrier (<c>carrier</c>: a party and a service product whose code is <paramref name="code"/>, the
    /// code the connector reports); returns its id.
    /// </summary>
    public static async Task<int> CreateCarrierAsync(TrytonClient client, string code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        // An explicit party code: Tryton numbers a party without one from a sequence that two transactions at once can
        // draw the same number from on SQLite ("The code on party must be unique"), and test classes run at once.
        var party = (await client.CreateAsync("party.party", [new JsonObject { ["name"] = $"Carrier {code}", ["code"] = $"carrier-{code}" }],
            cancellationToken: cancellationToken))[0];
        await client.CreateAsync("product.template", [new JsonObject
        {
            ["name"] = $"Shipping by {code}",
            ["type"] = "service",
            ["default_uom"] = 1,
            ["list_price"] = TrytonJson.EncodeDecimal(5m),
            ["products"] = new JsonArray(new JsonArray("create", new JsonArray(new JsonObject { ["suffix_code"] = code }))),
        }], cancellationToken: cancellationToken);
        var product = (await client.SearchReadAsync("product.product", [TrytonJson.Clause("code", "=", code)], ["id"], cancellationToken: cancellationToken))[0]
            .GetProperty("id").GetInt32();
        return (await client.CreateAsync("carrier", [new JsonObject { ["party"] = party, ["carrier_product"] = product }], cancellationToken: cancellationToken))[0];
    }

    /// <summary>
    /// Drives the open customer shipment of the sale with this reference through Tryton's workflow to done, as a
    /// warehouse would: carrier and tracking number (the shipment's <c>reference</c>) set, stock assigned, picked,
    /// packed (in one package with <paramref name="packageTracking"/> when given) and done. With
    /// <paramref name="quantities"/> (SKU → quantity) only those quantities are picked: Tryton then ships them and
    /// the sale creates a new shipment (the backorder) for the rest. Returns the shipment id.
    /// </summary>
    /// <remarks>Assigning takes stock: put it in first with <see cref="InventoryAsync"/>.</remarks>
    public static async Task<int> ShipSaleAsync(TrytonClient client, string saleReference, int? carrierId, string? trackingNumber,
        IReadOnlyDictionary<string, decimal>? quantities = null, string? packageTracking = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        const string model = "stock.shipment.out";
        var sales = await client.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "=", saleReference)], ["shipments"], cancellationToken: cancellationToken);
        var ids = sales.EnumerateArray().SelectMany(s => s.GetProperty("shipments").EnumerateArray().Select(i => i.GetInt32())).ToList();
        var shipments = await client.SearchReadAsync(model,
            [TrytonJson.Clause("id", "in", TrytonJson.Array(ids)), TrytonJson.Clause("state", "in", new JsonArray("draft", "waiting"))],
            ["id"], cancellationToken: cancellationToken);
        var shipment = shipments.EnumerateArray().Select(s => s.GetProperty("id").GetInt32()).DefaultIfEmpty(0).Min();
        if (shipment == 0)
        {
            throw new InvalidOperationException($"Sale {saleReference} has no open customer shipment.");
        }

        await client.WriteAsync(model, [shipment], new JsonObject { ["carrier"] = carrierId, ["reference"] = trackingNumber }, cancellationToken: cancellationToken);
        if (quantities is not null)
        {
            var moves = await client.ReadAsync(model, [shipment], ["inventory_moves.product.code"], cancellationToken: cancellationToken);
            foreach (var move in moves[0].GetProperty("inventory_moves.").EnumerateArray())
            {
                var sku = move.GetProperty("product.").GetProperty("code").GetString()!;
                await client.WriteAsync("stock.move", [move.GetProperty("id").GetInt32()],
                    new JsonObject { ["quantity"] = (double)quantities.GetValueOrDefault(sku) }, cancellationToken: cancellationToken);
            }
        }

        var assigned = await client.ExecuteAsync(model, "assign_try", [shipment], cancellationToken);
        if (assigned.ValueKind != System.Text.Json.JsonValueKind.True)
        {
            throw new InvalidOperationException($"Tryton could not assign shipment {shipment}: put the stock in first.");
        }

        await client.ExecuteAsync(model, "pick", [shipment], cancellationToken);
        if (packageTracking is not null)
        {
            var outgoing = await client.ReadAsync(model, [shipment], ["outgoing_moves"], cancellationToken: cancellationToken);
            var type = (await client.CreateAsync("stock.package.type", [new JsonObject { ["name"] = "Box" }], cancellationToken: cancellationToken))[0];
            await client.CreateAsync("stock.package", [new JsonObject
            {
                ["type"] = type,
                ["shipment"] = $"{model},{shipment}",
                ["shipping_reference"] = packageTracking,
                ["moves"] = new JsonArray(new JsonArray("add", TrytonJson.Array(outgoing[0].GetProperty("outgoing_moves").EnumerateArray().Select(m => m.GetInt32())))),
            }], cancellationToken: cancellationToken);
        }

        await client.ExecuteAsync(model, "pack", [shipment], cancellationToken);
        await client.ExecuteAsync(model, "done", [shipment], cancellationToken);
        return shipment;
    }

    /// Ships the open customer shipments of the sale with this reference through Tryton's own workflow (assign, pick,
    /// pack, done), as a warehouse would; with <paramref name="quantities"/>, only those quantities of those SKUs are
    /// picked (a partial shipment: Tryton then plans the rest in a new shipment). Returns the shipped shipment ids.
    /// </summary>
    public static async Task<IReadOnlyList<int>> ShipAsync(TrytonClient client, string saleReference,
        IReadOnlyDictionary<string, decimal>? quantities = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var sale = (await client.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "=", saleReference)], ["id", "shipments"],
            cancellationToken: cancellationToken))[0];
        var shipmentIds = sale.GetProperty("shipments").EnumerateArray().Select(e => e.GetInt32()).ToList();
        var shipments = await client.ReadAsync("stock.shipment.out", shipmentIds, ["id", "state", "inventory_moves.product.code", "inventory_moves.quantity"],
            cancellationToken: cancellationToken);
        var open = new List<int>();
        foreach (var shipment in shipments.EnumerateArray().Where(s => s.GetProperty("state").GetString() is "waiting" or "assigned"))
        {
            open.Add(shipment.GetProperty("id").GetInt32());
            foreach (var move in shipment.GetProperty("inventory_moves.").EnumerateArray())
            {
                var code = move.GetProperty("product.").GetProperty("code").GetString()!;
                if (quantities is not null && quantities.TryGetValue(code, out var quantity))
                {
                    await client.WriteAsync("stock.move", [move.GetProperty("id").GetInt32()], new JsonObject { ["quantity"] = (double)quantity },
                        cancellationToken: cancellationToken);
                }
            }
        }

        // With stock_package_shipping installed, packing a shipment without a carrier raises a warning: set one.
        var carrier = await CreateCarrierAsync(client, "SHIP-" + Guid.NewGuid().ToString("N")[..8], cancellationToken);
        await client.WriteAsync("stock.shipment.out", open, new JsonObject { ["carrier"] = carrier }, cancellationToken: cancellationToken);
        foreach (var step in new[] { "assign_force", "pick", "pack", "done" })
        {
            await client.ExecuteAsync("stock.shipment.out", step, open, cancellationToken);
        }

        // Tryton updates the sale from its moves when it is processed (a worker would do it after the shipment's commit).
        await client.ExecuteAsync("sale.sale", "process", [sale.GetProperty("id").GetInt32()], cancellationToken);
        return open;
    }

    /// <summary>The sales (cancelled ones included) with this reference: id, state, origin, comment and lines.</summary>
    public static Task<System.Text.Json.JsonElement> SalesAsync(TrytonClient client, string reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "=", reference)],
            ["id", "state", "origin", "comment", "lines.product.code", "lines.quantity", "lines.unit_price"],
            context: new() { ["active_test"] = false }, cancellationToken: cancellationToken);
    }

    /// <summary>A sale's lines (read by <see cref="SalesAsync"/>) as (SKU, quantity, unit price), by SKU.</summary>
    public static List<(string Sku, decimal Quantity, decimal UnitPrice)> SaleLines(System.Text.Json.JsonElement sale) =>
    [
        .. sale.GetProperty("lines.").EnumerateArray()
            .Select(l => (
                l.GetProperty("product.").GetProperty("code").GetString()!,
                l.GetProperty("quantity").GetDecimal(),
                TrytonJson.GetDecimal(l, "unit_price", "sale.line")!.Value))
            .OrderBy(l => l.Item1, StringComparer.Ordinal),
    ];

    public static Address Address(string line1 = "1 Main St") => new()
    {
        FirstName = "Jane",
        LastName = "Doe",
        Line1 = line1,
        City = "Springfield",
        Subdivision = "US-IL",
        PostalCode = "62701",
        CountryCode = "US",
        Phone = "+12175550100",
    };

    public static Customer Customer(long bigCommerceId, string? email = null) => new()
    {
        Email = email ?? $"{Unique("jane")}@example.com",
        FirstName = "Jane",
        LastName = "Doe",
        Phone = "+12175550100",
        Addresses = [Address()],
        Ids = new SystemIds(BigCommerce: bigCommerceId.ToString(CultureInfo.InvariantCulture)),
    };

    public static Order Order(string storeHash, long orderId, OrderStatus status, params (string Sku, decimal Quantity, decimal Price)[] lines) => new()
    {
        StoreHash = storeHash,
        OrderId = orderId,
        Status = status,
        Currency = "USD",
        Customer = Customer(orderId + 1000, $"buyer-{storeHash}-{orderId}@example.com"),
        BillingAddress = Address(),
        ShippingAddresses = [Address("2 Dock Rd")],
        Lines = [.. lines.Select(l => new OrderLine { Sku = l.Sku, Quantity = l.Quantity, UnitPrice = l.Price })],
    };
}
