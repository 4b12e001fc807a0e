namespace Integration.Core.Events;

/// <summary>The downstream systems events are processed for, each with its own subscription or queue.</summary>
public static class EventTargets
{
    public const string Erp = "erp";
    public const string Crm = "crm";

    /// <summary>
    /// The store itself, for what the ERP owns and the hub writes back (fulfilment). Not a webhook target (not in
    /// <see cref="All"/>): its events come from scheduled jobs, which run them through the processor directly.
    /// </summary>
    public const string Store = "store";

    public static IReadOnlyList<string> All { get; } = [Erp, Crm];
}
