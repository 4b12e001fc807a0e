namespace Integration.Standalone.OperatorConsole;

/// <summary>
/// The operator console, bound from <c>Console</c>:
/// <code>
/// "Console": { "Enabled": true, "AdminKeyName": "console-admin-key" }   // Key Vault secret name, or
/// "Console": { "Enabled": true, "AdminKey": "..." }                     // the value (local only)
/// </code>
/// Off by default. Enabled without a key, it answers loopback requests only (and says so at start-up).
/// </summary>
public sealed class ConsoleOptions
{
    public const string SectionName = "Console";

    /// <summary>Where the console is served.</summary>
    public const string Path = "/console";

    public bool Enabled { get; set; }

    /// <summary>The admin key itself (local development); prefer <see cref="AdminKeyName"/>.</summary>
    public string? AdminKey { get; set; }

    /// <summary>The Key Vault secret holding the admin key (<c>KeyVault:VaultUri</c>).</summary>
    public string? AdminKeyName { get; set; }

    /// <summary>Shortest admin key accepted: a key is typed once per browser, so there is no reason for a weak one.</summary>
    public const int MinimumKeyLength = 16;
}
