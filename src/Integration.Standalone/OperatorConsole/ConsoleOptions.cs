namespace Integration.Standalone.OperatorConsole;

/// <summary>
/// The operator console, bound from <c>Console</c>:
/// <code>
/// "Console": { "Enabled": true, "AdminKeyName": "console-admin-key" }   // Key Vault secret name, or
/// "Console": { "Enabled": true, "AdminKey": "..." }                     // the value (local only)
/// </code>
/// Off by default. Enabled without a key, it shows its pages to direct loopback requests only and takes no action
/// (and says so at start-up); every action needs the key.
/// </summary>
public sealed class ConsoleOptions
{
    public const string SectionName = "Console";

    /// <summary>Where the console is served.</summary>
    public const string Path = "/console";

    /// <summary>The loopback names: the default <see cref="AllowedHosts"/>.</summary>
    public const string LoopbackHosts = "localhost;127.0.0.1;[::1]";

    public bool Enabled { get; set; }

    /// <summary>The admin key itself (local development); prefer <see cref="AdminKeyName"/>.</summary>
    public string? AdminKey { get; set; }

    /// <summary>The Key Vault secret holding the admin key (<c>KeyVault:VaultUri</c>).</summary>
    public string? AdminKeyName { get; set; }

    /// <summary>
    /// The host names the console answers to (the request's <c>Host</c>, without the port), separated by <c>;</c>:
    /// a page that rebinds its own name to 127.0.0.1 (DNS rebinding) sends its own name and is refused. Loopback names
    /// by default; add the name a proxy serves the console under.
    /// </summary>
    public string AllowedHosts { get; set; } = LoopbackHosts;

    /// <summary>How long a session lasts after signing in (minutes, absolute, not renewed by use).</summary>
    public int SessionMinutes { get; set; } = 480;

    /// <summary>Failed sign-ins (typed or <c>X-Console-Key</c>) from one client address within <see cref="SignInWindowMinutes"/> before its sign-ins are refused.</summary>
    public int MaxFailedSignIns { get; set; } = 5;

    /// <summary>The window failed sign-ins are counted in, and how long a throttled client waits at most.</summary>
    public int SignInWindowMinutes { get; set; } = 15;

    /// <summary>Shortest admin key accepted: a key is typed once per browser, so there is no reason for a weak one.</summary>
    public const int MinimumKeyLength = 16;

    /// <summary>The allowed host names, parsed.</summary>
    public IReadOnlySet<string> AllowedHostNames =>
        AllowedHosts.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
}
