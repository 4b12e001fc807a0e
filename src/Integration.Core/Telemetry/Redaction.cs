using System.Text.RegularExpressions;

namespace Integration.Core.Telemetry;

/// <summary>
/// Takes personal data out of the texts other systems put in their errors before they become an exception message,
/// which the processor logs, the quarantine stores and the console shows. Tryton names the value it refused and the
/// party (<c>The value "Jane Doe" for field "Name" in "Party" ...</c>), HubSpot the e-mail it found invalid. Values
/// become <see cref="Placeholder"/>; field and model names stay, so the operator still sees which field of which
/// record failed (the record's ids are in the event and the message's own text).
/// </summary>
/// <remarks>
/// Rules, in order: e-mail addresses; phone-shaped numbers (seven or more digits with a separator or a leading
/// <c>+</c>; a bare digit run is an id and stays); quoted text, unless it follows a word that introduces a name in
/// Tryton's messages (<c>field "Name" in "Party"</c>, <c>access "sale.sale"</c>), looks like a code identifier
/// (<c>'NoneType'</c>, <c>"sale.sale"</c>, <c>"INVALID_EMAIL"</c>), is a list of record ids (<c>"12, 13"</c>) or holds
/// no letter or digit.
/// Redaction is for what the hub cannot know to be safe: its own messages name only ids, SKUs and states.
/// </remarks>
public static partial class Redaction
{
    /// <summary>What a redacted value is replaced with.</summary>
    public const string Placeholder = "«redacted»";

    private static readonly HashSet<string> NameIntroducers = new(StringComparer.OrdinalIgnoreCase)
    {
        "field", "fields", "in", "of", "model", "access", "button", "module", "wizard", "state", "type",
    };

    [GeneratedRegex(@"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"(?<![\w-])\+?\(?\d[\d ().-]{5,}\d(?![\w-])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex PhonePattern();

    // A double-quoted, typographically quoted or single-quoted segment (a single quote only where a word cannot
    // continue it: "don't" is no quote), with the word before it.
    [GeneratedRegex(@"(?<word>[\w]+)?(?<space>\s*)(?<quoted>""[^""]*""|“[^”]*”|«[^»]*»|(?<![\w])'[^']*'(?![\w]))",
        RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex QuotedPattern();

    [GeneratedRegex(@"^[A-Za-z_][\w.]*$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex IdentifierPattern();

    // Tryton quotes record ids ("12", "12, 13"): ids, which the operator needs, as bare digit runs are elsewhere.
    [GeneratedRegex(@"^\d+(?:, ?\d+)*$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex IdListPattern();

    /// <summary>The text with every value that may be personal data replaced by <see cref="Placeholder"/>.</summary>
    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var redacted = EmailPattern().Replace(text, Placeholder);
        redacted = PhonePattern().Replace(redacted, m => m.Value.Any(c => !char.IsAsciiDigit(c)) ? Placeholder : m.Value);
        return QuotedPattern().Replace(redacted, m =>
        {
            var quoted = m.Groups["quoted"].Value;
            var inner = quoted[1..^1];
            var keep = quoted == Placeholder
                || (m.Groups["word"].Success && NameIntroducers.Contains(m.Groups["word"].Value))
                || !inner.Any(char.IsLetterOrDigit)
                || IdListPattern().IsMatch(inner)
                || IsCodeIdentifier(inner);
            return keep ? m.Value : m.Groups["word"].Value + m.Groups["space"].Value + Placeholder;
        });
    }

    // Code, not prose: a dotted or underscored name, or one with two capitals (NoneType, ValueError); a single word
    // such as a first name is not one.
    private static bool IsCodeIdentifier(string text) =>
        IdentifierPattern().IsMatch(text) && (text.Contains('_', StringComparison.Ordinal) || text.Contains('.', StringComparison.Ordinal)
            || text.Count(char.IsUpper) >= 2);
}
