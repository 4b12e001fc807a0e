using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Queues;
using Integration.Azure.Messaging;
using Integration.BigCommerce.Webhooks;
using Integration.Core.Events;
using System.Text.Json.Nodes;
using Integration.Functions.TestHost;
using Integration.Functions.TestHost.Rpc;
using Integration.Hosting;
using Integration.Testing;
using Integration.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Integration.Tests.Hosting;

/// <summary>
/// The real Integration.Functions worker process, started and driven by <see cref="FunctionsHost"/> over the Functions
/// host ↔ worker gRPC protocol: start stream, worker init, worker indexing, function loads and invocations, as the
/// Azure Functions host runs it. State and queues on Azurite.
/// </summary>
public sealed class FunctionsWorkerTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Worker_Boots_AndIndexesExactlyWhatFunctionsMetadataDeclares()
    {
        await using var host = await FunctionsWorker.StartAsync(FunctionsWorker.Settings(azurite.ConnectionString, FunctionsWorker.NewPrefix()), Ct);

        var file = FunctionsMetadata.Load().Select(f => f!.AsObject()).ToDictionary(f => (string)f["name"]!);
        Assert.Equal(file.Keys.Order(StringComparer.Ordinal), host.Functions.Select(f => f.Name).Order(StringComparer.Ordinal));
        foreach (var function in host.Functions)
        {
            var declared = file[function.Name];
            Assert.Equal((string?)declared["entryPoint"], function.EntryPoint);
            Assert.Equal((string?)declared["scriptFile"], function.ScriptFile);
            var bindings = function.RawBindings.Select(b => WithoutEmptyProperties(JsonNode.Parse(b)!)).ToList();
            var declaredBindings = declared["bindings"]!.AsArray().Select(b => WithoutEmptyProperties(b!.DeepClone())).ToList();
            Assert.Equal(declaredBindings.Count, bindings.Count);
            Assert.All(declaredBindings.Zip(bindings), pair => Assert.True(JsonNode.DeepEquals(pair.First, pair.Second),
                $"{function.Name}: the worker indexed {pair.Second?.ToJsonString()}, functions.metadata declares {pair.First?.ToJsonString()}"));
            Assert.False(string.IsNullOrEmpty(function.FunctionId));
        }

        Assert.Empty(host.FunctionErrors);
        // The ASP.NET Core integration advertises the worker's own HTTP listener, on loopback.
        var httpUri = new Uri(host.WorkerCapabilities[FunctionsHost.HttpUriCapability]);
        Assert.True(httpUri.IsLoopback, httpUri.ToString());
        Assert.Equal("ServiceBusConnection", (string?)JsonNode.Parse(host.Functions.Single(f => f.Name == "ErpEventConsumer").RawBindings.Single())!["connection"]);
        Assert.Equal("commerce-events", host.ResolvedTriggerProperty("ErpEventConsumer", "topicName"));
    }

    [Fact]
    public async Task LedgerSweepTimer_FiredPastDueOnItsResolvedSchedule_RunsTheSweep_AndTheWorkerServesTheNextInvocation()
    {
        await using var host = await FunctionsWorker.StartAsync(FunctionsWorker.Settings(azurite.ConnectionString, FunctionsWorker.NewPrefix()), Ct);

        var first = await host.InvokeTimerAsync("LedgerSweep", DateTimeOffset.UtcNow, isPastDue: true, Ct);
        var second = await host.InvokeTimerAsync("LedgerSweep", DateTimeOffset.UtcNow, isPastDue: false, Ct);

        Assert.True(first.Succeeded, first.Error + "\n" + host.WorkerOutput);
        Assert.True(second.Succeeded, second.Error + "\n" + host.WorkerOutput);
        Assert.Equal("0 0 3 * * *", host.ResolvedTriggerProperty("LedgerSweep", "schedule"));
        // The sweep really ran in the worker (its own log line, through the host's log stream or the console).
        await WaitUntilAsync(() => Logged(host, "Ledger sweep deleted") >= 2, () => host.WorkerOutput);
    }

    [Fact]
    public async Task FunctionThatThrows_EndsFailedWithItsException_UnknownFunctionAndUnconvertibleBindingToo_AndTheWorkerStaysUp()
    {
        await using var host = await FunctionsWorker.StartAsync(FunctionsWorker.Settings(azurite.ConnectionString, FunctionsWorker.NewPrefix()), Ct);

        // A body that is not an event: the consumer throws so the message is abandoned (and dead-lettered in time).
        var thrown = await host.InvokeServiceBusAsync("ErpEventConsumer",
            new ServiceBusDelivery("not an event", Guid.NewGuid().ToString("N"), 1, DateTimeOffset.UtcNow, new Dictionary<string, object?>()), cancellationToken: Ct);
        // A host that invokes a function id the worker never loaded.
        var unknown = await host.InvokeUnknownFunctionAsync(Ct);
        // Binding data the binding cannot convert to the parameter (int deliveryCount).
        var unconvertible = await host.InvokeAsync("ErpEventConsumer",
            new Dictionary<string, TypedData> { ["body"] = new() { String = "{}" } },
            new Dictionary<string, TypedData> { ["DeliveryCount"] = new() { Json = "\"three\"" } }, cancellationToken: Ct);
        var after = await host.InvokeTimerAsync("LedgerSweep", DateTimeOffset.UtcNow, cancellationToken: Ct);

        Assert.False(thrown.Succeeded);
        Assert.Contains("dead-letter", thrown.Error, StringComparison.Ordinal);
        Assert.False(thrown.WorkerExited);
        Assert.False(unknown.Succeeded);
        Assert.False(string.IsNullOrEmpty(unknown.Error));
        Assert.False(unconvertible.Succeeded);
        Assert.Contains("deliveryCount", unconvertible.Error, StringComparison.OrdinalIgnoreCase);
        Assert.True(after.Succeeded, after.Error);
        Assert.False(host.WorkerExited.IsCompleted);
    }

    // The worker's ASP.NET Core integration picks its HTTP port by binding port 0 and letting it go, then binds it again
    // later; on a busy machine another process can take it between the two, and the worker exits during start-up
    // (seen once in a restart test). The Functions host starts a worker again when it exits during start-up; so does
    // ours, a bounded number of times, and then says how often it tried.
    [Fact]
    public async Task WorkerThatExitsDuringStartUp_IsStartedAgain_ABoundedNumberOfTimes()
    {
        var options = new FunctionsHostOptions
        {
            AppDirectory = FunctionsMetadata.OutputDirectory(),
            Settings = FunctionsWorker.Settings(azurite.ConnectionString, FunctionsWorker.NewPrefix()),
            WorkerAssembly = "Missing.Worker.dll", // dotnet exits at once: a worker that never starts
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => FunctionsHost.StartAsync(options, Ct));

        Assert.Contains($"exited during start-up {options.StartAttempts} times", error.Message, StringComparison.Ordinal);
        Assert.Contains("Missing.Worker.dll", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerThatExitsMidInvocation_FailsTheInvocationAsTheHostDoes()
    {
        // Table Storage behind a relay the test pauses: the sweep's first call hangs, so the invocation is still in
        // flight when the worker process dies.
        var tableEndpoint = new Uri(azurite.ConnectionString.Split(';').Single(p => p.StartsWith("TableEndpoint=", StringComparison.Ordinal))["TableEndpoint=".Length..]);
        await using var relay = new LoopbackTcpProxy(tableEndpoint.Port);
        relay.Start();
        var settings = FunctionsWorker.Settings(azurite.ConnectionString, FunctionsWorker.NewPrefix());
        settings["State:ConnectionString"] = azurite.ConnectionString.Replace($":{tableEndpoint.Port}/", $":{relay.Port}/", StringComparison.Ordinal);
        settings["State:NetworkTimeoutSeconds"] = "60";
        await using var host = await FunctionsWorker.StartAsync(settings, Ct);
        relay.Pause();

        var invocation = host.InvokeTimerAsync("LedgerSweep", DateTimeOffset.UtcNow, cancellationToken: Ct);
        host.KillWorker();
        var result = await invocation.WaitAsync(TimeSpan.FromSeconds(60), Ct);
        relay.Resume();

        Assert.False(result.Succeeded);
        Assert.True(result.WorkerExited);
        Assert.Contains("worker process exited", result.Error, StringComparison.Ordinal);
        await host.WorkerExited.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var next = await host.InvokeTimerAsync("LedgerSweep", DateTimeOffset.UtcNow, cancellationToken: Ct);
        Assert.True(next.WorkerExited);
    }

    [Fact]
    public async Task TimerWhoseScheduleSettingIsMissing_IsInError_AsTheHostsIndexingLeavesIt_WhileTheOthersLoad()
    {
        // The hub itself has a default sweep schedule, but the trigger's %ProcessingLedgerSweepSchedule% needs the
        // app setting: without it the host cannot start that timer.
        var settings = FunctionsWorker.Settings(azurite.ConnectionString, FunctionsWorker.NewPrefix());
        settings.Remove(TriggerSettings.LedgerSweepSchedule);
        await using var host = await FunctionsWorker.StartAsync(settings, Ct);

        Assert.Contains($"%{TriggerSettings.LedgerSweepSchedule}%", Assert.Single(host.FunctionErrors, e => e.Key == "LedgerSweep").Value, StringComparison.Ordinal);
        // The host refuses to fire it (synchronously: nothing reaches the worker).
        Assert.Throws<InvalidOperationException>(() => { _ = host.InvokeTimerAsync("LedgerSweep", DateTimeOffset.UtcNow, cancellationToken: Ct); });
        Assert.True((await host.InvokeTimerAsync("FulfilmentSync", DateTimeOffset.UtcNow, cancellationToken: Ct)).Succeeded);
    }

    /// <summary>The SDK writes an empty <c>properties</c> bag into functions.metadata where the worker's own index has none.</summary>
    private static JsonNode WithoutEmptyProperties(JsonNode binding)
    {
        if (binding["properties"] is JsonObject { Count: 0 })
        {
            binding.AsObject().Remove("properties");
        }

        return binding;
    }

    [Fact]
    public async Task SignedWebhook_PostedToTheHost_IsAnsweredByTheWorkerThroughTheAspNetCoreIntegration_AndTheEventIsQueued()
    {
        var prefix = FunctionsWorker.NewPrefix();
        await using var host = await FunctionsWorker.StartAsync(FunctionsWorker.Settings(azurite.ConnectionString, prefix), Ct);
        var body = Payloads.Order(5, storeHash: TestStores.Signing).ToJsonString();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = StandardWebhooks.Sign(TestStores.SigningKey, "msg_1", long.Parse(timestamp, CultureInfo.InvariantCulture), Encoding.UTF8.GetBytes(body));

        using var ok = await PostAsync(host, body, ("webhook-id", "msg_1"), ("webhook-timestamp", timestamp), ("webhook-signature", signature));
        using var tampered = await PostAsync(host, body.Replace("\"id\":5", "\"id\":6", StringComparison.Ordinal),
            ("webhook-id", "msg_1"), ("webhook-timestamp", timestamp), ("webhook-signature", signature));
        using var get = await host.Client.GetAsync(new Uri("api/webhooks/bigcommerce", UriKind.Relative), Ct);

        Assert.True(ok.StatusCode == HttpStatusCode.OK, $"{ok.StatusCode}: {string.Join("; ", host.ForwardErrors)} {string.Join("; ", host.HttpInvocations.Select(i => i.Error))}\n{host.WorkerOutput}");
        Assert.Empty(await ok.Content.ReadAsByteArrayAsync(Ct));
        // The refusal is the worker's own RFC 9457 answer, carried back through the host.
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
        Assert.Equal("application/problem+json", tampered.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode); // the trigger declares POST only
        Assert.Equal(2, host.HttpInvocations.Count);
        Assert.All(host.HttpInvocations, i => Assert.True(i.Succeeded, i.Error));
        foreach (var target in EventTargets.All)
        {
            var evt = Assert.Single(await StandaloneHost.DrainAsync(
                new QueueClient(azurite.ConnectionString, StorageQueueEventPublisher.QueueName(prefix, target)), Ct));
            Assert.Equal(ResourceId.FromNumber(5), evt.ResourceId);
            Assert.Equal(TestStores.Signing, evt.StoreHash);
        }
    }

    [Fact]
    public async Task ServiceBusDeliveries_FromTheBrokerDouble_AreSettledByTheWorkersAnswer()
    {
        await using var host = await FunctionsWorker.StartAsync(FunctionsWorker.Settings(azurite.ConnectionString, FunctionsWorker.NewPrefix()), Ct);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var broker = new ServiceBusDouble(time, maxDeliveryCount: 3, EventTargets.Erp, EventTargets.Crm);
        var publisher = new ServiceBusEventPublisher(broker, time);
        var evt = TestEvents.Order(Random.Shared.NextInt64(1_000_000, 9_000_000));
        var body = JsonSerializer.SerializeToUtf8Bytes(evt, CommerceEventJsonContext.Default.CommerceEvent);
        await publisher.PublishAsync(evt, body, Ct);
        await publisher.PublishAsync(evt, body, Ct); // the same webhook delivered twice: same message id, dropped by the broker
        var poison = Guid.NewGuid().ToString("N");
        await broker.SendMessageAsync(new ServiceBusMessage("not an event") { MessageId = poison }, Ct);
        var seen = new List<(ServiceBusDouble.Delivered Delivery, InvocationResult Result)>();

        await broker.RunUntilIdleAsync(async d =>
        {
            var function = d.Subscription == EventTargets.Erp ? "ErpEventConsumer" : "CrmEventConsumer";
            var result = await host.InvokeServiceBusAsync(function,
                new ServiceBusDelivery(d.Body, d.MessageId!, d.DeliveryCount, d.EnqueuedTime, d.ApplicationProperties) { SequenceNumber = d.SequenceNumber },
                d.ApplicationProperties.TryGetValue("traceparent", out var parent) ? parent as string : null, Ct);
            seen.Add((d, result));
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(result.Error); // the host abandons the message
            }
        });

        Assert.Equal(1, broker.DroppedAsDuplicates);
        // The event: completed at its first delivery on each subscription.
        var delivered = seen.Where(s => s.Delivery.MessageId == evt.EventId).ToList();
        Assert.Equal([EventTargets.Crm, EventTargets.Erp], delivered.Select(s => s.Delivery.Subscription).Order(StringComparer.Ordinal));
        Assert.All(delivered, s => Assert.True(s.Result.Succeeded && s.Delivery.DeliveryCount == 1, s.Result.Error));
        // The poison message: abandoned, redelivered with its delivery count + 1 up to the max, then dead-lettered.
        var failed = seen.Where(s => s.Delivery.MessageId == poison).ToList();
        Assert.All(failed, s => Assert.False(s.Result.Succeeded));
        Assert.Equal([1, 1, 2, 2, 3, 3], failed.Select(s => s.Delivery.DeliveryCount).Order());
        Assert.Equal(2, broker.DeadLettered.Count);
        Assert.All(broker.DeadLettered, d => Assert.Equal(3, d.DeliveryCount));
        Assert.False(host.WorkerExited.IsCompleted);
    }

    /// <summary>Posts a webhook body to the host's front door with the signing test store's shared secret and the given headers.</summary>
    internal static async Task<HttpResponseMessage> PostAsync(FunctionsHost host, string body, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/webhooks/bigcommerce", UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Webhook-Secret", TestStores.SignedSecret);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return await host.Client.SendAsync(request, Ct);
    }

    private static int Logged(FunctionsHost host, string text) =>
        Math.Max(host.WorkerLogs.Count(l => l.Message.Contains(text, StringComparison.Ordinal)),
            host.WorkerOutput.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal)));

    private static Task WaitUntilAsync(Func<bool> condition, Func<string> diagnostics) =>
        Eventually.HoldsAsync(condition, TimeSpan.FromSeconds(30), () => $"Condition not met within 30 s. Worker output:\n{diagnostics()}", Ct);
}
