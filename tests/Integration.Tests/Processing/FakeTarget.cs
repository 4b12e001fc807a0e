using System.Collections.Concurrent;
using Integration.Core.Events;
using Integration.Core.Processing;

namespace Integration.Tests.Processing;

/// <summary>
/// A test double of a target system for processor unit tests (the project's own <see cref="IResourceSync"/> port):
/// a source of order versions and a target that upserts by natural key and counts its writes. Real connectors
/// (Tryton, the emulator) are exercised in their own test projects.
/// </summary>
public sealed class FakeTarget(string target = EventTargets.Erp) : IResourceSync
{
    /// <summary>The source: the version BigCommerce currently serves for each order id.</summary>
    public ConcurrentDictionary<long, DateTimeOffset> Source { get; } = new();

    /// <summary>The target: natural key → (target id, applied version).</summary>
    public ConcurrentDictionary<string, (string Id, DateTimeOffset Version)> Records { get; } = new();

    /// <summary>The source's content of each order beyond its version (a status, say); "v" when not set.</summary>
    public ConcurrentDictionary<long, string> Content { get; } = new();

    /// <summary>The target's content per natural key, as last written.</summary>
    public ConcurrentDictionary<string, string> WrittenContent { get; } = new();

    /// <summary>Runs before the target write of a version (to hold a slow write of an old version).</summary>
    public Func<long, DateTimeOffset, CancellationToken, Task>? BeforeWrite { get; set; }

    public int Writes => _writes;

    /// <summary>SKUs the target does not know: applying an order with one fails permanently.</summary>
    public ConcurrentDictionary<long, string> UnknownSkuByOrder { get; } = new();

    /// <summary>Runs after the upsert committed, before the processor records it (to inject a crash).</summary>
    public Action? AfterCommit { get; set; }

    public Exception? FailWith { get; set; }

    private int _writes;

    public string Target => target;

    public bool CanHandle(CommerceEvent commerceEvent) => commerceEvent.ResourceType == "order";

    public ResourceRef? ResourceOf(CommerceEvent commerceEvent) =>
        new("order", commerceEvent.ResourceId!.Value.Number!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async Task<FetchedRecord?> FetchAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken = default)
    {
        var id = commerceEvent.ResourceId!.Value.Number!.Value;
        if (!Source.TryGetValue(id, out var version))
        {
            return null;
        }

        return await Task.FromResult(new OrderRecord(this, id, version, Content.GetValueOrDefault(id, "v")));
    }

    private sealed record OrderRecord(FakeTarget Owner, long OrderId, DateTimeOffset SourceVersion, string Content) : FetchedRecord(SourceVersion)
    {
        public override string? Fingerprint => $"{SourceVersion:O}|{Content}";

        public override async Task<string?> ApplyAsync(ResourceState? previous, CancellationToken cancellationToken = default)
        {
            if (Owner.BeforeWrite is { } beforeWrite)
            {
                await beforeWrite(OrderId, SourceVersion, cancellationToken);
            }

            if (Owner.FailWith is { } transient)
            {
                throw transient;
            }

            if (Owner.UnknownSkuByOrder.TryGetValue(OrderId, out var sku))
            {
                throw new UnknownSkuException(sku);
            }

            Interlocked.Increment(ref Owner._writes);
            var key = $"bc-abc123-{OrderId}";
            var record = Owner.Records.AddOrUpdate(key, _ => ($"SO-{OrderId}", SourceVersion), (_, existing) => (existing.Id, SourceVersion));
            Owner.WrittenContent[key] = Content;
            Owner.AfterCommit?.Invoke();
            return record.Id;
        }
    }
}

public sealed class UnknownSkuException(string sku)
    : Exception($"SKU '{sku}' maps to no ERP product; add it to the ERP or extend the SKU map."), IClassifiedError
{
    public bool IsTransient => false;

    public string Reason => "unknown_sku";
}
