using Integration.Azure.Secrets;
using Integration.BigCommerce.Configuration;
using Integration.BigCommerce.Webhooks;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Integration.Tests.Support;

/// <summary>The intake handler wired to the test stores, a recording publisher, a fake clock and a fake logger.</summary>
public sealed class IntakeHarness
{
    private IntakeHarness(WebhookIntakeHandler handler, RecordingPublisher publisher, FakeTimeProvider time, FakeLogger<WebhookIntakeHandler> logger)
    {
        Handler = handler;
        Publisher = publisher;
        Time = time;
        Logger = logger;
    }

    public WebhookIntakeHandler Handler { get; }

    public RecordingPublisher Publisher { get; }

    public FakeTimeProvider Time { get; }

    public FakeLogger<WebhookIntakeHandler> Logger { get; }

    public static async Task<IntakeHarness> CreateAsync(BigCommerceOptions? options = null)
    {
        options ??= TestStores.Options();
        var directory = new StoreDirectory();
        await directory.InitializeAsync(options, new UnconfiguredSecretResolver());
        var publisher = new RecordingPublisher();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var logger = new FakeLogger<WebhookIntakeHandler>();
        var handler = new WebhookIntakeHandler(directory, publisher, Options.Create(options), time, logger);
        return new IntakeHarness(handler, publisher, time, logger);
    }

    public ValueTask<WebhookIntakeResult> PostAsync(byte[] body, string? secret = TestStores.PlainSecret) =>
        Handler.HandleAsync(new WebhookRequest(body, secret));
}
