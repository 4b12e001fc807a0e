using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Crm.HubSpot.Emulator;
using Integration.Testing;
using Integration.Testing.Tryton;
using Integration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Integration.Tests.EndToEnd;

/// <summary>
/// Issue 22, defect 10: Tryton and HubSpot name the values they refuse (the party's name, the address, the e-mail). An
/// order whose customer both refuse goes through the whole Standalone host (webhook, queue, consumers, a real Tryton,
/// the HubSpot emulator, Azurite): each target's quarantine row and every log line keep what the operator acts on (the
/// reason, Tryton's error class or HubSpot's category and error code, the field, the event and the order) and none of
/// the customer's e-mail, phone, name or address.
/// </summary>
public sealed class StandalonePersonalDataTests(AzuriteFixture azurite, TrytonFixture tryton) : IClassFixture<TrytonFixture>, IAsyncLifetime
{
    private const string Token = "personal-data-token-0123456789";
    private const string CrmToken = "pat-personal-data";
    private BigCommerceEmulator _emulator = null!;
    private HubSpotEmulator _hubspot = null!;
    private StandaloneHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _emulator = await StandaloneHost.StartErpStoreAsync(Token, Ct);
        _hubspot = await HubSpotEmulator.StartAsync(new HubSpotEmulatorOptions { AccessToken = CrmToken }, cancellationToken: Ct);
        var settings = StandaloneHost.ErpSettings(_emulator.BaseAddress, Token, tryton);
        settings["Crm:HubSpot:BaseAddress"] = _hubspot.BaseAddress.ToString();
        settings["Crm:HubSpot:AccessToken"] = CrmToken;
        settings["Logging:LogLevel:Default"] = "Information";
        _host = await StandaloneHost.StartAsync(azurite.ConnectionString, settings, services => services.AddLogging(b => b.AddFakeLogging()));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _hubspot.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task CustomerTrytonAndHubSpotRefuse_QuarantineRowsAndLogs_KeepReasonClassAndField_NotTheCustomersData()
    {
        var unique = TrytonTestData.Unique("pd").Replace("-", string.Empty, StringComparison.Ordinal);
        var digits = (Math.Abs(unique.GetHashCode(StringComparison.Ordinal)) % 100).ToString("00", CultureInfo.InvariantCulture);
        // Tryton's Char fields refuse a tab (the party's name, the address's city) and say so naming the value; HubSpot
        // refuses an e-mail whose domain has no dot, naming the address. The hub's own checks let both through.
        var email = $"jane.{unique}@example";
        var firstName = $"Jane\tQ{unique}";
        var lastName = $"Roe{unique}";
        var street = $"{unique} Elm Street";
        var city = $"Spring\tfield{unique}";
        var phone = $"+1 217 555 01{digits}";
        var client = _host.Services.GetRequiredService<BigCommerceClientFactory>().GetClient(TestStores.Plain);
        var variants = await StandaloneHost.VariantsInTrytonAsync(client, TrytonTestData.Client(tryton), Ct);
        await StandaloneHost.RegisterOrderHookAsync(client, _host.BaseAddress, Ct);
        var customerId = await CreateCustomerAsync(email, firstName, lastName, phone, street, city);

        var order = _emulator.Store(TestStores.Plain).CreateOrder(customerId, [(variants[0].Id, 1)]);

        var quarantine = _host.Services.GetRequiredService<IQuarantineStore>();
        var rows = await Eventually.ReturnsAsync(async () => await quarantine.ListAsync(new QuarantineQuery(TestStores.Plain), Ct).ToListAsync(Ct),
            found => found.Select(r => r.Target).Distinct().Count() >= 2, TimeSpan.FromSeconds(90),
            found => $"Expected an erp and a crm quarantine row within 90 s; have: {string.Join(" | ", found.Select(r => $"{r.Target} {r.Reason}"))}", Ct);

        string[] personal = [email, $"Q{unique}", lastName, street, $"field{unique}", $"555 01{digits}", $"55501{digits}", unique];
        Assert.All(rows, r => Assert.Equal(order.Id, r.Event.ResourceId?.Number));
        foreach (var row in rows)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{row.Target} {row.Reason}: {row.Error}");
            var stored = JsonSerializer.Serialize(row);
            Assert.All(personal, value => Assert.DoesNotContain(value, stored, StringComparison.OrdinalIgnoreCase));
        }

        Assert.All(rows.Where(r => r.Target == EventTargets.Erp), erp =>
        {
            Assert.Equal("erp_rejected", erp.Reason);
            Assert.Contains("(UserError)", erp.Error, StringComparison.Ordinal);
            Assert.Contains("for field \"", erp.Error, StringComparison.Ordinal);
            Assert.Contains("«redacted»", erp.Error, StringComparison.Ordinal);
        });
        Assert.All(rows.Where(r => r.Target == EventTargets.Crm), crm =>
        {
            Assert.Equal("crm_rejected", crm.Reason);
            Assert.Contains("VALIDATION_ERROR", crm.Error, StringComparison.Ordinal);
            Assert.Contains("email (INVALID_EMAIL)", crm.Error, StringComparison.Ordinal);
        });

        // Every log line of the host (Information and up), with its exception, while it processed the order.
        var logs = _host.Services.GetFakeLogCollector().GetSnapshot()
            .Select(r => $"{r.Message} {string.Join(' ', r.StructuredState?.Select(s => s.Value) ?? [])} {r.Exception}").ToList();
        Assert.Contains(logs, l => l.Contains("erp_rejected", StringComparison.Ordinal) && l.Contains("(UserError)", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.Contains("crm_rejected", StringComparison.Ordinal) && l.Contains("INVALID_EMAIL", StringComparison.Ordinal));
        Assert.All(logs, line => Assert.All(personal, value => Assert.DoesNotContain(value, line, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>A customer created through the store's v3 API, as the control panel would, with one address; returns its id.</summary>
    private async Task<long> CreateCustomerAsync(string email, string firstName, string lastName, string phone, string street, string city)
    {
        using var http = new HttpClient { BaseAddress = _emulator.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"stores/{TestStores.Plain}/v3/customers")
        {
            Content = JsonContent.Create(new JsonArray(new JsonObject
            {
                ["email"] = email, ["first_name"] = firstName, ["last_name"] = lastName, ["phone"] = phone,
                ["addresses"] = new JsonArray(new JsonObject
                {
                    ["first_name"] = firstName, ["last_name"] = lastName, ["address1"] = street, ["city"] = city,
                    ["state_or_province"] = "Illinois", ["postal_code"] = "62701", ["country_code"] = "US", ["phone"] = phone,
                }),
            })),
        };
        request.Headers.Add("X-Auth-Token", Token);
        using var response = await http.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!["data"]![0]!["id"]!.GetValue<long>();
    }
}
