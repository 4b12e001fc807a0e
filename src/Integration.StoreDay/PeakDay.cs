using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Integration.Core.Events;
using Integration.Erp.Tryton.JsonRpc;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.StoreDay;

/// <summary>
/// A peak day (<c>StoreDay:Peak</c>, issue 25 item 5): after the ordinary day, a burst of <see cref="Orders"/> orders
/// arriving at <see cref="OrdersPerSecond"/>, with the status changes, registrations, cancellations and refunds a store
/// day has, one kill -9 of the hub and one of the ERP (each restarted by its supervisor, as a service manager would).
/// </summary>
public sealed class PeakOptions
{
    /// <summary>Orders in the burst; 0 (the default) plays no peak.</summary>
    public int Orders { get; set; }

    /// <summary>The burst's arrival rate (orders a second).</summary>
    public double OrdersPerSecond { get; set; } = 2;

    /// <summary>
    /// A file holding the hub's pid, rewritten by its supervisor when it starts it again (<c>build.sh run --peak</c>): the
    /// hub is killed (-9) a third into the burst. Unset: no hub kill.
    /// </summary>
    public string? HubPidFile { get; set; }

    /// <summary>The same for Tryton (trytond): killed (-9) two thirds into the burst and started again on its database. Unset: no ERP restart.</summary>
    public string? ErpPidFile { get; set; }

    /// <summary>How often the queues' depth, the hub's memory and the store's API counter are sampled.</summary>
    public int SampleSeconds { get; set; } = 5;

    /// <summary>
    /// How long after an order the merchant takes its payment (20 s); cancellations come 1.5 times, completions 3 times
    /// and refunds 4.5 times that long after it.
    /// </summary>
    public double MerchantDelaySeconds { get; set; } = 20;

    /// <summary>Every this many orders the figures so far are printed (0: only at the end).</summary>
    public int InterimReportOrders { get; set; } = 1200;
}

/// <summary>One sample of the burst: the queues' depth, the hub's resident memory (and its kernel-recorded peak), the store's API requests so far.</summary>
public sealed record PeakSample(DateTimeOffset At, int Placed, long? ErpBacklog, long? CrmBacklog, long HubRssBytes, long HubPeakBytes, long StoreRequests, long Throttled);

/// <summary>What the burst played: when each order was placed, the faults, the samples until the queues were empty.</summary>
public sealed record PeakPlay(IReadOnlyDictionary<long, DateTimeOffset> Placed, DateTimeOffset Started, DateTimeOffset Ended, IReadOnlyList<PeakSample> Samples,
    IReadOnlyList<string> Faults, int Customers, int StatusChanges, int Cancellations, int Refunds, long StoreRequestsBefore, long ThrottledBefore, int PlayerCallsBefore)
{
    /// <summary>When the queues were first seen empty after the burst (null: not within the wait).</summary>
    public DateTimeOffset? QueuesEmpty { get; init; }

    /// <summary>The player's API calls when the queues were empty (its calls count against the quota too).</summary>
    public int PlayerCallsAfter { get; init; }
}

/// <summary>
/// Plays the burst against the store (orders through the emulator's checkout, status changes and refunds through
/// BigCommerce's API, so they spend the quota as a merchant's would), kills the hub and the ERP once each, and samples
/// what the hub has left to do. Every order <c>i</c> of the burst: every 50th is a newly registered customer's first
/// order, one in three else is a guest's; <c>i % 4 == 1</c> waits for payment and is paid 20 s later; <c>i % 10 == 3</c>
/// is shipped and completed 60 s later; <c>i % 200 == 7</c> is cancelled after 30 s; <c>i % 500 == 11</c> has one
/// line item refunded after 90 s (at the default <see cref="PeakOptions.MerchantDelaySeconds"/>). The burst sells SKUs the day's stock count did not count (the ERP owns stock, and the
/// day's units-sold rule is about the counted SKUs), two lines an order.
/// </summary>
public sealed class PeakDay(StoreApi store, PeakOptions options, IServiceProvider hub, Uri webhookUrl, Uri erpUrl, IProgress<string>? progress = null)
{
    public async Task<PeakPlay> PlayAsync(IReadOnlyList<long> customers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customers);
        var variants = await UncountedVariantsAsync(cancellationToken);
        var counters = (await store.GetAsync("_emulator/counters", cancellationToken))!;
        var (requestsBefore, throttledBefore, playerBefore) = (counters["requests"]!.GetValue<long>(), counters["throttled"]!.GetValue<long>(), store.Calls);
        var pool = new List<long>(customers);
        var placed = new Dictionary<long, DateTimeOffset>();
        var faults = new List<string>();
        var samples = new List<PeakSample>();
        var run = Guid.NewGuid().ToString("N")[..6];
        int statusChanges = 0, cancellations = 0, refunds = 0, registered = 0, placedCount = 0;

