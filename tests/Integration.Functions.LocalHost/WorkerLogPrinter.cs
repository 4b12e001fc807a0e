using Integration.Functions.TestHost;
using Integration.Functions.TestHost.Rpc;

namespace Integration.Functions.LocalHost;

/// <summary>
/// Prints the log lines the worker sends over its stream (the isolated worker logs through the host, not to its own
/// console), as the Functions host writes them to its console, filtered as the Standalone host's
/// <c>appsettings.json</c> filters its own: <c>Information</c> and up (<c>Logging__LogLevel__Default</c> lowers or raises
/// it), HTTP client, Polly, Azure SDK and ASP.NET Core chatter at <c>Warning</c> and up, so the local run shows decisions.
/// </summary>
internal static class WorkerLogPrinter
{
    private static readonly string[] Chatty = ["System.Net.Http.HttpClient", "Polly", "Azure", "Microsoft.AspNetCore", "Microsoft.Azure.Functions", "Host.", "Function."];

    public static async Task RunAsync(FunctionsHost host, CancellationToken stopping)
    {
        var minimum = Enum.TryParse<RpcLog.Types.Level>(Environment.GetEnvironmentVariable("Logging__LogLevel__Default"), ignoreCase: true, out var level)
            ? level
            : RpcLog.Types.Level.Information;
        var printed = 0;
        while (true)
        {
            foreach (var log in host.WorkerLogs.Skip(printed))
            {
                printed++;
                var floor = Chatty.Any(c => log.Category.StartsWith(c, StringComparison.Ordinal)) && minimum < RpcLog.Types.Level.Warning
                    ? RpcLog.Types.Level.Warning
                    : minimum;
                if (log.Level >= floor && log.Level != RpcLog.Types.Level.None && log.LogCategory != RpcLog.Types.RpcLogCategory.CustomMetric)
                {
                    Console.WriteLine($"{Abbreviation(log.Level)}: {log.Category}: {log.Message}"
                        + (log.Exception is { Message.Length: > 0 } e ? $"{Environment.NewLine}      {(e.Type.Length > 0 ? e.Type + ": " : string.Empty)}{e.Message}" : string.Empty));
                }
            }

            try
            {
                await Task.Delay(200, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static string Abbreviation(RpcLog.Types.Level level) => level switch
    {
        RpcLog.Types.Level.Trace => "trce",
        RpcLog.Types.Level.Debug => "dbug",
        RpcLog.Types.Level.Information => "info",
        RpcLog.Types.Level.Warning => "warn",
        RpcLog.Types.Level.Error => "fail",
        _ => "crit",
    };
}
