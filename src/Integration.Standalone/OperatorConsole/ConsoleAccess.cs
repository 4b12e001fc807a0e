using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Integration.Core.Secrets;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;

namespace Integration.Standalone.OperatorConsole;

/// <summary>What a request may do in the console.</summary>
public enum ConsoleAccessLevel
{
    /// <summary>Nothing: no key, a wrong key, an unknown, expired or revoked session, or (without a key) not a direct loopback request.</summary>
    Denied,

    /// <summary>Nothing, and told to wait: too many failed sign-ins from this client.</summary>
    Throttled,

    /// <summary>Read the pages, take no action: no admin key is configured and the request came directly from loopback.</summary>
    ReadOnly,

    /// <summary>Read and act: signed in with the admin key (session) or carrying it (<c>X-Console-Key</c>).</summary>
    Operator,
}

/// <summary>
/// Who may use the console. With an admin key: requests carrying the key (header <c>X-Console-Key</c>, compared in
/// constant time) or a live session (<see cref="ConsoleSessions"/>) started by typing it; failed attempts throttled per
/// client (<see cref="SignInThrottle"/>). Without a key: direct loopback requests may read, never act, and a request
/// that a proxy forwarded (any forwarding header) is never taken for a local one. Every request must name an allowed
/// host (DNS rebinding), and every POST must come from the console's own origin with ASP.NET Core's anti-forgery token.
/// </summary>
public sealed partial class ConsoleAccess(IOptions<ConsoleOptions> options, ISecretResolver secrets, IAntiforgery antiforgery,
    ConsoleSessions sessions, SignInThrottle throttle, ILogger<ConsoleAccess> logger)
{
    public const string KeyHeader = "X-Console-Key";
    public const string SessionCookie = "hub-console-session";

    /// <summary>Headers a proxy adds: a request carrying any of them came through one and is not local, whatever its socket says.</summary>
    public static IReadOnlyList<string> ForwardingHeaders { get; } =
        ["Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Port", "X-Real-IP", "X-Original-For", "X-Client-IP", "Via"];

    private readonly Lazy<Task<byte[]?>> _key = new(() => ResolveKeyAsync(options.Value, secrets, logger));
    private readonly IReadOnlySet<string> _hosts = options.Value.AllowedHostNames;

    /// <summary>Resolves the key once at start-up, so a missing Key Vault secret stops the host with its name.</summary>
    public Task InitializeAsync() => _key.Value;

    public async Task<bool> HasKeyAsync() => await _key.Value is not null;

    /// <summary>Whether the request's Host names one of <see cref="ConsoleOptions.AllowedHosts"/> (the port aside).</summary>
    public bool IsAllowedHost(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Request.Host.HasValue && _hosts.Contains(context.Request.Host.Host);
    }

    /// <summary>What the request may do (the host check aside: <see cref="IsAllowedHost"/>).</summary>
    public async Task<ConsoleAccessLevel> CheckAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await _key.Value is not { } key)
        {
            return IsDirectLoopback(context) ? ConsoleAccessLevel.ReadOnly : ConsoleAccessLevel.Denied;
        }

        if (context.Request.Headers[KeyHeader].ToString() is { Length: > 0 } presented)
        {
            var client = Client(context);
            if (throttle.RetryAfter(client) is not null)
            {
                return ConsoleAccessLevel.Throttled;
            }

            if (Matches(presented, key))
            {
                return ConsoleAccessLevel.Operator;
            }

            throttle.Failed(client);
            return ConsoleAccessLevel.Denied;
        }

        return sessions.IsValid(context.Request.Cookies[SessionCookie]) ? ConsoleAccessLevel.Operator : ConsoleAccessLevel.Denied;
    }

    /// <summary>How long this client must wait before signing in again, when throttled.</summary>
    public TimeSpan? RetryAfter(HttpContext context) => throttle.RetryAfter(Client(context));

    /// <summary>Checks a typed key (unless the client is throttled); on success starts a session and sets its cookie.</summary>
    public async Task<ConsoleAccessLevel> SignInAsync(HttpContext context, string? presented)
    {
        ArgumentNullException.ThrowIfNull(context);
        var client = Client(context);
        if (throttle.RetryAfter(client) is not null)
        {
            return ConsoleAccessLevel.Throttled;
        }

        if (await _key.Value is not { } key || string.IsNullOrEmpty(presented) || !Matches(presented, key))
        {
            throttle.Failed(client);
            LogSignInFailed(logger);
            return ConsoleAccessLevel.Denied;
        }

        sessions.Revoke(context.Request.Cookies[SessionCookie]); // a new session, never the one the browser came with
        context.Response.Cookies.Append(SessionCookie, sessions.Create(), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = ConsoleOptions.Path,
            IsEssential = true,
            MaxAge = TimeSpan.FromMinutes(options.Value.SessionMinutes),
        });
        LogSignedIn(logger);
        return ConsoleAccessLevel.Operator;
    }

    /// <summary>Ends this browser's session (revoked here, not merely forgotten by the browser); with <paramref name="everywhere"/>, every session.</summary>
    public void SignOut(HttpContext context, bool everywhere)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (everywhere)
        {
            sessions.RevokeAll();
        }
        else
        {
            sessions.Revoke(context.Request.Cookies[SessionCookie]);
        }

        context.Response.Cookies.Delete(SessionCookie, new CookieOptions { Path = ConsoleOptions.Path });
    }

    /// <summary>
    /// A state-changing request is refused unless it comes from the console's own origin (when the browser says) and
    /// carries a valid anti-forgery token; returns the reason when refused.
    /// </summary>
    public async Task<string?> CheckPostAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && !string.Equals(origin, $"{context.Request.Scheme}://{context.Request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            return "cross-origin request";
        }

        try
        {
            await antiforgery.ValidateRequestAsync(context);
            return null;
        }
        catch (AntiforgeryValidationException)
        {
            return "missing or invalid anti-forgery token";
        }
    }

    public AntiforgeryTokenSet Tokens(HttpContext context) => antiforgery.GetAndStoreTokens(context);

    /// <summary>A loopback socket and no header saying a proxy forwarded the request.</summary>
    public static bool IsDirectLoopback(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address)
            && !ForwardingHeaders.Any(h => context.Request.Headers.ContainsKey(h));
    }

    private static string Client(HttpContext context) =>
        context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    // Over SHA-256 digests: equal lengths, so the constant-time compare leaks neither content nor length.
    private static bool Matches(string presented, byte[] key) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(key));

    private static async Task<byte[]?> ResolveKeyAsync(ConsoleOptions options, ISecretResolver secrets, ILogger logger)
    {
        var key = options.AdminKeyName is { Length: > 0 } name ? await secrets.GetSecretAsync(name) : options.AdminKey;
        if (string.IsNullOrEmpty(key))
        {
            LogReadOnly(logger, ConsoleOptions.Path);
            return null;
        }

        if (key.Length < ConsoleOptions.MinimumKeyLength)
        {
            throw new OptionsValidationException(ConsoleOptions.SectionName, typeof(ConsoleOptions),
                [string.Create(CultureInfo.InvariantCulture, $"Console:AdminKey (or the secret named by Console:AdminKeyName) must be at least {ConsoleOptions.MinimumKeyLength} characters.")]);
        }

        return Encoding.UTF8.GetBytes(key);
    }

    [LoggerMessage(EventId = 3300, Level = LogLevel.Warning, Message =
        "The operator console at {Path} has no admin key (Console:AdminKey / Console:AdminKeyName): it shows its pages to direct loopback requests only and takes no action")]
    private static partial void LogReadOnly(ILogger logger, string path);

    // No client address in the log: it can be personal data.
    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning, Message = "Console sign-in failed: wrong admin key")]
    private static partial void LogSignInFailed(ILogger logger);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Information, Message = "Console signed in with the admin key")]
    private static partial void LogSignedIn(ILogger logger);
}
