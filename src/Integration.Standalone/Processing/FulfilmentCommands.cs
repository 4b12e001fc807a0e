using System.CommandLine;
using System.Globalization;
using Integration.Core.Flows.Fulfilment;
using Integration.Hosting;
using Integration.Standalone.CommandLine;

namespace Integration.Standalone.Processing;

/// <summary>
/// Runs the fulfilment sync for one store now, against the same configuration as the host, and prints what became of
/// each ERP shipment:
/// <code>
/// Integration.Standalone fulfilment sync --store abc123 [--since 2026-11-01T00:00Z]
/// </code>
/// <c>--since</c> reads from that time instead of the checkpoint (minus the overlap); the checkpoint still only moves
/// forward. Shipments already applied end as duplicates, so running it beside the scheduled job is safe.
/// </summary>
public static class FulfilmentCommands
{
    public static Command Create(CommandContext context)
    {
        var output = context.Output;
        var store = new Option<string>("--store") { Description = "The store hash (one of BigCommerce:Stores).", Required = true };
        var since = new Option<DateTimeOffset?>("--since") { Description = "Read ERP shipments done since (ISO 8601) instead of the checkpoint." };

        var sync = new Command("sync", "Bring the ERP shipments done since the checkpoint to the store now.") { store, since };
        sync.SetAction(async (result, ct) =>
        {
            var builder = context.CreateHostBuilder();
            builder.Services.AddIntegrationHub(builder.Configuration);
            using var host = builder.Build();
            var job = host.Services.GetService<FulfilmentSync>();
            if (job is null)
            {
                return await context.FailAsync(HubCommandLine.UsageError, ConfigurationErrors.Prefix + "fulfilment needs the ERP (Erp:Tryton) to be configured.");
            }

            if (await CommandContext.StartAsync(host, result.GetValue(store)!, ct) is { } unknown)
            {
                return await context.FailAsync(HubCommandLine.UsageError, unknown);
            }

            try
            {
                var run = await job.RunStoreAsync(result.GetValue(store)!, result.GetValue(since), ct);
                foreach (var item in run.Items)
                {
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"ERP shipment {item.ErpShipmentId}  order {item.OrderId}  {item.UpdatedAt:u}  {item.Outcome}{(item.Reason is null ? "" : ": " + item.Reason)}"));
                }

                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{run.Total} shipment(s) since {run.Since:u}{(run.Total > run.Items.Count ? " (first " + run.Items.Count.ToString(CultureInfo.InvariantCulture) + " listed)" : "")}; checkpoint {(run.Watermark is { } w ? w.ToString("u", CultureInfo.InvariantCulture) : "none")}{(run.WatermarkSaved ? " (advanced)" : "")}."));
                return run.Count("retry") + run.Count("waiting") > 0 ? 1 : 0;
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }
        });

        return new Command("fulfilment", "ERP shipments to the store.") { sync };
    }
}
