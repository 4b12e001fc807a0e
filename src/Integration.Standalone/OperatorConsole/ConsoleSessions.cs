using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Integration.Standalone.OperatorConsole;

/// <summary>
/// The console's sign-in sessions, held by this process: a random 256-bit token in the cookie, only its SHA-256 kept
/// here, with an absolute expiry (<see cref="ConsoleOptions.SessionMinutes"/>). Signing out revokes the session (the
/// cookie is worthless afterwards, also a copy of it), "sign out everywhere" revokes them all, and a restart (as a key
/// rotation needs) ends every one.
/// </summary>
public sealed class ConsoleSessions([FromKeyedServices(ConsoleSessions.ClockKey)] TimeProvider time, IOptions<ConsoleOptions> options)
{
    /// <summary>The console's clock (sessions, sign-in throttle), a keyed service so tests can move it alone.</summary>
    public const string ClockKey = "console";

    // More live sessions than any operator team needs: signing in needs the key, so this only bounds memory.
    private const int MaxSessions = 10_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    /// <summary>Starts a session and returns its token (the cookie's value).</summary>
    public string Create()
    {
        var now = time.GetUtcNow();
        Prune(now);
        if (_sessions.Count >= MaxSessions)
        {
            // Oldest first: the ones closest to expiring anyway.
            foreach (var oldest in _sessions.OrderBy(s => s.Value).Take(_sessions.Count - MaxSessions + 1))
            {
                _sessions.TryRemove(oldest.Key, out _);
            }
        }

        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        _sessions[Digest(token)] = now.AddMinutes(options.Value.SessionMinutes);
        return token;
    }

    /// <summary>Whether the token is a live session: issued here, not expired, not revoked.</summary>
    public bool IsValid(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return false;
        }

        var digest = Digest(token);
        if (!_sessions.TryGetValue(digest, out var expiresAt))
        {
            return false;
        }

        if (time.GetUtcNow() < expiresAt)
        {
            return true;
        }

        _sessions.TryRemove(digest, out _);
        return false;
    }

    public void Revoke(string? token)
    {
        if (!string.IsNullOrEmpty(token))
        {
            _sessions.TryRemove(Digest(token), out _);
        }
    }

    public void RevokeAll() => _sessions.Clear();

    private void Prune(DateTimeOffset now)
    {
        foreach (var (digest, expiresAt) in _sessions)
        {
            if (expiresAt <= now)
            {
                _sessions.TryRemove(digest, out _);
            }
        }
    }

    // Sessions are looked up by the digest of a 256-bit random token: the lookup's timing can tell nothing usable
    // about a live token, and a memory dump holds no cookie value.
    private static string Digest(string token) => Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