        // The merchant's later work on the burst's orders, in due order, on one worker (it must not hold up the arrivals).
        var later = Channel.CreateUnbounded<(DateTimeOffset Due, Func<Task> Act)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var merchant = Task.Run(async () =>
        {
            var due = new PriorityQueue<Func<Task>, DateTimeOffset>();
            var open = true;
            while (open || due.Count > 0)
            {
                while (later.Reader.TryRead(out var item))
                {
                    due.Enqueue(item.Act, item.Due);
                }

                if (due.TryPeek(out var act, out var at) && at <= DateTimeOffset.UtcNow)
                {
                    due.Dequeue();
                    await act();
                    continue;
                }

                var wait = due.Count > 0 ? at - DateTimeOffset.UtcNow : TimeSpan.FromSeconds(1);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(wait < TimeSpan.Zero ? TimeSpan.Zero : wait);
                try
                {
                    open = await later.Reader.WaitToReadAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // due: go round
                }
            }
        }, cancellationToken);

        var started = DateTimeOffset.UtcNow;
        var sampler = Task.Run(() => SampleAsync(samples, () => Volatile.Read(ref placedCount), stop.Token), CancellationToken.None);
        var faultTasks = new List<Task>();
        var interimReport = Task.CompletedTask;
        var nextCustomer = RegisterAsync(0);
        var clock = Stopwatch.StartNew();
        progress?.Report(string.Create(CultureInfo.InvariantCulture,
            $"peak: {options.Orders} orders at {options.OrdersPerSecond:0.##}/s from {started:HH:mm:ss} (about {options.Orders / options.OrdersPerSecond / 60:0} minutes)"));
        for (var i = 0; i < options.Orders; i++)
        {
            var at = TimeSpan.FromSeconds(i / options.OrdersPerSecond);
            if (clock.Elapsed < at)
            {
                await Task.Delay(at - clock.Elapsed, cancellationToken);
            }

            if (i == options.Orders / 3 && options.HubPidFile is { } hubPids)
            {
                faultTasks.Add(KillAsync("hub", hubPids, i, () => AnswersAsync(new Uri(webhookUrl, "/healthz"), cancellationToken), faults, cancellationToken));
            }

            if (i == 2 * options.Orders / 3 && options.ErpPidFile is { } erpPids)
            {
                faultTasks.Add(KillAsync("ERP (trytond)", erpPids, i, () => ListeningAsync(erpUrl.Port, cancellationToken), faults, cancellationToken));
            }

            long customer = 0;
            if (i % 50 == 0)
            {
                // Registered one order-block ahead (its call may wait for the quota), so the arrivals keep their pace.
                customer = await nextCustomer;
                nextCustomer = i + 50 < options.Orders ? RegisterAsync(i + 50) : Task.FromResult(0L);
                pool.Add(customer);
                registered++;
            }
            else if (i % 3 != 2 && pool.Count > 0)
            {
                customer = pool[i % pool.Count];
            }

            var lines = new JsonArray(
                new JsonObject { ["variant_id"] = variants[i % variants.Count], ["quantity"] = 1 + (i % 3) },
                new JsonObject { ["variant_id"] = variants[(i + 5) % variants.Count], ["quantity"] = 1 });
            var order = (await store.SendAsync(HttpMethod.Post, "_emulator/orders", new JsonObject
            {
                ["customer_id"] = customer, ["lines"] = lines, ["status_id"] = i % 4 == 1 ? 7 : 11,
            }, cancellationToken))!["id"]!.GetValue<long>();
            placed[order] = DateTimeOffset.UtcNow;
            Interlocked.Increment(ref placedCount);
            var path = string.Create(CultureInfo.InvariantCulture, $"v2/orders/{order}");
            var now = DateTimeOffset.UtcNow;
            var delay = options.MerchantDelaySeconds;
            if (i % 4 == 1)
            {
                statusChanges++;
                await later.Writer.WriteAsync((now.AddSeconds(delay), () => StatusAsync(path, 11)), cancellationToken);
            }

            if (i % 10 == 3)
            {
                statusChanges += 2;
                await later.Writer.WriteAsync((now.AddSeconds(3 * delay), async () =>
                {
                    await StatusAsync(path, 9);
                    await StatusAsync(path, 10);
                }), cancellationToken);
            }

            if (i % 200 == 7)
            {
                cancellations++;
                await later.Writer.WriteAsync((now.AddSeconds(1.5 * delay), () => StatusAsync(path, 5)), cancellationToken);
            }

            if (i % 500 == 11)
            {
                refunds++;
                await later.Writer.WriteAsync((now.AddSeconds(4.5 * delay), () => RefundLineAsync(order)), cancellationToken);
            }

            if (i > 0 && i % 600 == 0)
            {
                var last = samples.LastOrDefault();
                progress?.Report(string.Create(CultureInfo.InvariantCulture,
                    $"peak: {i} orders placed in {clock.Elapsed.TotalMinutes:0.0} min; queues erp {last?.ErpBacklog} crm {last?.CrmBacklog}; hub {last?.HubRssBytes / 1048576.0:0} MiB"));
            }

            if (i > 0 && options.InterimReportOrders > 0 && i % options.InterimReportOrders == 0 && interimReport.IsCompleted)
            {
                // The figures so far, so a run cut short (a long burst on a shared machine) still says something; in the
                // background, so the arrivals keep their pace.
                PeakSample[] sofar;
                lock (samples)
                {
                    sofar = [.. samples];
                }

                string[] faultsSoFar;
                lock (faults)
                {
                    faultsSoFar = [.. faults];
                }

                var interim = new PeakPlay(new Dictionary<long, DateTimeOffset>(placed), started, DateTimeOffset.UtcNow, sofar, faultsSoFar, registered, statusChanges,
                    cancellations, refunds, requestsBefore, throttledBefore, playerBefore) { PlayerCallsAfter = store.Calls };
                var (quota, window) = (counters["quota"]!.GetValue<int>(), counters["window_ms"]!.GetValue<int>());
                interimReport = Task.Run(async () =>
                {
                    try
                    {
                        foreach (var line in await ReportAsync(interim, hub.GetRequiredService<TrytonClient>(), store.StoreHash, quota, window, cancellationToken))
                        {
                            progress?.Report("peak so far: " + line);
                        }
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        progress?.Report("peak so far: no figures (" + ex.GetType().Name + ")");
                    }
                }, cancellationToken);
            }
        }

