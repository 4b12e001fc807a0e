using System.Security.Cryptography;
using System.Text;

namespace Integration.Crm.HubSpot.Emulator.State;

/// <summary>
/// The private app's access tokens the portal accepts, each with its scopes. HubSpot rotates a private app's token by
/// issuing a new one, the old one expiring at once or later: <see cref="Add"/> then <see cref="Revoke"/>. Starts with
/// the configured <c>AccessToken</c> and <c>Scopes</c>.
/// </summary>
public sealed class HubSpotTokens
{
    /// <summary>The scopes a token has unless told otherwise: those the hub's private app is created with (docs/crm-hubspot.md).</summary>
    public static readonly IReadOnlyList<string> DefaultScopes =
    [
        "crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.companies.read", "crm.objects.companies.write",
        "crm.objects.deals.read", "crm.objects.deals.write", "crm.schemas.contacts.read", "crm.schemas.contacts.write",
        "crm.schemas.companies.read", "crm.schemas.companies.write", "crm.schemas.deals.read", "crm.schemas.deals.write",
    ];

    private readonly Lock _gate = new();
    private volatile (string Token, IReadOnlyList<string> Scopes)[] _tokens;

    internal HubSpotTokens(string initial, IReadOnlyList<string>? scopes) => _tokens = [(initial, scopes ?? DefaultScopes)];

    /// <summary>A new token, accepted alongside the others, with <paramref name="scopes"/> (the default set when null).</summary>
    public void Add(string token, IReadOnlyList<string>? scopes = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        lock (_gate)
        {
            _tokens = [.. _tokens, (token, scopes ?? DefaultScopes)];
        }
    }

    /// <summary>The token expires: calls with it are answered 401 from now on.</summary>
    public void Revoke(string token)
    {
        lock (_gate)
        {
            _tokens = [.. _tokens.Where(t => !string.Equals(t.Token, token, StringComparison.Ordinal))];
        }
    }

    /// <summary>Whether <paramref name="token"/> is accepted (every known token compared, in constant time).</summary>
    internal bool Accepts(string token) => ScopesOf(token) is not null;

    /// <summary>The scopes of <paramref name="token"/>, or null when the portal does not accept it.</summary>
    internal IReadOnlyList<string>? ScopesOf(string token)
    {
        var presented = Encoding.UTF8.GetBytes(token);
        IReadOnlyList<string>? found = null;
        foreach (var (known, scopes) in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(known)))
            {
                found = scopes;
            }
        }

        return found;
    }
}
