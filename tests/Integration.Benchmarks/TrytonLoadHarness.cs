using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Integration.Core.Model;
using Integration.Erp.Tryton;
using Integration.Erp.Tryton.Configuration;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing.Tryton;

namespace Integration.Benchmarks;

/// <summary>
/// The Tryton connector against a real Tryton (tests/env/tryton.sh) on loopback: reads N products with prices and
/// stock (time, allocations, peak working set), then upserts orders and reports, for a new order, an unchanged repeat
/// and a status change, the latency and the JSON-RPC calls per order (<see cref="TrytonClient.CallCount"/>).
/// Usage: <c>load-tryton [products=10000] [orders=200]</c>.
/// </summary>
public sealed class TrytonLoadHarness : ILoadHarness
{
    public string Name => "load-tryton";

    public async Task<int> RunAsync(string[] args)
    {
        var productCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var orderCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;

        var tryton = new TrytonFixture();
        await tryton.InitializeAsync();
        try
        {
            var options = new TrytonOptions
            {
                Url = tryton.Url, Database = tryton.Database, User = tryton.User, Password = tryton.Password,
                CompanyId = TrytonFixture.CompanyId, Warehouses = { ["main"] = TrytonFixture.WarehouseCode }, OrderWarehouse = "main",
                PageSize = 1000,
            };
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
            using var client = new TrytonClient(http, new TrytonClientOptions(options.Url, options.Database, options.User, options.CompanyId),
                _ => ValueTask.FromResult(tryton.Password));
            var connector = new TrytonErpConnector(client, options);

            Console.WriteLine($"Seeding {productCount} products with stock...");
            var seed = Stopwatch.StartNew();
            var codes = await SeedAsync(client, productCount);
            Console.WriteLine($"  seeded in {seed.Elapsed.TotalSeconds:F1} s");

            await ReadCatalogAndStockAsync(connector, productCount);
            await UpsertOrdersAsync(connector, client, codes, orderCount);
            return 0;
        }
        finally
        {
            await tryton.DisposeAsync();
        }
    }

    private static async Task ReadCatalogAndStockAsync(TrytonErpConnector connector, int expected)
    {
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        int products = 0, levels = 0;
        decimal totalPrice = 0, totalStock = 0;
        await foreach (var product in connector.GetCatalogAsync())
        {
            products++;
            totalPrice += product.Price ?? 0;
        }

        var catalogTime = watch.Elapsed;
        await foreach (var level in connector.GetStockAsync())
        {
            levels++;
            totalStock += level.Quantity;
        }

        var total = watch.Elapsed;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        using var self = Process.GetCurrentProcess();
        Console.WriteLine($"Catalog: {products} products in {catalogTime.TotalSeconds:F2} s; stock: {levels} levels in {(total - catalogTime).TotalSeconds:F2} s; " +
            $"total {total.TotalSeconds:F2} s ({(products + levels) / total.TotalSeconds:F0} records/s)");
        Console.WriteLine($"  allocated {allocated / 1024.0 / 1024.0:F1} MiB; peak working set {self.PeakWorkingSet64 / 1024.0 / 1024.0:F1} MiB; " +
            $"checksum price {totalPrice} stock {totalStock}");
        if (products < expected || levels < expected)
        {
            throw new InvalidOperationException($"Expected at least {expected} products and stock levels.");
        }
    }

