using Integration.Testing;

namespace Integration.StoreDay;

/// <summary>
/// An outage of the ERP as a whole inside the day: a relay in front of Tryton (<see cref="LoopbackTcpProxy"/>, the one
/// the circuit tests and the outage harness use) on the loopback port the hub's <c>Erp:Tryton:Url</c> names
/// (<c>StoreDay:ErpRelayPort</c>), while the store day itself reads Tryton directly. The relay runs for the whole run;
/// stopped, it refuses connections and cuts open ones, as a Tryton maintenance window does.
/// </summary>
public sealed class ErpOutage : IAsyncDisposable
{
    private readonly LoopbackTcpProxy _relay;

    public ErpOutage(Uri tryton, int relayPort)
    {
        ArgumentNullException.ThrowIfNull(tryton);
        if (!tryton.IsLoopback)
        {
            throw new StoreDayException($"StoreDay:ErpRelayPort needs Erp:Tryton:Url on loopback (the relay runs on 127.0.0.1), not {tryton.Host}.");
        }

        _relay = new LoopbackTcpProxy(tryton.Port, relayPort);
    }

    /// <summary>When the relay was last stopped (the outage began) and started again (Tryton was back).</summary>
    public DateTimeOffset? WentDown { get; private set; }

    public DateTimeOffset? CameBack { get; private set; }

    /// <summary>Opens the relay: the hub reaches Tryton.</summary>
    public void Open() => _relay.Start();

    /// <summary>Takes Tryton away from the hub for <paramref name="length"/>, then brings it back.</summary>
    public async Task PlayAsync(TimeSpan length, CancellationToken cancellationToken)
    {
        WentDown = DateTimeOffset.UtcNow;
        await _relay.StopAsync();
        try
        {
            await Task.Delay(length, cancellationToken);
        }
        finally
        {
            _relay.Start();
            CameBack = DateTimeOffset.UtcNow;
        }
    }

    public ValueTask DisposeAsync() => _relay.DisposeAsync();
}
