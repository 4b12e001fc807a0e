using Integration.Crm.HubSpot.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Integration.Crm.HubSpot.Tests.Connector;

/// <summary>The client's search (what the store day's convergence check reads the CRM with) against the emulator over HTTP.</summary>
public sealed class HubSpotSearchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SearchAll_InFilter_FindsEveryMatch_AcrossPages_AndNothingElse()
    {
        await using var hub = await HubSpotHarness.StartAsync(o => o.SearchLagMs = 0);
        var services = hub.Services();
        var crm = services.GetRequiredService<Integration.Core.Crm.ICrmConnector>();
        foreach (var email in new[] { "a@shop.test", "b@shop.test", "c@shop.test", "other@shop.test" })
        {
            await crm.UpsertContactAsync("abc123", HubSpotHarness.Customer(email), Ct);
        }

        var client = services.GetRequiredService<HubSpotClient>();
        SearchFilterGroup[] wanted = [new([new SearchFilter("email", "IN", Values: ["A@shop.test", "b@shop.test", "c@shop.test", "missing@shop.test"])])];

        var first = await client.SearchAsync("contacts", new SearchRequest(wanted, ["email"], Limit: 2), Ct);
        var all = new List<HubSpotObject>();
        await foreach (var contact in client.SearchAllAsync("contacts", wanted, ["email"], pageSize: 2, Ct))
        {
            all.Add(contact);
        }

        Assert.Equal(3, first.Total);
        Assert.Equal(2, first.Results.Count);
        Assert.NotNull(first.Paging?.Next?.After);
        Assert.Equal(["a@shop.test", "b@shop.test", "c@shop.test"], all.Select(c => c.Properties!["email"]).Order(StringComparer.Ordinal));
    }
}
