using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Integration.Testing;

/// <summary>One secret read the vault answered: the name, and when it began and ended (Stopwatch timestamps).</summary>
public sealed record KeyVaultRead(string Name, long StartedAt, long CompletedAt);

/// <summary>
/// A Key Vault-shaped HTTPS server on loopback for the Key Vault SDK's <c>SecretClient</c>: <c>GET
/// /secrets/{name}?api-version=…</c> answers 401 with the Bearer challenge to an unauthenticated request (as Key Vault
/// does; the SDK then asks its credential for a token and retries) and the secret's JSON bundle after
/// <see cref="ReadLatency"/> to an authenticated one, 404 <c>SecretNotFound</c> for an unknown name. The SDK sends
/// bearer tokens only over TLS, so it serves a self-signed certificate for 127.0.0.1: clients trust it through
/// <see cref="CreateHandler"/>. It checks that a bearer token is present, not what it says (no Entra ID offline).
/// </summary>
public sealed class LoopbackKeyVault : IAsyncDisposable
{
    /// <summary>The resource the challenge names (see <see cref="CreateSecretClient"/>).</summary>
    public const string Resource = "https://127.0.0.1";

    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;
    private readonly ConcurrentDictionary<string, (string Value, DateTimeOffset Created, DateTimeOffset Updated)> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<KeyVaultRead> _reads = new();

    private LoopbackKeyVault(WebApplication app, X509Certificate2 certificate, Uri vaultUri)
    {
        _app = app;
        _certificate = certificate;
        VaultUri = vaultUri;
    }

    public Uri VaultUri { get; }

    /// <summary>How long an authenticated read takes to answer (a stand-in for Key Vault's round trip).</summary>
    public TimeSpan ReadLatency { get; set; }

    /// <summary>The authenticated reads answered so far, in completion order.</summary>
    public IReadOnlyCollection<KeyVaultRead> Reads => _reads;

    /// <summary>Requests refused with the 401 challenge (the SDK's first request to a vault).</summary>
    public int Challenges => _challenges;

    private int _challenges;

    /// <summary>
    /// Sets a secret's value, as <c>az keyvault secret set</c> does: a new version, <c>updated</c> now (or
    /// <paramref name="setAt"/>), <c>created</c> when the secret was first set.
    /// </summary>
    public void SetSecret(string name, string value, DateTimeOffset? setAt = null)
    {
        var at = setAt ?? DateTimeOffset.UtcNow;
        _secrets.AddOrUpdate(name, _ => (value, at, at), (_, old) => (value, old.Created < at ? old.Created : at, at));
    }

    public static async Task<LoopbackKeyVault> StartAsync(CancellationToken cancellationToken = default)
    {
        var certificate = CreateCertificate();
        var port = LoopbackPort.GetFree();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var vault = new LoopbackKeyVault(app, certificate, new Uri($"https://127.0.0.1:{port}/"));
        app.MapGet("/secrets/{name}/{version?}", vault.ReadAsync);
        await app.StartAsync(cancellationToken);
        return vault;
    }

    /// <summary>
    /// The Key Vault SDK's client for this vault: its certificate trusted (pinned), a fixed bearer token (Entra ID has no
    /// offline edition; the vault requires a token but does not check it), and no check that the vault's host is under
    /// the challenge's resource domain (a real vault is under vault.azure.net; 127.0.0.1 cannot be).
    /// </summary>
    public SecretClient CreateSecretClient() => new(VaultUri, new LoopbackToken(),
        new SecretClientOptions { Transport = new HttpClientTransport(CreateHandler()), DisableChallengeResourceVerification = true });

    /// <summary>A handler that trusts this vault's certificate (pinned) and nothing else self-signed.</summary>
    public HttpMessageHandler CreateHandler() => new SocketsHttpHandler
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            errors == System.Net.Security.SslPolicyErrors.None || certificate is not null && certificate.GetCertHashString() == _certificate.Thumbprint },
    };

    private async Task ReadAsync(HttpContext context, string name)
    {
        var response = context.Response;
        if (!context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _challenges);
            response.StatusCode = StatusCodes.Status401Unauthorized;
            response.Headers.WWWAuthenticate =
                $"Bearer authorization=\"https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001\", resource=\"{Resource}\"";
            return;
        }

        var started = Stopwatch.GetTimestamp();
        if (ReadLatency > TimeSpan.Zero)
        {
            await Task.Delay(ReadLatency, context.RequestAborted);
        }

        response.ContentType = "application/json; charset=utf-8";
        if (!_secrets.TryGetValue(name, out var secret))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            await response.WriteAsync(JsonSerializer.Serialize(new { error = new { code = "SecretNotFound", message = $"A secret with (name/id) {name} was not found in this key vault." } }));
            return;
        }

        var id = new Uri(VaultUri, $"secrets/{name}/0123456789abcdef0123456789abcdef");
        // Key Vault's SecretAttributes: created and updated in Unix seconds.
        await response.WriteAsync(JsonSerializer.Serialize(new
        {
            value = secret.Value, id,
            attributes = new { enabled = true, created = secret.Created.ToUnixTimeSeconds(), updated = secret.Updated.ToUnixTimeSeconds() },
        }));
        _reads.Enqueue(new KeyVaultRead(name, started, Stopwatch.GetTimestamp()));
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Kestrel needs the key with the certificate in a form the platform's TLS can use: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate.Dispose();
    }

    private sealed class LoopbackToken : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("loopback-token", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