        var ended = DateTimeOffset.UtcNow;
        later.Writer.Complete();
        await merchant;
        await Task.WhenAll(faultTasks);
        await interimReport;
        progress?.Report(string.Create(CultureInfo.InvariantCulture,
            $"peak: {options.Orders} orders placed in {(ended - started).TotalMinutes:0.0} min ({options.Orders / (ended - started).TotalSeconds:0.00}/s), {registered} customers registered, {statusChanges} status changes, {cancellations} cancelled, {refunds} refunded in part"));

        // The backlog's drain: until every burst order has its Tryton sale, then until both queues are seen empty (a
        // blocklisted destination holds deliveries back for minutes, so empty queues alone do not mean drained).
        var tryton = hub.GetRequiredService<TrytonClient>();
        var keys = placed.Keys.Select(id => string.Create(CultureInfo.InvariantCulture, $"bc-{store.StoreHash}-{id}")).ToList();
        DateTimeOffset? allSales = null, empty = null;
        var deadline = DateTimeOffset.UtcNow.AddHours(3);
        var lastReport = DateTimeOffset.UtcNow;
        while (empty is null && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(options.SampleSeconds, 10)), cancellationToken);
            if (allSales is null)
            {
                var written = 0;
                foreach (var chunk in keys.Chunk(500))
                {
                    written += (await tryton.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "in", TrytonJson.Array(chunk))], ["id"],
                        cancellationToken: cancellationToken)).GetArrayLength();
                }

                if (written >= keys.Count)
                {
                    allSales = DateTimeOffset.UtcNow;
                }
                else if (DateTimeOffset.UtcNow - lastReport >= TimeSpan.FromMinutes(1))
                {
                    lastReport = DateTimeOffset.UtcNow;
                    var last = samples.LastOrDefault();
                    progress?.Report(string.Create(CultureInfo.InvariantCulture,
                        $"peak: draining, {written} of {keys.Count} burst orders in Tryton; queues erp {last?.ErpBacklog} crm {last?.CrmBacklog}"));
                }
            }

            if (allSales is not null && samples.LastOrDefault() is { At: var at, ErpBacklog: 0, CrmBacklog: 0 or null } && at >= allSales)
            {
                empty = at;
            }
        }

        await stop.CancelAsync();
        await sampler;
        return new PeakPlay(placed, started, ended, samples, faults, registered, statusChanges, cancellations, refunds, requestsBefore, throttledBefore, playerBefore)
        {
            QueuesEmpty = empty, PlayerCallsAfter = store.Calls,
        };

        async Task<long> RegisterAsync(int i)
        {
            var created = await store.SendAsync(HttpMethod.Post, "v3/customers", new JsonArray(new JsonObject
            {
                ["email"] = $"peak{i}.{run}@example.com", ["first_name"] = $"Peak{i}", ["last_name"] = $"Shopper{run}",
                ["addresses"] = new JsonArray(new JsonObject
                {
                    ["first_name"] = $"Peak{i}", ["last_name"] = $"Shopper{run}", ["address1"] = $"{i + 1} Harbour Road", ["city"] = "Austin",
                    ["state_or_province"] = "Texas", ["postal_code"] = "78701", ["country_code"] = "US", ["address_type"] = "residential",
                }),
            }), cancellationToken);
            return created!["data"]![0]!["id"]!.GetValue<long>();
        }

        async Task StatusAsync(string orderPath, int status) =>
            await store.SendAsync(HttpMethod.Put, orderPath, new JsonObject { ["status_id"] = status }, cancellationToken);
    }

    private async Task RefundLineAsync(long order)
    {
        var product = (await store.GetAsync(string.Create(CultureInfo.InvariantCulture, $"v2/orders/{order}/products")))!.AsArray()[0]!;
        await store.SendAsync(HttpMethod.Post, string.Create(CultureInfo.InvariantCulture, $"v3/orders/{order}/payment_actions/refunds"), new JsonObject
        {
            ["items"] = new JsonArray(new JsonObject { ["item_type"] = "PRODUCT", ["item_id"] = product["id"]!.GetValue<long>(), ["quantity"] = 1 }),
        });
    }

    /// <summary>Kills (-9) the process whose pid the file holds and waits for its supervisor to have it answering again.</summary>
    private async Task KillAsync(string what, string pidFile, int at, Func<Task<bool>> answers, List<string> faults, CancellationToken cancellationToken)
    {
        var pid = ReadPid(pidFile) ?? throw new StoreDayException($"{pidFile} holds no pid: cannot kill the {what}.");
        var watch = Stopwatch.StartNew();
        using (var process = Process.GetProcessById(pid))
        {
            process.Kill(); // SIGKILL: no shutdown, as a crash or an OOM kill
        }

        progress?.Report($"peak: the {what} (pid {pid}) killed (-9) at order {at}; waiting for its supervisor to start it again");
        while (!cancellationToken.IsCancellationRequested)
        {
            if (ReadPid(pidFile) is { } now && now != pid && await answers())
            {
                var line = string.Create(CultureInfo.InvariantCulture, $"{what} killed (-9) at order {at}, answering again after {watch.Elapsed.TotalSeconds:0.0} s (pid {now})");
                lock (faults)
                {
                    faults.Add(line);
                }

                progress?.Report("peak: " + line);
                return;
            }

            if (watch.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new StoreDayException($"The {what} did not come back within 5 minutes of its kill (-9): is it supervised (build.sh run --peak)?");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private static int? ReadPid(string file)
    {
        try
        {
            return int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static async Task<bool> AnswersAsync(Uri url, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = await http.GetAsync(url, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task<bool> ListeningAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task SampleAsync(List<PeakSample> samples, Func<int> placed, CancellationToken cancellationToken)
    {
        var backlog = hub.GetRequiredService<IEventBacklog>();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var counters = (await store.GetAsync("_emulator/counters", cancellationToken))!;
                var (rss, peak) = options.HubPidFile is { } file && ReadPid(file) is { } pid ? Memory(pid) : (0L, 0L);
                var sample = new PeakSample(DateTimeOffset.UtcNow, placed(), await backlog.GetDepthAsync(EventTargets.Erp, cancellationToken),
                    await backlog.GetDepthAsync(EventTargets.Crm, cancellationToken), rss, peak,
                    counters["requests"]!.GetValue<long>(), counters["throttled"]!.GetValue<long>());
                lock (samples)
                {
                    samples.Add(sample);
                }

                await Task.Delay(TimeSpan.FromSeconds(options.SampleSeconds), cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or global::Azure.RequestFailedException or StoreDayException or OperationCanceledException)
            {
                // A sample missed (Azurite busy, an HTTP timeout on a loaded machine): the next one counts. A timeout once
                // ended the sampler for good, and the figures went stale.
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            }
        }
    }

    /// <summary>Resident memory and its peak (VmRSS, VmHWM) of a process, from /proc (0 when it is gone).</summary>
    private static (long Rss, long Peak) Memory(int pid)
    {
        try
        {
            long rss = 0, peak = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kilobytes(line) * 1024;
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = Kilobytes(line) * 1024;
                }
            }

            return (rss, peak);
        }
        catch (IOException)
        {
            return (0, 0);
        }

        static long Kilobytes(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    /// <summary>The store's variants after the first ten products: the day's stock count counted the first ones.</summary>
    private async Task<List<long>> UncountedVariantsAsync(CancellationToken cancellationToken)
    {
        var products = (await store.GetAsync("v3/catalog/products?include=variants&limit=10&page=2", cancellationToken))?["data"]?.AsArray() ?? [];
        var variants = products.SelectMany(p => p?["variants"]?.AsArray() ?? []).Select(v => v!["id"]!.GetValue<long>()).ToList();
        return variants.Count >= 6 ? variants
            : throw new StoreDayException("The peak sells the store's products 11–20 (the day's stock count covers the first ten): the store needs at least 20 products.");
    }

    /// <summary>
    /// The burst's figures once the hub has drained: order → sale latency (placed → the Tryton sale's <c>create_date</c>)
    /// for sales written during the burst and after it, the backlog's peak and drain, the store's API calls per order
    /// against the quota, and the hub's peak memory.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ReportAsync(PeakPlay peak, TrytonClient tryton, string storeHash, int quota, int windowMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peak);
        ArgumentNullException.ThrowIfNull(tryton);
        var written = new Dictionary<long, DateTimeOffset>();
        foreach (var chunk in peak.Placed.Keys.Chunk(500))
        {
            var keys = chunk.Select(id => string.Create(CultureInfo.InvariantCulture, $"bc-{storeHash}-{id}")).ToList();
            var sales = await tryton.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "in", TrytonJson.Array(keys))], ["reference", "create_date"],
                cancellationToken: cancellationToken);
            foreach (var sale in sales.EnumerateArray())
            {
                if (TrytonJson.GetString(sale, "reference", "sale.sale") is { } reference
                    && long.TryParse(reference.AsSpan(reference.LastIndexOf('-') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                    && TrytonJson.GetDateTime(sale, "create_date", "sale.sale") is { } at)
                {
                    written[id] = written.TryGetValue(id, out var first) && first < at ? first : at;
                }
            }
        }

        var lags = written.Select(w => (Written: w.Value, Lag: Math.Max(0, (w.Value - peak.Placed[w.Key]).TotalSeconds))).ToList();
        var during = lags.Where(l => l.Written <= peak.Ended).Select(l => l.Lag).Order().ToArray();
        var after = lags.Where(l => l.Written > peak.Ended).Select(l => l.Lag).Order().ToArray();
        var lastSale = lags.Count == 0 ? (DateTimeOffset?)null : lags.Max(l => l.Written);
        // The orders placed without a sale yet, at each placement and each sale: the ERP's backlog in orders, from Tryton's own dates.
        var steps = peak.Placed.Values.Select(t => (At: t, Step: 1)).Concat(written.Values.Select(t => (At: t, Step: -1))).OrderBy(x => x.At).ThenBy(x => x.Step);
        int open = 0, mostOpen = 0;
        var mostOpenAt = peak.Started;
        foreach (var (at, step) in steps)
        {
            open += step;
            if (open > mostOpen)
            {
                (mostOpen, mostOpenAt) = (open, at);
            }
        }

        var samples = peak.Samples.ToList();
        var erpPeak = samples.Where(s => s.ErpBacklog is not null).MaxBy(s => s.ErpBacklog);
        var crmPeak = samples.Where(s => s.CrmBacklog is not null).MaxBy(s => s.CrmBacklog);
        var burst = samples.Where(s => s.At >= peak.Started && s.At <= peak.Ended).ToList();
        var last = samples.Count > 0 ? samples[^1] : null;
        var hubCalls = (last?.StoreRequests ?? peak.StoreRequestsBefore) - peak.StoreRequestsBefore - (peak.PlayerCallsAfter - peak.PlayerCallsBefore);
        // The busiest window: the most requests between two samples at most one quota window apart (and at least 80% of
        // one, so a short stretch is not scaled up).
        long busiest = 0;
        for (var i = 0; i < samples.Count; i++)
        {
            var j = samples.FindLastIndex(s => s.At <= samples[i].At.AddMilliseconds(windowMs));
            if (j > i && (samples[j].At - samples[i].At).TotalMilliseconds >= 0.8 * windowMs)
            {
                busiest = Math.Max(busiest, samples[j].StoreRequests - samples[i].StoreRequests);
            }
        }

        string P(double[] sorted, double p) => sorted.Length == 0 ? "-" : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)].ToString("0.0", CultureInfo.InvariantCulture);
        var seconds = (peak.Ended - peak.Started).TotalSeconds;
        var ordersPerWindow = peak.Placed.Count / seconds * windowMs / 1000.0;
        return
        [
            string.Create(CultureInfo.InvariantCulture, $"burst           {peak.Placed.Count} orders in {seconds / 60:0.0} min ({peak.Placed.Count / seconds:0.00}/s), {peak.Customers} customers registered, {peak.StatusChanges} status changes, {peak.Cancellations} cancelled, {peak.Refunds} refunded in part"),
            .. peak.Faults.Select(f => "fault           " + f),
            string.Create(CultureInfo.InvariantCulture, $"order → sale    written during the burst: n={during.Length} p50 {P(during, 0.5)} s, p99 {P(during, 0.99)} s, max {P(during, 1)} s; after it: n={after.Length} p50 {P(after, 0.5)} s, p99 {P(after, 0.99)} s, max {P(after, 1)} s; {peak.Placed.Count - written.Count} without a sale"),
            string.Create(CultureInfo.InvariantCulture, $"order backlog   orders placed without a sale yet: peak {mostOpen} at {mostOpenAt:HH:mm:ss} ({(mostOpenAt - peak.Started).TotalMinutes:0.0} min into the burst); {open} at the end"),
            string.Create(CultureInfo.InvariantCulture, $"backlog         erp queue peak {erpPeak?.ErpBacklog} at {erpPeak?.At:HH:mm:ss} (order {erpPeak?.Placed}), crm queue peak {crmPeak?.CrmBacklog} at {crmPeak?.At:HH:mm:ss}; queues empty {(peak.QueuesEmpty is { } e ? ((e - peak.Ended).TotalSeconds).ToString("0", CultureInfo.InvariantCulture) + " s" : "not seen")} after the last order, the last burst sale written {(lastSale is { } s ? ((s - peak.Ended).TotalSeconds).ToString("0", CultureInfo.InvariantCulture) + " s" : "-")} after it"),
            string.Create(CultureInfo.InvariantCulture, $"store API       {hubCalls} calls by the hub for {peak.Placed.Count} orders = {hubCalls / (double)Math.Max(1, peak.Placed.Count):0.00} per order ({peak.PlayerCallsAfter - peak.PlayerCallsBefore} more by the merchant); busiest {windowMs / 1000} s window {busiest} requests (hub and merchant) of the quota's {quota}; the burst's arrival needs {ordersPerWindow:0} orders per window; {(last?.Throttled ?? peak.ThrottledBefore) - peak.ThrottledBefore} answered 429 over quota"),
            string.Create(CultureInfo.InvariantCulture, $"hub memory      peak resident {samples.Select(x => Math.Max(x.HubPeakBytes, x.HubRssBytes)).DefaultIfEmpty(0).Max() / 1048576.0:0} MiB (VmHWM, across restarts); during the burst resident p50 {Median(burst.Select(x => x.HubRssBytes)) / 1048576.0:0} MiB"),
        ];
    }

    private static double Median(IEnumerable<long> values)
    {
        var sorted = values.Where(v => v > 0).Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }
}