    private static async Task UpsertOrdersAsync(TrytonErpConnector connector, TrytonClient client, IReadOnlyList<string> codes, int count)
    {
        var created = new List<double>(count);
        var repeated = new List<double>(count);
        var advanced = new List<double>(count);
        long createdCalls = 0, repeatedCalls = 0, advancedCalls = 0;
        for (var i = 0; i < count; i++)
        {
            var order = Order(i, codes);
            createdCalls += await TimeAsync(() => connector.UpsertOrderAsync(order), created);
            repeatedCalls += await TimeAsync(() => connector.UpsertOrderAsync(order), repeated);
            // Paid: the sale is quoted and confirmed (Tryton then processes it and plans the shipment).
            advancedCalls += await TimeAsync(() => connector.UpsertOrderAsync(order with { Status = OrderStatus.AwaitingFulfillment }), advanced);
        }

        Console.WriteLine($"Order upsert (new, 3 lines, to draft):   {Percentiles(created)}; {createdCalls / (double)count:F2} calls/order");
        Console.WriteLine($"Order upsert (repeat, unchanged):        {Percentiles(repeated)}; {repeatedCalls / (double)count:F2} calls/order");
        Console.WriteLine($"Order upsert (paid: quote and confirm):  {Percentiles(advanced)}; {advancedCalls / (double)count:F2} calls/order");

        async Task<long> TimeAsync(Func<Task> upsert, List<double> samples)
        {
            var calls = client.CallCount;
            var watch = Stopwatch.StartNew();
            await upsert();
            samples.Add(watch.Elapsed.TotalMilliseconds);
            return client.CallCount - calls;
        }
    }

    private static string Percentiles(List<double> samples)
    {
        samples.Sort();
        double At(double p) => samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(p * samples.Count) - 1)];
        return $"n={samples.Count} p50 {At(0.50):F1} ms, p99 {At(0.99):F1} ms, max {samples[^1]:F1} ms";
    }

    private static Order Order(int i, IReadOnlyList<string> codes) => new()
    {
        StoreHash = "bench",
        OrderId = i + 1,
        Status = OrderStatus.Pending,
        Currency = "USD",
        Customer = new Customer
        {
            Email = $"buyer{i % 50}@example.com", FirstName = "Bench", LastName = "Buyer",
            Ids = new SystemIds(BigCommerce: (i % 50 + 1).ToString(CultureInfo.InvariantCulture)),
        },
        BillingAddress = new Address { Line1 = "1 Main St", City = "Springfield", PostalCode = "62701", CountryCode = "US" },
        Lines =
        [
            .. Enumerable.Range(0, 3).Select(k => new OrderLine { Sku = codes[(i * 3 + k) % codes.Count], Quantity = k + 1, UnitPrice = 10m + k }),
        ],
    };

    private static async Task<IReadOnlyList<string>> SeedAsync(TrytonClient client, int count)
    {
        var codes = new List<string>(count);
        for (var start = 0; start < count; start += 1000)
        {
            var batch = new JsonArray();
            for (var i = start; i < Math.Min(count, start + 1000); i++)
            {
                var code = string.Create(CultureInfo.InvariantCulture, $"BENCH{i:D6}");
                codes.Add(code);
                batch.Add(new JsonObject
                {
                    ["name"] = $"Bench product {i}", ["type"] = "goods", ["default_uom"] = 1, ["sale_uom"] = 1,
                    ["list_price"] = TrytonJson.EncodeDecimal(5m + (i % 100)), ["salable"] = true,
                    ["products"] = new JsonArray(new JsonArray("create", new JsonArray(new JsonObject { ["suffix_code"] = code }))),
                });
            }

            await client.CreateAsync("product.template", batch);
        }

        var storage = (await client.SearchReadAsync("stock.location", [TrytonJson.Clause("code", "=", TrytonFixture.WarehouseCode)], ["storage_location"]))[0]
            .GetProperty("storage_location").GetInt32();
        var lines = new JsonArray();
        await foreach (var product in client.SearchReadAllAsync("product.product", () => [TrytonJson.Clause("code", "like", "BENCH%")], ["id"], 1000))
        {
            lines.Add(new JsonObject { ["product"] = product.GetProperty("id").GetInt32(), ["quantity"] = 100.0 });
        }

        var inventory = await client.CreateAsync("stock.inventory",
            [new JsonObject { ["location"] = storage, ["lines"] = new JsonArray(new JsonArray("create", lines)) }]);
        await client.ExecuteAsync("stock.inventory", "confirm", inventory);
        return codes;
    }
}
