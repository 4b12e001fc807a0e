using System.Text;
using BenchmarkDotNet.Attributes;
using Integration.Azure.Secrets;
using Integration.BigCommerce.Configuration;
using Integration.BigCommerce.Webhooks;
using Integration.Core.Events;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Integration.Benchmarks;

/// <summary>
/// The intake's own work per webhook: authenticate (shared secret, and Standard Webhooks signature), parse,
/// validate, build and serialise the envelope, hand it to a no-op publisher. Target: ≤ 20 µs, ≤ 4 KiB per call.
/// </summary>
[MemoryDiagnoser]
public class WebhookIntakeBenchmarks
{
    private const string Secret = "benchmark-secret-0123456789abcdef";
    private static readonly byte[] SigningKey = Encoding.UTF8.GetBytes("benchmark-signing-key-0123456789");

    private WebhookIntakeHandler _handler = null!;
    private byte[] _plainBody = null!;
    private byte[] _signedBody = null!;
    private WebhookRequest _signed;

    [GlobalSetup]
    public void Setup()
    {
        var options = new BigCommerceOptions
        {
            Stores =
            [
                new StoreOptions { StoreHash = "abc123", WebhookSecret = Secret, PreviousWebhookSecret = Secret + "-old" },
                new StoreOptions { StoreHash = "def456", WebhookSecret = Secret + "-signed", SigningSecret = "whsec_" + Convert.ToBase64String(SigningKey) },
            ],
        };
        var directory = new StoreDirectory();
        directory.InitializeAsync(options, new UnconfiguredSecretResolver()).GetAwaiter().GetResult();
        _handler = new WebhookIntakeHandler(directory, new NoOpPublisher(), Options.Create(options), TimeProvider.System,
            NullLogger<WebhookIntakeHandler>.Instance);

        _plainBody = Body("abc123");
        _signedBody = Body("def456");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        _signed = new WebhookRequest(_signedBody, Secret + "-signed", "msg_2mA5Q7", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            StandardWebhooks.Sign(SigningKey, "msg_2mA5Q7", timestamp, _signedBody));
    }

    [Benchmark(Baseline = true)]
    public ValueTask<WebhookIntakeResult> SharedSecret() => _handler.HandleAsync(new WebhookRequest(_plainBody, Secret));

    [Benchmark]
    public ValueTask<WebhookIntakeResult> SharedSecretAndSignature() => _handler.HandleAsync(_signed);

    [Benchmark]
    public ValueTask<WebhookIntakeResult> Rejected_WrongSecret() => _handler.HandleAsync(new WebhookRequest(_plainBody, "wrong-secret-wrong-secret-wrong"));

    private static byte[] Body(string store) => Encoding.UTF8.GetBytes(
        "{\"scope\":\"store/order/statusUpdated\",\"store_id\":\"1025646\",\"data\":{\"type\":\"order\",\"id\":250," +
        "\"status\":{\"previous_status_id\":1,\"new_status_id\":11}},\"hash\":\"dd70c0976e06b67aaf671e73f49dcb79230ebf9d\"," +
        "\"created_at\":1561479335,\"producer\":\"stores/" + store + "\"}");

    private sealed class NoOpPublisher : IEventPublisher
    {
        public Task PublishAsync(CommerceEvent commerceEvent, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default) =>
            Task.CompletedTask;
    }
}
