namespace Integration.Azure.State;

/// <summary>
/// Table Storage keys may not contain <c>/ \ # ?</c> or control characters: every value that is not already
/// restricted (event ids are, by the intake) is percent-encoded, which is reversible and keeps ordering stable.
/// </summary>
internal static class TableKeys
{
    public static string Encode(string value) => Uri.EscapeDataString(value);

    public static string Partition(string storeHash, string target) => $"{Encode(storeHash)}|{Encode(target)}";

    public static string EventRow(string eventId) => "e|" + Encode(eventId);

    /// <summary>A claim in progress (written and deleted with the claim's own row): counted by key range.</summary>
    public static string InProgressRow(string eventId) => "i|" + Encode(eventId);

    public static string ResourceRow(string resourceType, string resourceId) => $"r|{Encode(resourceType)}|{Encode(resourceId)}";
}
