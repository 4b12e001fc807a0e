namespace Integration.Core.Events;

/// <summary>The downstream systems events are processed for, each with its own subscription or queue.</summary>
public static class EventTargets
{
    public const string Erp = "erp";
    public const string Crm = "crm";

    public static IReadOnlyList<string> All { get; } = [Erp, Crm];
}
