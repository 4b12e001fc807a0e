using Integration.Crm.HubSpot.Emulator.Api;
using Integration.Crm.HubSpot.Emulator.State;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Integration.Crm.HubSpot.Emulator;

/// <summary>
/// A stateful HubSpot CRM emulator held to <c>@hubspot/api-client</c>: objects v3 (contacts, companies, deals) with
/// unique properties and HubSpot's status codes, search with its lag and limits, properties, the deals pipeline,
/// associations v4, rate limits with HubSpot's headers and 429 bodies, faults, bearer-token auth. Start it in-process
/// with <see cref="StartAsync(HubSpotEmulatorOptions, TimeProvider?, CancellationToken)"/> or run the project alone
/// (docs/crm-hubspot.md).
/// </summary>
public sealed class HubSpotEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HubSpotEmulator(WebApplication app, HubSpotEmulatorOptions options, CrmState state, HubSpotCounters counters, HubSpotFaults faults,
        HubSpotTokens tokens)
    {
        Tokens = tokens;
        _app = app;
        Options = options;
        State = state;
        Counters = counters;
        Faults = faults;
    }

    public HubSpotEmulatorOptions Options { get; }

    /// <summary>The portal's records, for assertions.</summary>
    public CrmState State { get; }

    public HubSpotCounters Counters { get; }

    public HubSpotFaults Faults { get; }

    /// <summary>The access tokens the portal accepts (a rotation adds one and revokes the old).</summary>
    public HubSpotTokens Tokens { get; }

    /// <summary>The listening address, such as <c>http://127.0.0.1:49152/</c>: the client's <c>basePath</c> / <c>BaseAddress</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Builds the emulator (not yet listening). <paramref name="configure"/> adds host configuration, such as logging.</summary>
    public static HubSpotEmulator Build(HubSpotEmulatorOptions options, TimeProvider? time = null, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var clock = new Integration.Emulation.EmulatorClock(time ?? TimeProvider.System, options.Clock.Start);
        time = clock;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(options.Urls);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        configure?.Invoke(builder);

        var state = new CrmState(time, TimeSpan.FromMilliseconds(options.SearchLagMs));
        var counters = new HubSpotCounters();
        var faults = new HubSpotFaults(options.Faults);
        var app = builder.Build();
        app.UseRouting();
        var tokens = new HubSpotTokens(options.AccessToken, options.Scopes);
        app.Use(new ApiGate(options, state, counters, faults, time, tokens).InvokeAsync);
        ObjectsApi.Map(app);
        AssociationsApi.Map(app);
        SchemaApi.Map(app);
        ControlApi.Map(app, options, counters, faults, clock);
        TokenInfoApi.Map(app, tokens);
        return new HubSpotEmulator(app, options, state, counters, faults, tokens);
    }

    /// <summary>Builds and starts the emulator; with the default <c>Urls</c> it listens on a free loopback port.</summary>
    public static async Task<HubSpotEmulator> StartAsync(HubSpotEmulatorOptions options, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var emulator = Build(options, time);
        await emulator.StartAsync(cancellationToken).ConfigureAwait(false);
        return emulator;
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    /// <summary>Runs until the host is stopped (Ctrl+C); used by Program.cs.</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static void Validate(HubSpotEmulatorOptions options)
    {
        var failures = new List<string>();
        const string Section = HubSpotEmulatorOptions.SectionName;
        if (string.IsNullOrEmpty(options.AccessToken))
        {
            failures.Add($"{Section}:AccessToken is required.");
        }

        if (options.SearchLagMs < 0)
        {
            failures.Add($"{Section}:SearchLagMs must be 0 or more.");
        }

        var limits = options.RateLimit;
        if (limits.Max < 1 || limits.IntervalMs < 1 || limits.Daily < 1 || limits.SearchPerSecond < 1)
        {
            failures.Add($"{Section}:RateLimit:Max, IntervalMs, Daily and SearchPerSecond must be positive.");
        }

        foreach (var (name, rate) in new[] { ("ServerErrorRate", options.Faults.ServerErrorRate), ("ThrottleRate", options.Faults.ThrottleRate) })
        {
            if (double.IsNaN(rate) || rate is < 0 or > 1)
            {
                failures.Add($"{Section}:Faults:{name} must be between 0 and 1.");
            }
        }

        if (options.Faults.LatencyMs < 0)
        {
            failures.Add($"{Section}:Faults:LatencyMs must be 0 or more.");
        }

        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, failures), nameof(options));
        }
    }
}
