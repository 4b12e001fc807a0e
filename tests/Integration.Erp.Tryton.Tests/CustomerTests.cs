using System.Text.Json;
using Integration.Core.Erp;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing.Tryton;

namespace Integration.Erp.Tryton.Tests;

public sealed class CustomerTests(TrytonFixture tryton)
{
    [Fact]
    public async Task UpsertCustomer_Twice_LeavesOnePartyWithOneOfEachContactAndAddress()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = TrytonTestData.Client(tryton);
        var connector = TrytonTestData.Connector(tryton, client);
        var store = TrytonTestData.Unique("s");
        var customer = TrytonTestData.Customer(42);

        var first = await connector.UpsertCustomerAsync(store, customer, ct);
        var second = await connector.UpsertCustomerAsync(store, customer, ct);

        Assert.Equal(ErpWriteOutcome.Created, first.Outcome);
        Assert.Equal(ErpWriteOutcome.Unchanged, second.Outcome);
        Assert.Equal(first.ErpId, second.ErpId);
        var party = Assert.Single((await PartiesAsync(client, $"bc-{store}-42", ct)).EnumerateArray());
        Assert.Equal("Jane Doe", party.GetProperty("name").GetString());
        Assert.Equal(2, party.GetProperty("contact_mechanisms").GetArrayLength());
        Assert.Equal(1, party.GetProperty("addresses").GetArrayLength());
    }

    [Fact]
    public async Task UpsertCustomer_NewAddressAndName_AddsAddressAndRenames()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = TrytonTestData.Client(tryton);
        var connector = TrytonTestData.Connector(tryton, client);
        var store = TrytonTestData.Unique("s");
        var customer = TrytonTestData.Customer(7);
        await connector.UpsertCustomerAsync(store, customer, ct);

        var moved = customer with { LastName = "Roe", Addresses = [.. customer.Addresses, TrytonTestData.Address("9 Elm St")] };
        var result = await connector.UpsertCustomerAsync(store, moved, ct);

        Assert.Equal(ErpWriteOutcome.Updated, result.Outcome);
        var party = Assert.Single((await PartiesAsync(client, $"bc-{store}-7", ct)).EnumerateArray());
        Assert.Equal("Jane Roe", party.GetProperty("name").GetString());
        Assert.Equal(2, party.GetProperty("addresses").GetArrayLength());
    }

    [Fact]
    public async Task UpsertCustomer_ConcurrentFromTwoClients_LeavesOneParty()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = TrytonTestData.Unique("s");
        var customer = TrytonTestData.Customer(99);
        var a = TrytonTestData.Connector(tryton);
        var b = TrytonTestData.Connector(tryton);

        var results = await Task.WhenAll(
            Task.Run(() => a.UpsertCustomerAsync(store, customer, ct), ct),
            Task.Run(() => b.UpsertCustomerAsync(store, customer, ct), ct));

        Assert.Equal(results[0].ErpId, results[1].ErpId);
        Assert.Single((await PartiesAsync(TrytonTestData.Client(tryton), $"bc-{store}-99", ct)).EnumerateArray());
    }

    [Fact]
    public async Task UpsertCustomer_GuestWhoRegisters_KeepsTheGuestParty()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = TrytonTestData.Client(tryton);
        var connector = TrytonTestData.Connector(tryton, client);
        var store = TrytonTestData.Unique("s");
        var guest = TrytonTestData.Customer(0);

        var asGuest = await connector.UpsertCustomerAsync(store, guest, ct);
        var registered = await connector.UpsertCustomerAsync(store, guest with { Ids = new(BigCommerce: "555") }, ct);

        Assert.Equal(asGuest.ErpId, registered.ErpId);
        Assert.Single((await PartiesAsync(client, $"bc-{store}-555", ct)).EnumerateArray());
    }

    [Fact]
    public async Task UpsertCustomer_UnknownCountry_IsPermanentAndNamesTheCountry()
    {
        var ct = TestContext.Current.CancellationToken;
        var connector = TrytonTestData.Connector(tryton);
        var customer = TrytonTestData.Customer(3) with { Addresses = [TrytonTestData.Address() with { CountryCode = "QQ" }] };

        var error = await Assert.ThrowsAsync<ErpException>(() => connector.UpsertCustomerAsync(TrytonTestData.Unique("s"), customer, ct));

        Assert.False(error.IsTransient);
        Assert.Contains("'QQ'", error.Message, StringComparison.Ordinal);
    }

    private static Task<JsonElement> PartiesAsync(TrytonClient client, string code, CancellationToken ct) =>
        client.SearchReadAsync("party.party", [TrytonJson.Clause("code", "=", code)], ["name", "contact_mechanisms", "addresses"], cancellationToken: ct);
}
