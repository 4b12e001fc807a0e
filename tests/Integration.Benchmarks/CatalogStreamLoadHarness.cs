using System.Diagnostics;
using System.Globalization;
using Integration.BigCommerce;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Benchmarks;

/// <summary>
/// <c>load-catalog-stream [N ...]</c>: streams N products with variants (250 per call) from an in-process emulator
/// through the production-wired client, and prints products/s, API calls, and the peak working set and GC heap
/// sampled during the run. Memory must stay flat in N (the target is under 150 MB at 100,000). The emulator's
/// quota is lifted so the figure is the client's throughput, not BigCommerce's 150 requests / 30 s.
/// The emulator runs in the same process, so the figures include its serialisation work.
/// </summary>
public sealed class CatalogStreamLoadHarness : ILoadHarness
{
    private const string Store = "loadstore";
    private const string Token = "load-token-0123456789";

    public string Name => "load-catalog-stream";

    public async Task<int> RunAsync(string[] args)
    {
        var sizes = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [10_000, 100_000];
        Console.WriteLine("products,variants,calls,seconds,products_per_s,peak_working_set_mb,peak_gc_heap_mb,allocated_mb");
        foreach (var n in sizes)
        {
            await RunOnceAsync(n);
        }

        return 0;
    }

    private static async Task RunOnceAsync(int n)
    {
        await using var emulator = await BigCommerceEmulator.StartAsync(new EmulatorOptions
        {
            Stores = [new EmulatedStoreOptions { StoreHash = Store, ApiToken = Token }],
            RateLimit = new RateLimitOptions { Quota = int.MaxValue, WindowMs = 30_000 },
            Seed = new SeedOptions { Products = n, VariantsPerProduct = 3, Customers = 0, Orders = 0 },
        });
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["BigCommerce:Api:BaseAddress"] = emulator.BaseAddress.ToString() })
            .Build();
        await using var services = new ServiceCollection().AddBigCommerceClient(configuration).BuildServiceProvider();
        var client = services.GetRequiredService<BigCommerceClientFactory>().CreateClient(Store, Token);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        using var sampler = new PeakSampler();
        var clock = Stopwatch.StartNew();
        long products = 0, variants = 0;
        await foreach (var product in client.GetProductsAsync())
        {
            products++;
            variants += product.Variants?.Count ?? 0;
        }

        clock.Stop();
        var (workingSet, heap) = sampler.Stop();
        var calls = emulator.Store(Store).Counters.Calls("GET /v3/catalog/products");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{products},{variants},{calls},{clock.Elapsed.TotalSeconds:F2},{products / clock.Elapsed.TotalSeconds:F0},{workingSet / 1048576.0:F1},{heap / 1048576.0:F1},{(GC.GetTotalAllocatedBytes() - allocatedBefore) / 1048576.0:F0}"));
        if (products != n)
        {
            throw new InvalidOperationException($"Streamed {products} products, expected {n}.");
        }
    }
}
