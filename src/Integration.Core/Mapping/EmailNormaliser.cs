namespace Integration.Core.Mapping;

/// <summary>
/// E-mail addresses as natural keys: trimmed and lower-cased (mail providers treat the local part
/// case-insensitively in practice, and BigCommerce does too). Pure and idempotent.
/// </summary>
public static class EmailNormaliser
{
    /// <exception cref="MappingException">
    /// The value is not shaped like an address (one <c>@</c> with text either side, no whitespace). The message
    /// never contains the address: it is personal data.
    /// </exception>
    public static string Normalise(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        var trimmed = email.AsSpan().Trim();
        var at = trimmed.IndexOf('@');
        if (at <= 0 || at == trimmed.Length - 1 || trimmed[(at + 1)..].Contains('@') || trimmed.ContainsAny(" \t\r\n"))
        {
            throw new MappingException(
                "E-mail address is not valid (it needs one '@' with text either side and no spaces); fix it in the source system.",
                "email");
        }

        foreach (var c in trimmed)
        {
            if (char.ToLowerInvariant(c) != c)
            {
                return trimmed.ToString().ToLowerInvariant();
            }
        }

        return trimmed.Length == email.Length ? email : trimmed.ToString();
    }
}
