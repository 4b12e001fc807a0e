using System.Net;
using System.Security.Cryptography;
using System.Text;
using Integration.Core.Secrets;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;

namespace Integration.Standalone.OperatorConsole;

/// <summary>
/// Who may use the console. With an admin key: requests carrying the key (header <c>X-Console-Key</c>) or the session
/// cookie set after entering it, both compared in constant time. Without a key: loopback requests only. Every POST
/// must also come from the console's own origin and carry ASP.NET Core's anti-forgery token.
/// </summary>
public sealed partial class ConsoleAccess(IOptions<ConsoleOptions> options, ISecretResolver secrets, IAntiforgery antiforgery,
    ILogger<ConsoleAccess> logger)
{
    public const string KeyHeader = "X-Console-Key";
    public const string SessionCookie = "hub-console-session";

    // The session cookie is an HMAC of a fixed label under the key: it proves the key was entered, reveals nothing of
    // it, survives restarts, and every session ends when the key is rotated.
    private static readonly byte[] SessionLabel = Encoding.UTF8.GetBytes("integration-hub-console-session-v1");

    private readonly Lazy<Task<byte[]?>> _key = new(() => ResolveKeyAsync(options.Value, secrets, logger));

    /// <summary>Resolves the key once at start-up, so a missing Key Vault secret stops the host with its name.</summary>
    public Task InitializeAsync() => _key.Value;

    public async Task<bool> HasKeyAsync() => await _key.Value is not null;

    /// <summary>Whether the request may see the console (GET) or act in it (POST, before the anti-forgery check).</summary>
    public async Task<bool> IsAllowedAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await _key.Value is not { } key)
        {
            return IsLoopback(context);
        }

        if (context.Request.Headers[KeyHeader].ToString() is { Length: > 0 } presented)
        {
            return CryptographicOperations.FixedTimeEquals(Hash(Encoding.UTF8.GetBytes(presented)), Hash(key));
        }

        return context.Request.Cookies[SessionCookie] is { } cookie && TryDecode(cookie, out var token)
            && CryptographicOperations.FixedTimeEquals(token, SessionToken(key));
    }

    /// <summary>Checks a typed key; on success sets the session cookie.</summary>
    public async Task<bool> SignInAsync(HttpContext context, string? presented)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await _key.Value is not { } key || string.IsNullOrEmpty(presented)
            || !CryptographicOperations.FixedTimeEquals(Hash(Encoding.UTF8.GetBytes(presented)), Hash(key)))
        {
            return false;
        }

        context.Response.Cookies.Append(SessionCookie, Convert.ToBase64String(SessionToken(key)), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = ConsoleOptions.Path,
            IsEssential = true,
        });
        return true;
    }

    public static void SignOut(HttpContext context) =>
        context.Response.Cookies.Delete(SessionCookie, new CookieOptions { Path = ConsoleOptions.Path });

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

    private static bool IsLoopback(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address);

    private static byte[] SessionToken(byte[] key) => HMACSHA256.HashData(key, SessionLabel);

    private static byte[] Hash(byte[] value) => SHA256.HashData(value); // equal lengths for the constant-time compare

    private static bool TryDecode(string value, out byte[] bytes)
    {
        bytes = new byte[32];
        return Convert.TryFromBase64String(value, bytes, out var written) && written == 32;
    }

    private static async Task<byte[]?> ResolveKeyAsync(ConsoleOptions options, ISecretResolver secrets, ILogger logger)
    {
        var key = options.AdminKeyName is { Length: > 0 } name ? await secrets.GetSecretAsync(name) : options.AdminKey;
        if (string.IsNullOrEmpty(key))
        {
            LogLoopbackOnly(logger, ConsoleOptions.Path);
            return null;
        }

        if (key.Length < ConsoleOptions.MinimumKeyLength)
        {
            throw new OptionsValidationException(ConsoleOptions.SectionName, typeof(ConsoleOptions),
                [$"Console:AdminKey (or the secret named by Console:AdminKeyName) must be at least {ConsoleOptions.MinimumKeyLength} characters."]);
        }

        return Encoding.UTF8.GetBytes(key);
    }

    [LoggerMessage(EventId = 3300, Level = LogLevel.Warning, Message =
        "The operator console at {Path} has no admin key (Console:AdminKey / Console:AdminKeyName): it answers loopback requests only")]
    private static partial void LogLoopbackOnly(ILogger logger, string path);
}
