using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;

namespace Integration.Standalone.OperatorConsole.Pages;

/// <summary>What every page's layout needs: its title, the current navigation entry, the caller's access and (for operators) the anti-forgery tokens.</summary>
public sealed record Frame(string Title, string Current, ConsoleAccessLevel Level, AntiforgeryTokenSet? Tokens)
{
    public const string P = ConsoleOptions.Path;

    public static readonly (string Href, string Label)[] Navigation =
        [("", "Overview"), ("/health", "Health"), ("/trail", "Event trail"), ("/quarantine", "Quarantine"), ("/reconciliation", "Reconciliation"), ("/webhooks", "Webhooks")];

    public static string When(DateTimeOffset? at) =>
        at is { } value ? value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "—";

    public static string Duration(TimeSpan? span) => span switch
    {
        null => "—",
        { TotalSeconds: < 1 } s => s.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms",
        { TotalMinutes: < 2 } s => s.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s",
        { TotalHours: < 2 } s => s.TotalMinutes.ToString("0", CultureInfo.InvariantCulture) + " min",
        { } s => s.TotalHours.ToString("0.#", CultureInfo.InvariantCulture) + " h",
    };

    public static string Counts(IEnumerable<KeyValuePair<string, long>> counts)
    {
        var text = string.Join(", ", counts.Where(c => c.Value > 0).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value}")));
        return text.Length == 0 ? "—" : text;
    }

    public static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string TrailHref(string store, string eventId) =>
        $"{P}/trail?store={Uri.EscapeDataString(store)}&kind=event&id={Uri.EscapeDataString(eventId)}";
}
